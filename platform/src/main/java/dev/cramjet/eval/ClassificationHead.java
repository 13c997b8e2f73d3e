package dev.cramjet.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.cramjet.model.Fwd;
import dev.cramjet.model.Params;

/**
 * The fine-tuning head of RECIPE.md: the first token's state (after the encoder's final norm) through
 * Linear(hidden -> width), tanh, dropout, Linear(width -> outputs). One fresh head per task and seed; its parameters
 * ({@code classifier.dense.weight}, {@code classifier.dense.bias}, {@code classifier.out.weight}, {@code
 * classifier.out.bias}) live in their own {@link Params}, beside the encoder's. It does not compute a loss.
 */
public final class ClassificationHead implements AutoCloseable {
  private final Params params;
  private final NDArray denseWeight; // (W, H)
  private final NDArray denseBias; // (W)
  private final NDArray outWeight; // (C, W)
  private final NDArray outBias; // (C)

  public ClassificationHead(NDManager parent, int hidden, int width, int outputs, double initStd, long seed) {
    this.params = new Params(parent.newSubManager(), DataType.FLOAT32, seed);
    denseWeight = params.normal("classifier.dense.weight", new Shape(width, hidden), initStd);
    denseBias = params.constant("classifier.dense.bias", new Shape(width), 0);
    outWeight = params.normal("classifier.out.weight", new Shape(outputs, width), initStd);
    outBias = params.constant("classifier.out.bias", new Shape(outputs), 0);
  }

  public Params params() {
    return params;
  }

  /** states (B, T, H) -> outputs (B, C): class logits, or (B, 1) regression values. */
  public NDArray forward(NDArray states, Fwd f) {
    NDArray first = states.get(new NDIndex(":, 0, :")); // (B, H): the [CLS] position
    NDArray h = Linear.linear(first, denseWeight, denseBias).singletonOrThrow().tanh(); // (B, W)
    return Linear.linear(f.dropout(h), outWeight, outBias).singletonOrThrow(); // (B, C)
  }

  @Override
  public void close() {
    params.close();
  }
}
