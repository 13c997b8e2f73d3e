package dev.cramjet.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GradClipTest {
  // Sum of squares: 9 + 16 + 1 + 4 + 0 + 0.25 (W) + 4 + 1 + 0.25 (B) + 6.25 (S) = 41.75
  private static final float[] GW = {3, -4, 1, 2, 0, 0.5f};
  private static final float[] GB = {-2, 1, 0.5f};
  private static final float[] GS = {2.5f};
  private static final double TOTAL = Math.sqrt(41.75);

  private NDManager manager;
  private List<NDArray> params;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager("PyTorch");
    NDArray w = manager.zeros(new Shape(2, 3));
    NDArray b = manager.zeros(new Shape(3));
    NDArray s = manager.zeros(new Shape());
    params = List.of(w, b, s);
    params.forEach(p -> p.setRequiresGradient(true));
    Map<NDArray, float[]> grads = new LinkedHashMap<>();
    grads.put(w, GW);
    grads.put(b, GB);
    grads.put(s, GS);
    GradTestSupport.backward(manager, grads);
  }

  @AfterEach
  void close() {
    manager.close();
  }

  private static double globalNorm(List<NDArray> params) {
    double sumSq = 0;
    for (NDArray p : params) {
      for (float g : GradTestSupport.gradient(p)) {
        sumSq += (double) g * g;
      }
    }
    return Math.sqrt(sumSq);
  }

  @Test
  void clipsToTheTargetNormKeepingDirection() {
    double maxNorm = 0.5;
    double before = GradClip.clipGlobalNorm(params, maxNorm);
    assertEquals(TOTAL, before, 1e-5 * TOTAL);
    assertEquals(maxNorm, globalNorm(params), 1e-5);
    double scale = maxNorm / (TOTAL + 1e-6);
    float[] w = GradTestSupport.gradient(params.get(0));
    for (int i = 0; i < GW.length; i++) {
      assertEquals(GW[i] * scale, w[i], 1e-6);
    }
    assertEquals(GS[0] * scale, GradTestSupport.gradient(params.get(2))[0], 1e-6);
  }

  @Test
  void leavesSmallGradientsUntouched() {
    double before = GradClip.clipGlobalNorm(params, 2 * TOTAL);
    assertEquals(TOTAL, before, 1e-5 * TOTAL);
    assertArrayEquals(GW, GradTestSupport.gradient(params.get(0)));
    assertArrayEquals(GB, GradTestSupport.gradient(params.get(1)));
    assertArrayEquals(GS, GradTestSupport.gradient(params.get(2)));
  }

  @Test
  void nonFiniteNormIsReturnedAndNothingIsScaled() {
    GradTestSupport.backward(manager, Map.of(params.get(1), new float[] {Float.NaN, 0, 0}));
    double norm = GradClip.clipGlobalNorm(params, 0.5);
    assertTrue(Double.isNaN(norm), "norm " + norm);
    assertArrayEquals(GW, GradTestSupport.gradient(params.get(0)));
    assertArrayEquals(GS, GradTestSupport.gradient(params.get(2)));

    AdamW.zeroGradients(params);
    GradTestSupport.backward(manager, Map.of(params.get(2), new float[] {Float.POSITIVE_INFINITY}));
    assertEquals(Double.POSITIVE_INFINITY, GradClip.clipGlobalNorm(params, 0.5));
  }

  @Test
  void openArrayCountStaysFlat() {
    GradClip.clipGlobalNorm(params, 0.5);
    int after1 = manager.getManagedArrays().size();
    for (int i = 0; i < 5; i++) {
      GradClip.clipGlobalNorm(params, 0.5);
    }
    assertEquals(after1, manager.getManagedArrays().size());
    assertThrows(IllegalArgumentException.class, () -> GradClip.clipGlobalNorm(params, 0));
  }
}
