package dev.cramjet.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.cramjet.util.BadInputException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdamWTest {
  private static final String W = "encoder.layer.0.attention.qkv.weight"; // (2, 3): decays
  private static final String B = "encoder.layer.0.norm1.bias"; // (3): no decay
  private static final String S = "embedding.position.scale"; // (): no decay
  private static final float[] W0 = {0.5f, -1.0f, 1.5f, 2.0f, -0.25f, 0.75f};
  private static final float[] B0 = {0.1f, -0.2f, 0.3f};
  private static final float[] S0 = {0.0625f};
  private static final AdamWConfig CONFIG = new AdamWConfig(1e-2, 0.9, 0.98, 1e-8, 0.1);

  private NDManager manager;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager("PyTorch");
  }

  @AfterEach
  void close() {
    manager.close();
  }

  private NDArray param(float[] values, Shape shape) {
    NDArray p = manager.create(values.clone(), shape);
    p.setRequiresGradient(true);
    return p;
  }

  private Map<String, NDArray> params(float[] w, float[] b, float[] s) {
    Map<String, NDArray> params = new LinkedHashMap<>();
    params.put(W, param(w, new Shape(2, 3)));
    params.put(B, param(b, new Shape(3)));
    params.put(S, param(s, new Shape()));
    return params;
  }

  /** A different, sign-varied gradient for each parameter and step k. */
  private static float[] grad(int size, int k, int salt) {
    float[] g = new float[size];
    for (int i = 0; i < size; i++) {
      g[i] = (float) ((((i + 1) * (k + 2) + salt) % 7 - 3) * 0.1 + 0.05 * k);
    }
    return g;
  }

  private void backward(Map<String, NDArray> params, int k) {
    Map<NDArray, float[]> grads = new HashMap<>();
    grads.put(params.get(W), grad(6, k, 0));
    grads.put(params.get(B), grad(3, k, 1));
    grads.put(params.get(S), grad(1, k, 2));
    GradTestSupport.backward(manager, grads);
  }

  /** Plain double-precision AdamW, written from the torch.optim.AdamW formulas. */
  private static final class Reference {
    final double[] p;
    final double[] m;
    final double[] v;
    final boolean decay;

    Reference(float[] init, boolean decay) {
      p = new double[init.length];
      for (int i = 0; i < init.length; i++) {
        p[i] = init[i];
      }
      m = new double[init.length];
      v = new double[init.length];
      this.decay = decay;
    }

    void step(float[] g, double lr, int s, AdamWConfig c) {
      double bc1 = 1 - Math.pow(c.beta1(), s);
      double bc2 = 1 - Math.pow(c.beta2(), s);
      for (int i = 0; i < p.length; i++) {
        if (decay) {
          p[i] -= lr * c.weightDecay() * p[i];
        }
        m[i] = c.beta1() * m[i] + (1 - c.beta1()) * g[i];
        v[i] = c.beta2() * v[i] + (1 - c.beta2()) * g[i] * g[i];
        double mHat = m[i] / bc1;
        double vHat = v[i] / bc2;
        p[i] -= lr * mHat / (Math.sqrt(vHat) + c.eps());
      }
    }
  }

  private static void assertClose(double[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], 1e-6, what + "[" + i + "]");
    }
  }

  @Test
  void matchesHandComputedSteps() {
    Map<String, NDArray> params = params(W0, B0, S0);
    Reference w = new Reference(W0, true);
    Reference b = new Reference(B0, false);
    Reference s = new Reference(S0, false);
    double[] lrs = {1e-2, 2e-2, 5e-3}; // the scheduled rate changes per step
    try (AdamW adamw = new AdamW(CONFIG, params, manager)) {
      for (int k = 0; k < lrs.length; k++) {
        backward(params, k);
        adamw.clipAndStep(lrs[k], 0, 0);
        w.step(grad(6, k, 0), lrs[k], k + 1, CONFIG);
        b.step(grad(3, k, 1), lrs[k], k + 1, CONFIG);
        s.step(grad(1, k, 2), lrs[k], k + 1, CONFIG);
        assertClose(w.p, params.get(W).toFloatArray(), "W after step " + (k + 1));
        assertClose(b.p, params.get(B).toFloatArray(), "B after step " + (k + 1));
        assertClose(s.p, params.get(S).toFloatArray(), "S after step " + (k + 1));
        assertClose(w.m, adamw.exportState().get(W + AdamW.EXP_AVG).toFloatArray(), "W exp_avg");
        assertClose(w.v, adamw.exportState().get(W + AdamW.EXP_AVG_SQ).toFloatArray(), "W exp_avg_sq");
      }
      assertEquals(3, adamw.stepCount());
    }
  }

  @Test
  void decayAppliesOnlyToMatrices() {
    Map<String, NDArray> params = params(W0, B0, S0);
    try (AdamW adamw = new AdamW(CONFIG, params, manager)) {
      // Zero gradients: the Adam part moves nothing (0 / (0 + eps)), only decay acts: p *= 1 - 0.5 * 0.1.
      adamw.clipAndStep(0.5, 0, 0);
    }
    float[] w = params.get(W).toFloatArray();
    for (int i = 0; i < W0.length; i++) {
      assertEquals(W0[i] * 0.95, w[i], 1e-7);
    }
    assertArrayEquals(B0, params.get(B).toFloatArray());
    assertArrayEquals(S0, params.get(S).toFloatArray());
  }

  @Test
  void decayRuleFollowsDimensions() {
    assertTrue(AdamW.decays("embedding.word.weight", manager.zeros(new Shape(10, 4))));
    assertTrue(AdamW.decays(W, manager.zeros(new Shape(12, 4))));
    assertFalse(AdamW.decays("encoder.layer.3.norm1.weight", manager.zeros(new Shape(4))));
    assertFalse(AdamW.decays("encoder.layer.3.norm1.bias", manager.zeros(new Shape(4))));
    assertFalse(AdamW.decays(S, manager.zeros(new Shape())));
    assertFalse(AdamW.decays("head.odd.bias", manager.zeros(new Shape(1, 4))));
  }

  @Test
  void stepZeroesTheGradients() {
    Map<String, NDArray> params = params(W0, B0, S0);
    try (AdamW adamw = new AdamW(CONFIG, params, manager)) {
      backward(params, 1);
      assertFalse(isAllZero(GradTestSupport.gradient(params.get(W))));
      adamw.clipAndStep(1e-3, 0, 0);
      for (NDArray p : params.values()) {
        assertTrue(isAllZero(GradTestSupport.gradient(p)));
      }
    }
  }

  @Test
  void nonFiniteGradientSkipsTheUpdateAndClearsTheGradients() {
    Map<String, NDArray> params = params(W0, B0, S0);
    try (AdamW adamw = new AdamW(CONFIG, params, manager)) {
      GradTestSupport.backward(manager, Map.of(
          params.get(W), new float[] {Float.NaN, 1, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 2, 3},
          params.get(B), new float[] {Float.NaN, Float.NaN, Float.NaN}));
      assertTrue(Float.isNaN(GradTestSupport.gradient(params.get(W))[0]), "the setup made a NaN gradient");
      AdamW.Outcome o = adamw.clipAndStep(1e-2, 0.5, 1.0);
      assertTrue(o.skipped());
      assertTrue(Double.isNaN(o.gradNorm()), "norm " + o.gradNorm());
      assertArrayEquals(W0, params.get(W).toFloatArray(), "no update, not even decay");
      assertEquals(0, adamw.stepCount(), "a skipped step is not counted");
      for (NDArray p : params.values()) {
        assertTrue(isAllZero(GradTestSupport.gradient(p)));
      }
      // A finite gradient with a non-finite loss is skipped too.
      backward(params, 0);
      assertTrue(adamw.clipAndStep(1e-2, 0.5, Double.POSITIVE_INFINITY).skipped());
      assertArrayEquals(W0, params.get(W).toFloatArray());
      // The next good step is step 1 (bias correction as if the bad ones never happened).
      backward(params, 0);
      assertFalse(adamw.clipAndStep(1e-2, 0, 1.0).skipped());
      assertEquals(1, adamw.stepCount());
    }
  }

  @Test
  void exportedStateResumesIdentically() {
    Map<String, NDArray> original = params(W0, B0, S0);
    try (AdamW first = new AdamW(CONFIG, original, manager)) {
      for (int k = 0; k < 2; k++) {
        backward(original, k);
        first.clipAndStep(1e-2, 0, 0);
      }
      // Save as a checkpoint would: parameters and moments as floats, plus the step count.
      Map<String, float[]> saved = new LinkedHashMap<>();
      first.exportState().forEach((key, value) -> saved.put(key, value.toFloatArray()));
      assertEquals(6, saved.size());
      Map<String, NDArray> fromFloats = params(original.get(W).toFloatArray(), original.get(B).toFloatArray(),
          original.get(S).toFloatArray());
      Map<String, NDArray> fromArrays = params(original.get(W).toFloatArray(), original.get(B).toFloatArray(),
          original.get(S).toFloatArray());
      try (AdamW resumed = new AdamW(CONFIG, fromFloats, manager);
          AdamW resumed2 = new AdamW(CONFIG, fromArrays, manager)) {
        resumed.importStateArrays(saved, first.stepCount());
        resumed2.importState(first.exportState(), first.stepCount());
        assertEquals(2, resumed.stepCount());

        backward(original, 2);
        first.clipAndStep(5e-3, 0, 0);
        backward(fromFloats, 2);
        resumed.clipAndStep(5e-3, 0, 0);
        backward(fromArrays, 2);
        resumed2.clipAndStep(5e-3, 0, 0);
        for (String name : new String[] {W, B, S}) {
          assertArrayEquals(original.get(name).toFloatArray(), fromFloats.get(name).toFloatArray(), name);
          assertArrayEquals(original.get(name).toFloatArray(), fromArrays.get(name).toFloatArray(), name);
        }
      }
    }
  }

  @Test
  void importRejectsMissingExtraAndMisShapedEntriesWithoutChangingState() {
    Map<String, NDArray> params = params(W0, B0, S0);
    try (AdamW adamw = new AdamW(CONFIG, params, manager)) {
      Map<String, float[]> good = new LinkedHashMap<>();
      adamw.exportState().forEach((key, value) -> good.put(key, filled(value.toFloatArray().length)));

      Map<String, float[]> missing = new LinkedHashMap<>(good);
      missing.remove(B + AdamW.EXP_AVG_SQ);
      assertMessageNames(B + AdamW.EXP_AVG_SQ, () -> adamw.importStateArrays(missing, 5));

      Map<String, float[]> extra = new LinkedHashMap<>(good);
      extra.put("decoder.weight.exp_avg", new float[6]);
      assertMessageNames("decoder.weight.exp_avg", () -> adamw.importStateArrays(extra, 5));

      Map<String, float[]> misShaped = new LinkedHashMap<>(good);
      misShaped.put(W + AdamW.EXP_AVG, new float[5]);
      assertMessageNames(W + AdamW.EXP_AVG, () -> adamw.importStateArrays(misShaped, 5));

      Map<String, NDArray> misShapedArrays = new LinkedHashMap<>(adamw.exportState());
      misShapedArrays.put(W + AdamW.EXP_AVG, manager.zeros(new Shape(3, 2)));
      assertMessageNames(W + AdamW.EXP_AVG, () -> adamw.importState(misShapedArrays, 5));

      assertEquals(0, adamw.stepCount(), "a rejected import changes nothing");
      assertTrue(isAllZero(adamw.exportState().get(S + AdamW.EXP_AVG).toFloatArray()));

      adamw.importStateArrays(good, 5);
      assertEquals(5, adamw.stepCount());
      assertArrayEquals(filled(6), adamw.exportState().get(W + AdamW.EXP_AVG_SQ).toFloatArray());
    }
  }

  @Test
  void openArrayCountStaysFlatAcrossSteps() {
    Map<String, NDArray> params = params(W0, B0, S0);
    try (AdamW adamw = new AdamW(CONFIG, params, manager)) {
      backward(params, 0);
      adamw.clipAndStep(1e-3, 0, 0);
      int after1 = manager.getManagedArrays().size();
      for (int k = 1; k < 6; k++) {
        backward(params, k);
        adamw.clipAndStep(1e-3, 0, 0);
      }
      assertEquals(after1, manager.getManagedArrays().size());
    }
  }

  @Test
  void configValidationNamesTheField() {
    assertMessageNames("beta1", () -> new AdamWConfig(1e-3, 1.0, 0.98, 1e-12, 0.01));
    assertMessageNames("beta2", () -> new AdamWConfig(1e-3, 0.9, -0.1, 1e-12, 0.01));
    assertMessageNames("eps", () -> new AdamWConfig(1e-3, 0.9, 0.98, 0, 0.01));
    assertMessageNames("lr", () -> new AdamWConfig(-1, 0.9, 0.98, 1e-12, 0.01));
    assertMessageNames("weight-decay", () -> new AdamWConfig(1e-3, 0.9, 0.98, 1e-12, Double.NaN));
  }

  private static void assertMessageNames(String name, Runnable action) {
    BadInputException e = assertThrows(BadInputException.class, action::run);
    assertTrue(e.getMessage().contains(name), e.getMessage());
  }

  private static float[] filled(int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = 0.5f + i;
    }
    return a;
  }

  private static boolean isAllZero(float[] values) {
    for (float v : values) {
      if (v != 0f) {
        return false;
      }
    }
    return true;
  }
}
