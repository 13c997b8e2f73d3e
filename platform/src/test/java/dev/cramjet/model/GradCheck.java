package dev.cramjet.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Compares autograd gradients with central finite differences in float64. The loss function receives a fresh scope
 * for its temporaries on every call.
 */
final class GradCheck {
  private GradCheck() {}

  /** Checks up to {@code perParam} random coordinates of each array in {@code wrt}. */
  static void check(NDManager m, Map<String, NDArray> wrt, Function<NDManager, NDArray> loss, int perParam) {
    double[][] analytic = new double[wrt.size()][];
    try (NDManager scope = m.newSubManager()) {
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(loss.apply(scope));
      }
      int i = 0;
      for (NDArray p : wrt.values()) {
        try (NDArray g = p.getGradient()) {
          analytic[i++] = g.toDoubleArray();
        }
      }
    }
    SplittableRandom rng = new SplittableRandom(7);
    int i = 0;
    for (Map.Entry<String, NDArray> e : wrt.entrySet()) {
      NDArray p = e.getValue();
      double[] base = p.toDoubleArray();
      for (int n = 0; n < Math.min(perParam, base.length); n++) {
        int j = rng.nextInt(base.length);
        double h = 1e-6;
        double[] v = base.clone();
        v[j] = base[j] + h;
        p.set(v);
        double plus = eval(m, loss);
        v[j] = base[j] - h;
        p.set(v);
        double minus = eval(m, loss);
        p.set(base);
        double numeric = (plus - minus) / (2 * h);
        double a = analytic[i][j];
        double err = Math.abs(a - numeric) / Math.max(1e-4, Math.abs(a) + Math.abs(numeric));
        assertTrue(err < 1e-4,
            e.getKey() + "[" + j + "]: autograd " + a + " vs finite difference " + numeric + " (rel. err " + err + ")");
      }
      i++;
    }
  }

  private static double eval(NDManager m, Function<NDManager, NDArray> loss) {
    try (NDManager scope = m.newSubManager()) {
      return loss.apply(scope).toDoubleArray()[0];
    }
  }
}
