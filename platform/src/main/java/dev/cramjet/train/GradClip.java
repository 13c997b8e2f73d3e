package dev.cramjet.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.Collection;

/**
 * Global L2-norm gradient clipping, as torch.nn.utils.clip_grad_norm_: the norm is taken over all gradients together
 * (the 2-norm of the per-parameter 2-norms), and when it exceeds {@code maxNorm} every gradient is scaled in place by
 * {@code maxNorm / (norm + 1e-6)}. DJL's own {@code optClipGrad} clips per element and only from above, which is not
 * this (DJL-NOTES trap #2).
 *
 * <p>It does not skip steps: a non-finite norm is returned untouched and the caller decides (the trainer skips the
 * optimizer step and zeroes the gradients).
 */
public final class GradClip {
  /** Added to the norm before dividing, as torch does, so a zero norm never divides by zero. */
  public static final double EPSILON = 1e-6;

  private GradClip() {}

  /**
   * Clips the gradients of {@code params} to global norm {@code maxNorm}.
   *
   * @return the total gradient norm before clipping (NaN or Inf when some gradient is not finite; then nothing is
   *     scaled)
   */
  public static double clipGlobalNorm(Collection<NDArray> params, double maxNorm) {
    if (!(maxNorm > 0) || Double.isInfinite(maxNorm)) {
      throw new IllegalArgumentException("maxNorm must be positive and finite, got " + maxNorm);
    }
    if (params.isEmpty()) {
      return 0.0;
    }
    NDManager parent = params.iterator().next().getManager();
    try (NDManager sub = parent.newSubManager()) {
      NDList gradients = new NDList(params.size());
      NDList norms = new NDList(params.size());
      for (NDArray p : params) {
        NDArray g = p.getGradient();
        g.attach(sub); // closing the sub-manager closes the handle, not the gradient
        gradients.add(g);
        norms.add(g.norm()); // () the 2-norm over all elements, float32
      }
      // One device-to-host read for the whole model instead of one per parameter.
      double total = NDArrays.stack(norms).norm().getFloat();
      if (!Double.isFinite(total) || total <= maxNorm) {
        return total;
      }
      NDArray scale = sub.create((float) (maxNorm / (total + EPSILON)));
      for (NDArray g : gradients) {
        g.muli(scale);
      }
      return total;
    }
  }
}
