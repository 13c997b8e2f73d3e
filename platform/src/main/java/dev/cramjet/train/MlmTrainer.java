package dev.cramjet.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.cramjet.checkpoint.CheckpointState;
import dev.cramjet.checkpoint.Snapshot;
import dev.cramjet.checkpoint.Tensors;
import dev.cramjet.model.ArchConfig;
import dev.cramjet.model.CrammedBert;
import dev.cramjet.model.Fwd;
import java.util.List;
import java.util.Map;

/**
 * The model and its optimizer, and the optimizer step: forward and backward over each micro-batch (gradients
 * accumulate), global-norm clipping, then AdamW. It knows nothing about data, schedules or budgets: callers hand it
 * masked micro-batches and a learning rate. Not thread-safe; all calls on the one DJL thread.
 */
public final class MlmTrainer implements AutoCloseable {
  private final NDManager manager;
  private final CrammedBert model;
  private final AdamW optimizer;
  private final TrainConfig config;

  public MlmTrainer(ArchConfig arch, TrainConfig config, NDManager parent) {
    this.config = config;
    this.manager = parent.newSubManager();
    this.model = new CrammedBert(arch, manager, config.seed());
    this.optimizer = new AdamW(
        new AdamWConfig(config.lr(), config.beta1(), config.beta2(), config.eps(), config.weightDecay()),
        model.params().all(), manager);
  }

  public CrammedBert model() {
    return model;
  }

  public AdamW optimizer() {
    return optimizer;
  }

  /**
   * One optimizer step over {@code microBatches} at learning rate {@code lr}. The loss of each micro-batch is divided
   * by their number, so the accumulated gradient is that of the mean loss over the whole batch. A non-finite loss or
   * gradient norm skips the update (gradients are cleared) and is reported in the result.
   */
  public StepResult step(List<MaskedBatch> microBatches, double lr) {
    if (microBatches.isEmpty()) {
      throw new IllegalArgumentException("a step needs at least one micro-batch");
    }
    Map<String, NDArray> params = model.params().all();
    double lossSum = 0;
    long correct = 0;
    long predicted = 0;
    int rows = 0;
    for (MaskedBatch b : microBatches) {
      try (NDManager scope = manager.newSubManager();
          NDScope arrays = new NDScope()) {
        arrays.suppressNotUsedWarning();
        Fwd f = model.forwardContext(scope, true);
        CrammedBert.MlmOutput out;
        // The forward pass must run inside the collector: it switches libtorch's grad mode on for this thread. The
        // collector is opened through the process-wide gate, so an evaluation fine-tuning meanwhile takes turns.
        try (GradientLock.Scope gc = GradientLock.open()) {
          out = model.mlmLoss(b.rows(), b.seqLen(), b.inputIds(), b.maskedPositions(), b.labels(), f);
          gc.backward(out.loss().mul(f.scalar(1.0 / microBatches.size())));
        }
        lossSum += out.loss().getFloat();
        correct += out.correct().getLong();
        predicted += out.predicted();
        rows += b.rows();
      }
    }
    double loss = lossSum / microBatches.size();
    // clip-norm 0 means no clipping; the norm is still measured for the logs.
    double norm = GradClip.clipGlobalNorm(params.values(), config.clipNorm() > 0 ? config.clipNorm() : Double.MAX_VALUE);
    boolean skipped = !Double.isFinite(loss) || !Double.isFinite(norm);
    if (skipped) {
      AdamW.zeroGradients(params.values());
    } else {
      optimizer.step(params, lr);
    }
    return new StepResult(loss, predicted == 0 ? 0 : (double) correct / predicted, norm, rows, skipped);
  }

  /** Host copies of parameters and optimizer moments, with {@code state} describing the rest. */
  public Snapshot snapshot(CheckpointState state) {
    return new Snapshot(state, Tensors.toHost(model.params().all()), Tensors.toHost(optimizer.exportState()));
  }

  /** Loads parameters and optimizer state from {@code s}; {@code what} names the source in errors. */
  public void restore(Snapshot s, String what) {
    Tensors.copyInto(model.params().all(), s.params(), what + "/model.safetensors");
    java.util.Map<String, float[]> moments = new java.util.LinkedHashMap<>();
    s.optimizer().forEach((k, v) -> moments.put(k, v.toFloats()));
    optimizer.importStateArrays(moments, s.state().step());
  }

  @Override
  public void close() {
    optimizer.close();
    model.close();
    manager.close();
  }

  /**
   * @param loss mean MLM loss over the micro-batches (before the update)
   * @param accuracy share of masked tokens predicted right
   * @param gradNorm global gradient L2 norm before clipping
   * @param rows rows in the batch
   * @param skipped true when the loss or gradient was not finite and no update was made
   */
  public record StepResult(double loss, double accuracy, double gradNorm, int rows, boolean skipped) {}
}
