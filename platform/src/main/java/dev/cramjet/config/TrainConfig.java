package dev.cramjet.config;

import dev.cramjet.budget.Budget;
import dev.cramjet.budget.LrSchedule;
import dev.cramjet.util.BadInputException;
import java.util.Objects;
import java.util.Optional;

/**
 * A pretraining recipe: budget, batch sizes, optimizer, schedule and masking. Presets live in {@code
 * configs/train/*.conf}; {@code bert-o4} is the paper's 24-hour recipe.
 *
 * <p>The budget, the checkpoint period and the schedule are written as text and bound once, by {@link ConfigBinder},
 * into their typed forms; a bad one is refused there with the key named. {@link RunConfig#render()} writes the text as
 * it was given, not these values.
 *
 * @param budget how long to train: wall-clock ("24h", "10m", "90s"), optimizer steps ("500steps") or tokens
 *     ("2000000tokens"); the schedule's fraction t is measured in the same unit
 * @param microBatch rows per forward/backward pass
 * @param batchSize rows per optimizer step once the ramp is done; a multiple of {@code microBatch}
 * @param rampFraction budget fraction over which the batch size ramps up to {@code batchSize} (0 = no ramp)
 * @param schedule learning-rate curve, written by name (budget-triangle, budget-cosine, ...), driven by t
 * @param warmup budget fraction of linear warmup in front of the schedule (0 = none)
 * @param clipNorm global L2 gradient-norm limit (0 = no clipping)
 * @param maskRate fraction of each row masked for MLM; round(maskRate * seqLen) positions per row
 * @param seed seeds initialisation and masking
 * @param checkpointEvery how often to checkpoint, in its own units ("30m", "1000steps"); empty, written "0" or
 *     "none", checkpoints only at the end (see {@link #checkpointPeriod(String)})
 * @param keepCheckpoints how many checkpoints to keep on disk
 * @param logEvery log a line every this many optimizer steps
 * @param maxBadSteps non-finite losses in a row that are skipped before the run rolls back to its last checkpoint
 */
public record TrainConfig(
    String name,
    Budget budget,
    int microBatch,
    int batchSize,
    double rampFraction,
    double lr,
    double beta1,
    double beta2,
    double eps,
    double weightDecay,
    double clipNorm,
    LrSchedule.Curve schedule,
    double warmup,
    double maskRate,
    long seed,
    Precision precision,
    Optional<Budget> checkpointEvery,
    int keepCheckpoints,
    int logEvery,
    int maxBadSteps) {

  /**
   * Numeric type of the matrix products in the forward and backward passes; master weights, optimizer moments,
   * LayerNorm, softmax and the loss are always float32 (see {@code MlmProgram} in {@code dev.cramjet.jit}). {@code auto}
   * is bf16 where the device has it natively and fp32 elsewhere (the trainer's {@code Hardware.resolve}); fp16 adds
   * dynamic loss scaling.
   */
  public enum Precision {
    FP32,
    BF16,
    FP16,
    AUTO
  }

  public TrainConfig {
    Objects.requireNonNull(budget, "budget");
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(checkpointEvery, "checkpoint-every");
    if (!(warmup >= 0 && warmup < 1)) {
      throw new IllegalArgumentException("warmup must be in [0, 1), got " + warmup);
    }
    if (microBatch <= 0) {
      throw new IllegalArgumentException("micro-batch must be > 0, got " + microBatch);
    }
    if (batchSize < microBatch || batchSize % microBatch != 0) {
      throw new IllegalArgumentException(
          "batch-size (" + batchSize + ") must be a positive multiple of micro-batch (" + microBatch + ")");
    }
    if (!(rampFraction >= 0 && rampFraction <= 1)) {
      throw new IllegalArgumentException("ramp-fraction must be in [0, 1], got " + rampFraction);
    }
    if (!(lr >= 0) || !Double.isFinite(lr)) {
      throw new IllegalArgumentException("lr must be a finite number >= 0, got " + lr);
    }
    // The optimizer's own limits (AdamWConfig), checked here so that the error names the config key.
    if (!(beta1 >= 0 && beta1 < 1)) {
      throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
    }
    if (!(beta2 >= 0 && beta2 < 1)) {
      throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
    }
    if (!(eps >= Float.MIN_NORMAL) || !Double.isFinite(eps)) {
      throw new IllegalArgumentException("eps must be a finite number of at least " + Float.MIN_NORMAL
          + " (the smallest normal float32), got " + eps);
    }
    if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
      throw new IllegalArgumentException("weight-decay must be a finite number >= 0, got " + weightDecay);
    }
    if (!(clipNorm >= 0) || !Double.isFinite(clipNorm)) {
      throw new IllegalArgumentException("clip-norm must be >= 0 (0 disables clipping), got " + clipNorm);
    }
    if (!(maskRate > 0 && maskRate < 1)) {
      throw new IllegalArgumentException("mask-rate must be in (0, 1), got " + maskRate);
    }
    if (keepCheckpoints < 1) {
      throw new IllegalArgumentException("keep-checkpoints must be >= 1, got " + keepCheckpoints);
    }
    if (logEvery < 1) {
      throw new IllegalArgumentException("log-every must be >= 1, got " + logEvery);
    }
    if (maxBadSteps < 1) {
      throw new IllegalArgumentException("max-bad-steps must be >= 1, got " + maxBadSteps);
    }
  }

  /** How an error about {@code checkpoint-every} follows the key: "train.checkpoint-every (or "0" ...): ...". */
  static final String CHECKPOINT_EVERY_HINT = " (or \"0\" for only at the end)";

  /**
   * The checkpoint period written {@code text}: a budget ("30m", "1000steps"), or empty for "0" and "none", which
   * checkpoint only at the end of the run.
   *
   * @throws BadInputException when it is neither
   */
  public static Optional<Budget> checkpointPeriod(String text) {
    String every = text.trim();
    return every.equals("0") || every.equals("none") ? Optional.empty() : Optional.of(Budget.parse(every));
  }

  /** The learning-rate schedule: the {@link #schedule} curve behind {@link #warmup} of linear warmup. */
  public LrSchedule lrSchedule() {
    return new LrSchedule(schedule, warmup);
  }

  /** Masked positions per row: round(maskRate * seqLen), 32 for 128 tokens at 25%. */
  public int maskedPerRow(int seqLen) {
    return (int) Math.round(maskRate * seqLen);
  }
}
