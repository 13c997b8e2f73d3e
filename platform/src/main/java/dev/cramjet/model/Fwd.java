package dev.cramjet.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.norm.Dropout;

/**
 * What one forward pass needs besides parameters: the manager that owns its temporaries, whether dropout is on, and
 * the compute type.
 *
 * <p>Scalars that enter differentiated arithmetic are created here as arrays in {@link #scope}: DJL's {@code
 * mul(Number)} wraps a Java number in a tensor that is freed at once although autograd still holds it, and the
 * gradient then reads freed memory (DJL-NOTES trap 1). Arrays in the scope live until the step closes it, after the
 * backward pass.
 */
public record Fwd(NDManager scope, boolean dropoutOn, float dropoutRate, DataType dtype) {

  /** A scalar array of the compute type, alive until the scope closes. */
  public NDArray scalar(double value) {
    return scope.create(value).toType(dtype, false);
  }

  /** Dropout when on, the identity otherwise. */
  public NDArray dropout(NDArray x) {
    if (!dropoutOn || dropoutRate == 0f) {
      return x;
    }
    return Dropout.dropout(x, dropoutRate, true).singletonOrThrow();
  }
}
