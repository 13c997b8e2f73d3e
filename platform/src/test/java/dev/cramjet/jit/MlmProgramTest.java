package dev.cramjet.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.JniUtils;
import com.typesafe.config.ConfigFactory;
import dev.cramjet.config.ConfigBinder;
import dev.cramjet.config.Presets;
import dev.cramjet.model.ArchConfig;
import dev.cramjet.model.CrammedBert;
import dev.cramjet.train.GradientLock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The compiled training program computes what the DJL model computes: the same loss, the same correct count and the
 * same gradient for every parameter, in float64 (so that any difference is a different formula, not rounding), for
 * every architecture switch.
 */
class MlmProgramTest {
  private static final int ROWS = 3;
  private static final int SEQ = 6;

  private NDManager m;

  @BeforeEach
  void open() {
    m = NDManager.newBaseManager("PyTorch");
  }

  @AfterEach
  void close() {
    m.close();
  }

  static ArchConfig arch(String preset, String overrides) {
    return ConfigBinder.bind(ConfigFactory.parseString(
            "vocab-size = 16, hidden = 8, layers = 2, heads = 2, intermediate = 12, max-seq-len = 6, " + overrides)
        .withFallback(Presets.load("arch", preset)), ArchConfig.class, "arch");
  }

  /** A batch: ids (ROWS x SEQ), positions (2 per row), labels. */
  private record Batch(int[] ids, int[] positions, int[] labels) {
    static Batch random(long seed, int vocab) {
      SplittableRandom r = new SplittableRandom(seed);
      int[] ids = r.ints((long) ROWS * SEQ, 5, vocab).toArray();
      int[] positions = {1, 4, 6, 8, 13, 17};
      int[] labels = r.ints(positions.length, 5, vocab).toArray();
      return new Batch(ids, positions, labels);
    }
  }

  @ParameterizedTest(name = "{0} {1} fused={2}")
  @CsvSource(delimiter = '|', value = {
      "crammed-bert|pretrain-dropout = false|true",
      "crammed-bert|pretrain-dropout = false|false",
      "bert-original|pretrain-dropout = false|true",
      "crammed-bert-simple|pretrain-dropout = false|true",
      "crammed-bert|sparse-prediction = false|true",
      "crammed-bert|tied-decoder = false, decoder-bias = true, head-transform = true|true",
      "crammed-bert|positions = learned, embedding-norm = false, final-norm = false, qkv-bias = true|true",
      "bert-original|ffn = glu, norm = pre, pretrain-dropout = false|true"})
  void lossAndGradientsMatchTheDjlModelInFloat64(String preset, String overrides, boolean fused) {
    ArchConfig a = arch(preset, overrides);
    Batch b = Batch.random(7, a.vocabSize());
    try (CrammedBert model = new CrammedBert(a, m, 3, DataType.FLOAT64)) {
      Map<String, NDArray> params = model.params().all();
      double djlLoss;
      long djlCorrect;
      try (NDManager scope = m.newSubManager();
          GradientLock.Scope gc = GradientLock.open()) {
        CrammedBert.MlmOutput out =
            model.mlmLoss(ROWS, SEQ, b.ids(), b.positions(), b.labels(), model.evalContext(scope));
        gc.backward(out.loss());
        djlLoss = out.loss().getDouble();
        djlCorrect = out.correct().getLong();
      }
      Map<String, double[]> djlGrads = takeGradients(params);

      MlmProgram source = new MlmProgram(a, MlmProgram.Precision.FP32, List.copyOf(params.keySet()),
          List.copyOf(model.buffers().keySet()), fused);
      assertEquals(fused, source.source().contains("scaled_dot_product_attention"));
      try (ScriptModule program = ScriptModule.compile(m, MlmProgram.CLASS_NAME, source.source());
          NDManager scope = m.newSubManager();
          IValue p = ScriptArgs.list(params.values());
          IValue buf = ScriptArgs.list(model.buffers().values());
          IValue ids = ScriptArgs.tensor(scope.create(CrammedBert.toLong(b.ids()), new Shape(ROWS, SEQ)));
          IValue pos = ScriptArgs.tensor(scope.create(CrammedBert.toLong(b.positions())));
          IValue lab = ScriptArgs.tensor(scope.create(CrammedBert.toLong(b.labels())));
          IValue drop = IValue.from(false)) {
        double loss;
        long correct;
        try (GradientLock.Scope gc = GradientLock.open();
            IValue out = program.call("mlm_loss", p, buf, ids, pos, lab, drop)) {
          NDList outs = out.toNDList((PtNDManager) scope);
          gc.backward(outs.get(0));
          loss = outs.get(0).getDouble();
          correct = outs.get(1).getLong();
        }
        assertEquals(djlLoss, loss, 1e-12 * Math.abs(djlLoss), "loss");
        assertEquals(djlCorrect, correct, "correct predictions");
        Map<String, double[]> grads = takeGradients(params);
        assertEquals(djlGrads.keySet(), grads.keySet());
        for (String name : djlGrads.keySet()) {
          assertClose(djlGrads.get(name), grads.get(name), name);
        }
      }
    }
  }

