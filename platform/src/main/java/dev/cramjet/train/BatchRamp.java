package dev.cramjet.train;

import dev.cramjet.util.BadInputException;

/**
 * The batch-size ramp, in whole micro-batches accumulated per optimizer step. With target batch B rows, micro-batch m
 * and ramp fraction r (0.6 in the recipe), the number of micro-batches at budget fraction t rises linearly from 1 at
 * t = 0 and reaches B/m exactly at t = r, never before (it is rounded down in between), then stays at B/m.
 *
 * <p>It only counts; the trainer does the accumulating (one backward per micro-batch, one optimizer step per
 * {@link #microBatchesAt(double)}).
 *
 * @param targetRows target batch B, a positive multiple of {@code microBatchRows}
 * @param microBatchRows micro-batch m, the rows per forward/backward
 * @param rampFraction r in [0, 1]: budget fraction at which the target is reached (0 means no ramp)
 */
public record BatchRamp(int targetRows, int microBatchRows, double rampFraction) {
  public BatchRamp {
    if (microBatchRows <= 0) {
      throw new BadInputException("micro-batch must be a positive number of rows, got " + microBatchRows);
    }
    if (targetRows <= 0 || targetRows % microBatchRows != 0) {
      throw new BadInputException(
          "batch size must be a positive multiple of the micro-batch " + microBatchRows + ", got " + targetRows);
    }
    if (!(rampFraction >= 0 && rampFraction <= 1)) {
      throw new BadInputException("batch ramp fraction must be in [0, 1], got " + rampFraction);
    }
  }

  /** B / m: micro-batches per step once the ramp is over. */
  public int targetMicroBatches() {
    return targetRows / microBatchRows;
  }

  /** Micro-batches to accumulate for the optimizer step taken at budget fraction t (clamped to [0, 1]). */
  public int microBatchesAt(double t) {
    int target = targetMicroBatches();
    if (Double.isNaN(t)) {
      throw new IllegalArgumentException("budget fraction t is NaN");
    }
    if (t >= rampFraction) {
      return target;
    }
    if (t <= 0) {
      return 1;
    }
    // 1 + floor((n - 1) t / r); the min keeps rounding from reaching n before t = r (n = 1 never ramps).
    int ramped = 1 + (int) Math.floor((target - 1) * t / rampFraction);
    return Math.max(1, Math.min(ramped, target - 1));
  }

  /** Rows per optimizer step at budget fraction t: {@code microBatchesAt(t) * microBatchRows}. */
  public int rowsAt(double t) {
    return microBatchesAt(t) * microBatchRows;
  }
}
