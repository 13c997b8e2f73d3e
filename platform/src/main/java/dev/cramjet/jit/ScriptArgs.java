package dev.cramjet.jit;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.IValue;
import java.util.Collection;

/**
 * Arguments for {@link ScriptModule#call}: DJL arrays wrapped as TorchScript values. A wrapped value shares the
 * array's tensor (no copy): in-place updates a method makes are seen through the array, and the array's gradient is
 * the tensor's. Close the returned values; that leaves the arrays open.
 */
public final class ScriptArgs {
  private ScriptArgs() {}

  public static IValue tensor(NDArray a) {
    return IValue.from(pt(a));
  }

  /** A {@code List[Tensor]} of {@code arrays}, in iteration order. */
  public static IValue list(Collection<NDArray> arrays) {
    return IValue.listFrom(arrays.stream().map(ScriptArgs::pt).toArray(PtNDArray[]::new));
  }

  private static PtNDArray pt(NDArray a) {
    if (!(a instanceof PtNDArray p)) {
      throw new IllegalArgumentException("TorchScript programs need arrays of the PyTorch engine, got "
          + a.getClass().getName());
    }
    return p;
  }
}
