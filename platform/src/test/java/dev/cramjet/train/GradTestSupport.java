package dev.cramjet.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.Map;

/** Test helper: gives parameters chosen gradients through a real backward pass. */
final class GradTestSupport {
  private GradTestSupport() {}

  /**
   * Adds {@code grads.get(p)} to each parameter's gradient (they accumulate until zeroed), via the loss
   * sum over p of sum(c_p * p), whose gradient with respect to p is c_p. Temporaries live in a sub-manager so they do
   * not pile up in the parameters' manager ({@code c.mul(p)}: results land in the first operand's manager).
   */
  static void backward(NDManager manager, Map<NDArray, float[]> grads) {
    try (NDManager tmp = manager.newSubManager();
        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray loss = null;
      for (Map.Entry<NDArray, float[]> e : grads.entrySet()) {
        NDArray p = e.getKey();
        NDArray c = tmp.create(e.getValue(), p.getShape());
        NDArray term = c.mul(p).sum();
        loss = loss == null ? term : loss.add(term);
      }
      gc.backward(loss);
    }
  }

  /** The current gradient of {@code p} as floats (the handle is closed). */
  static float[] gradient(NDArray p) {
    try (NDArray g = p.getGradient()) {
      return g.toFloatArray();
    }
  }
}
