package ai.djl.pytorch.jni;

import ai.djl.pytorch.engine.PtSymbolBlock;

/**
 * Calls a method of a TorchScript module with autograd left as the calling thread set it.
 *
 * <p>DJL's public {@link IValueUtils#runMethod} always runs under {@code c10::InferenceMode}, so nothing it computes can
 * be differentiated, and {@link IValueUtils#forward(PtSymbolBlock, ai.djl.ndarray.NDList, boolean)} takes tensors
 * only (no floats, no tensor lists). The native entry point both use has a training flag; this class reaches it. It
 * lives in DJL's package because {@code PyTorchLibrary} is package-private; it adds no native code of its own.
 * Cramjet's {@code dev.cramjet.jit.ScriptModule} is its only caller.
 */
public final class ScriptCalls {
  private ScriptCalls() {}

  /**
   * Runs {@code method} of {@code block} on {@code inputs} in training mode: grad mode stays whatever it is on this
   * thread (a {@code GradientCollector} turns it on), so the result carries autograd history where grad mode is on.
   * The inputs stay open; the caller closes them and the result.
   */
  public static IValue run(PtSymbolBlock block, String method, IValue... inputs) {
    long[] handles = new long[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      handles[i] = inputs[i].getHandle();
    }
    return new IValue(PyTorchLibrary.LIB.moduleRunMethod(block.getHandle(), method, handles, true, false));
  }
}