  @Test
  void microStepAccumulatesWeightedGradientsAndStatsOnTheDevice() {
    ArchConfig a = arch("crammed-bert", "");
    Batch b1 = Batch.random(1, a.vocabSize());
    Batch b2 = Batch.random(2, a.vocabSize());
    try (CrammedBert model = new CrammedBert(a, m, 4, DataType.FLOAT64)) {
      Map<String, NDArray> params = model.params().all();
      double djlLoss = 0;
      long djlCorrect = 0;
      for (Batch b : List.of(b1, b2)) {
        try (NDManager scope = m.newSubManager();
            GradientLock.Scope gc = GradientLock.open()) {
          CrammedBert.MlmOutput out =
              model.mlmLoss(ROWS, SEQ, b.ids(), b.positions(), b.labels(), model.evalContext(scope));
          gc.backward(out.loss().mul(scope.create(0.5)));
          djlLoss += out.loss().getDouble();
          djlCorrect += out.correct().getLong();
        }
      }
      Map<String, double[]> djlGrads = takeGradients(params);

      MlmProgram source = new MlmProgram(a, MlmProgram.Precision.FP32, List.copyOf(params.keySet()),
          List.copyOf(model.buffers().keySet()));
      NDArray stats = m.zeros(new Shape(5), DataType.FLOAT32);
      try (ScriptModule program = ScriptModule.compile(m, MlmProgram.CLASS_NAME, source.source());
          IValue p = ScriptArgs.list(params.values());
          IValue buf = ScriptArgs.list(model.buffers().values());
          IValue weight = IValue.from(0.5);
          IValue scale = ScriptArgs.tensor(m.ones(new Shape()));
          IValue st = ScriptArgs.tensor(stats)) {
        for (Batch b : List.of(b1, b2)) {
          try (NDManager scope = m.newSubManager();
              IValue ids = ScriptArgs.tensor(scope.create(CrammedBert.toLong(b.ids()), new Shape(ROWS, SEQ)));
              IValue pos = ScriptArgs.tensor(scope.create(CrammedBert.toLong(b.positions())));
              IValue lab = ScriptArgs.tensor(scope.create(CrammedBert.toLong(b.labels())));
              GradientLock.Scope gc = GradientLock.open();
              IValue out = program.call("micro_step", p, buf, ids, pos, lab, weight, scale, st)) {
            // gradients accumulate across the two calls
          }
        }
      }
      float[] s = stats.toFloatArray();
      assertEquals(djlLoss, s[0], 1e-6 * djlLoss, "summed loss");
      assertEquals(djlCorrect, s[1], "summed correct count");
      Map<String, double[]> grads = takeGradients(params);
      for (String name : djlGrads.keySet()) {
        assertClose(djlGrads.get(name), grads.get(name), name);
      }
    }
  }

  @Test
  void lowPrecisionProgramsCompileWithCastsAndFp32HasNone() {
    ArchConfig a = arch("crammed-bert", "");
    try (CrammedBert model = new CrammedBert(a, m, 4)) {
      List<String> names = List.copyOf(model.params().all().keySet());
      List<String> buffers = List.copyOf(model.buffers().keySet());
      String fp32 = new MlmProgram(a, MlmProgram.Precision.FP32, names, buffers).source();
      String bf16 = new MlmProgram(a, MlmProgram.Precision.BF16, names, buffers).source();
      String fp16 = new MlmProgram(a, MlmProgram.Precision.FP16, names, buffers).source();
      assertTrue(!fp32.contains("torch.to("), "fp32 casts nothing");
      assertTrue(bf16.contains(", 15)") && fp16.contains(", 5)"), "low-precision matmuls cast to bf16 / fp16");
      assertTrue(fp16.contains("scale"), "fp16 scales the loss");
      for (String src : List.of(bf16, fp16)) {
        ScriptModule.compile(m, MlmProgram.CLASS_NAME, src).close();
      }
    }
  }

  @Test
  void aMissingParameterIsNamed() {
    ArchConfig a = arch("crammed-bert", "");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new MlmProgram(a, MlmProgram.Precision.FP32, List.of("embedding.word.weight"), List.of()).source());
    assertTrue(e.getMessage().contains("embedding.position"), e.getMessage());
  }

  @Test
  void libtorchCompileErrorsNameTheProgram() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> ScriptModule.compile(m, "Broken",
        "class Broken(Module):\n  __parameters__ = []\n  __buffers__ = []\n  training : bool\n"
            + "  def f(self: __torch__.Broken, x: Tensor) -> Tensor:\n    return torch.no_such_op(x)\n"));
    assertTrue(e.getMessage().contains("Broken") && e.getMessage().contains("no_such_op"), e.getMessage());
  }

  /** Every parameter's gradient as doubles, then zeroed (handles closed). */
  private static Map<String, double[]> takeGradients(Map<String, NDArray> params) {
    Map<String, double[]> out = new LinkedHashMap<>();
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      try (NDArray g = JniUtils.getGradient((ai.djl.pytorch.engine.PtNDArray) e.getValue())) {
        assertTrue(g != null, "no gradient for " + e.getKey());
        out.put(e.getKey(), g.toType(DataType.FLOAT64, true).toDoubleArray());
        g.subi(g);
      }
    }
    return out;
  }

  private static void assertClose(double[] expected, double[] actual, String what) {
    assertEquals(expected.length, actual.length, what);
    double scale = 0;
    for (double v : expected) {
      scale = Math.max(scale, Math.abs(v));
    }
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], 1e-10 * Math.max(scale, 1e-6), what + "[" + i + "]");
    }
  }
}
