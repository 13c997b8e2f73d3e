package dev.cramjet.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each block's gradients, and the whole model's, against central finite differences in float64. */
class GradientCheckTest {
  private NDManager m;
  private Params p;
  private final SplittableRandom rng = new SplittableRandom(11);

  @BeforeEach
  void setUp() {
    m = NDManager.newBaseManager("PyTorch");
    p = new Params(m.newSubManager(), DataType.FLOAT64, 3);
  }

  @AfterEach
  void tearDown() {
    m.close();
  }

  /** A random input (B=2, T=3, H=8) that is itself checked as a differentiable leaf. */
  private NDArray input() {
    double[] v = rng.doubles(2 * 3 * 8, -1, 1).toArray();
    NDArray x = m.create(v, new Shape(2, 3, 8));
    x.setRequiresGradient(true);
    return x;
  }

  /** Loss = sum(out * R) with a fixed random R, so every output element matters with a different weight. */
  private void checkBlock(NDArray x, Function<Fwd, NDArray> block) {
    double[] r = rng.doubles(2 * 3 * 8, -1, 1).toArray();
    Map<String, NDArray> wrt = new LinkedHashMap<>(p.all());
    wrt.put("input", x);
    GradCheck.check(m, wrt, scope -> {
      Fwd f = new Fwd(scope, false, 0f, DataType.FLOAT64);
      NDArray out = block.apply(f);
      return out.mul(scope.create(r, out.getShape())).sum();
    }, 4);
  }

  @Test
  void linearWithBias() {
    Linear l = new Linear(p, "l", 8, 8, true, 0.5);
    NDArray x = input();
    checkBlock(x, f -> l.forward(x));
  }

  @Test
  void layerNorm() {
    LayerNorm ln = new LayerNorm(p, "ln", 8, 1e-12);
    NDArray x = input();
    checkBlock(x, f -> ln.forward(x));
  }

  @Test
  void attention() {
    Attention att = new Attention(p, "att", TestArchs.small("crammed-bert"));
    NDArray x = input();
    checkBlock(x, f -> att.forward(x, null, f));
  }

  @ValueSource(strings = {"crammed-bert", "bert-original"})
  @ParameterizedTest
  void feedForwardGluAndGelu(String preset) {
    FeedForward ffn = new FeedForward(p, "ffn", TestArchs.small(preset));
    NDArray x = input();
    checkBlock(x, f -> ffn.forward(x));
  }

  @ValueSource(strings = {"crammed-bert", "bert-original"})
  @ParameterizedTest
  void encoderLayerPreAndPostNorm(String preset) {
    EncoderLayer layer = new EncoderLayer(p, "layer", TestArchs.small(preset));
    NDArray x = input();
    checkBlock(x, f -> layer.forward(x, null, f));
  }

  @ValueSource(strings = {"crammed-bert", "bert-original", "crammed-bert-simple"})
  @ParameterizedTest
  void wholeModelMlmLoss(String preset) {
    try (CrammedBert model = new CrammedBert(TestArchs.small(preset), m, 5, DataType.FLOAT64)) {
      int[] ids = rng.ints(2 * 6, 5, 16).toArray();
      int[] positions = {1, 4, 7, 9};
      int[] labels = rng.ints(4, 5, 16).toArray();
      GradCheck.check(m, model.params().all(),
          scope -> model.mlmLoss(2, 6, ids, positions, labels, model.evalContext(scope)).loss(), 3);
    }
  }
}
