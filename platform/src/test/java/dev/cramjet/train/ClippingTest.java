package dev.cramjet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Global-norm clipping inside {@link AdamW}'s fused step, as torch.nn.utils.clip_grad_norm_: the norm over all
 * gradients together, and every gradient scaled by {@code maxNorm / (norm + 1e-6)} when that is below 1. The clipped
 * gradient is read back through the first moment: after one step from zero moments, {@code exp_avg = (1 - beta1) g}.
 */
class ClippingTest {
  // Sum of squares: 9 + 16 + 1 + 4 + 0 + 0.25 (W) + 4 + 1 + 0.25 (B) + 6.25 (S) = 41.75
  private static final float[] GW = {3, -4, 1, 2, 0, 0.5f};
  private static final float[] GB = {-2, 1, 0.5f};
  private static final float[] GS = {2.5f};
  private static final double TOTAL = Math.sqrt(41.75);
  private static final AdamWConfig CONFIG = new AdamWConfig(1e-3, 0.9, 0.98, 1e-12, 0.01);

  private NDManager manager;
  private Map<String, NDArray> params;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager("PyTorch");
    params = new LinkedHashMap<>();
    params.put("w.weight", manager.zeros(new Shape(2, 3)));
    params.put("b.bias", manager.zeros(new Shape(3)));
    params.put("s.scale", manager.zeros(new Shape()));
    params.values().forEach(p -> p.setRequiresGradient(true));
    Map<NDArray, float[]> grads = new LinkedHashMap<>();
    grads.put(params.get("w.weight"), GW);
    grads.put(params.get("b.bias"), GB);
    grads.put(params.get("s.scale"), GS);
    GradTestSupport.backward(manager, grads);
  }

  @AfterEach
  void close() {
    manager.close();
  }

  /** The gradient the update used, from exp_avg = (1 - beta1) g. */
  private float[] usedGradient(AdamW adamw, String name) {
    float[] m = adamw.exportState().get(name + AdamW.EXP_AVG).toFloatArray();
    for (int i = 0; i < m.length; i++) {
      m[i] /= (float) (1 - CONFIG.beta1());
    }
    return m;
  }

  @Test
  void clipsToTheTargetNormKeepingDirection() {
    double maxNorm = 0.5;
    try (AdamW adamw = new AdamW(CONFIG, params, manager)) {
      AdamW.Outcome o = adamw.clipAndStep(1e-3, maxNorm, 1.0);
      assertFalse(o.skipped());
      assertEquals(TOTAL, o.gradNorm(), 1e-5 * TOTAL, "the norm before clipping is reported");
      double scale = maxNorm / (TOTAL + 1e-6);
      float[] w = usedGradient(adamw, "w.weight");
      for (int i = 0; i < GW.length; i++) {
        assertEquals(GW[i] * scale, w[i], 1e-6);
      }
      assertEquals(GS[0] * scale, usedGradient(adamw, "s.scale")[0], 1e-6);
      double sumSq = 0;
      for (String n : params.keySet()) {
        for (float g : usedGradient(adamw, n)) {
          sumSq += (double) g * g;
        }
      }
      assertEquals(maxNorm, Math.sqrt(sumSq), 1e-5);
    }
  }

  @Test
  void leavesSmallGradientsUntouched() {
    try (AdamW adamw = new AdamW(CONFIG, params, manager)) {
      AdamW.Outcome o = adamw.clipAndStep(1e-3, 2 * TOTAL, 1.0);
      assertEquals(TOTAL, o.gradNorm(), 1e-5 * TOTAL);
      float[] w = usedGradient(adamw, "w.weight");
      float[] b = usedGradient(adamw, "b.bias");
      for (int i = 0; i < GW.length; i++) {
        assertEquals(GW[i], w[i], 1e-6);
      }
      for (int i = 0; i < GB.length; i++) {
        assertEquals(GB[i], b[i], 1e-6);
      }
    }
  }

  @Test
  void zeroMaxNormMeansNoClipping() {
    try (AdamW adamw = new AdamW(CONFIG, params, manager)) {
      AdamW.Outcome o = adamw.clipAndStep(1e-3, 0, 1.0);
      assertEquals(TOTAL, o.gradNorm(), 1e-5 * TOTAL, "the norm is still measured");
      assertEquals(GW[1], usedGradient(adamw, "w.weight")[1], 1e-6);
    }
  }

  @Test
  void infiniteGradientReportsAnInfiniteNormAndSkips() {
    GradTestSupport.backward(manager, Map.of(params.get("s.scale"), new float[] {Float.POSITIVE_INFINITY}));
    try (AdamW adamw = new AdamW(CONFIG, params, manager)) {
      AdamW.Outcome o = adamw.clipAndStep(1e-3, 0.5, 1.0);
      assertEquals(Double.POSITIVE_INFINITY, o.gradNorm());
      assertTrue(o.skipped());
      assertEquals(0f, usedGradient(adamw, "w.weight")[0], "no moment moved");
    }
  }

  @Test
  void openArrayCountStaysFlatAndBadArgumentsAreRefused() {
    try (AdamW adamw = new AdamW(CONFIG, params, manager)) {
      adamw.clipAndStep(1e-3, 0.5, 1.0);
      int after1 = manager.getManagedArrays().size();
      for (int i = 0; i < 5; i++) {
        adamw.clipAndStep(1e-3, 0.5, 1.0);
      }
      assertEquals(after1, manager.getManagedArrays().size());
      assertThrows(IllegalArgumentException.class, () -> adamw.clipAndStep(1e-3, Double.NaN, 1.0));
      assertThrows(IllegalArgumentException.class, () -> adamw.clipAndStep(-1, 0.5, 1.0));
    }
  }
}
