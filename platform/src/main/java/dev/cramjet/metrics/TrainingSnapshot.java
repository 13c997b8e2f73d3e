package dev.cramjet.metrics;

import dev.cramjet.budget.Budget;

/**
 * The training numbers at one logged optimizer step, published as a whole so that a scrape sees one consistent step
 * and never reads live training state. Totals count from the start of the run's history (a resumed run continues its
 * checkpoint's totals); the other fields describe the latest logged step. {@code NaN} means "not known" except for
 * loss and gradient norm, where NaN is what the step produced (a skipped, non-finite step).
 *
 * @param steps optimizer steps taken in total
 * @param rows training rows consumed in total
 * @param tokens training tokens consumed in total
 * @param loss the step's masked-language-model loss
 * @param accuracy the step's accuracy on masked positions, in [0, 1]
 * @param learningRate the step's learning rate
 * @param batchRows rows in the step's batch (grows with the batch ramp)
 * @param gradNorm global gradient norm before clipping
 * @param tokensPerSecond training throughput over the last logging window
 * @param mfu model FLOPs utilisation over the last logging window, in [0, 1]; NaN when no peak is known
 * @param budgetElapsedSeconds training seconds counted by the budget clock (pauses excluded)
 * @param budgetRemainingSeconds seconds left: exact for a time budget, extrapolated for step and token budgets
 * @param budgetFraction the budget fraction t in [0, 1]
 * @param overflowSteps fp16 steps skipped for overflowed gradients (the loss scale was halved), this process
 * @param lossScale the fp16 loss scale of the step (1 without fp16)
 */
public record TrainingSnapshot(long steps, long rows, long tokens, double loss, double accuracy, double learningRate,
    int batchRows, double gradNorm, double tokensPerSecond, double mfu, double budgetElapsedSeconds,
    double budgetRemainingSeconds, double budgetFraction, long overflowSteps, double lossScale) {

  /**
   * Seconds of training left. A time budget knows it exactly; for step and token budgets the elapsed time is
   * extrapolated at the pace so far, which is NaN before any progress.
   */
  public static double remainingSeconds(Budget budget, double elapsedSeconds, double fraction) {
    if (budget.kind() == Budget.Kind.SECONDS) {
      return Math.max(0, budget.amount() - elapsedSeconds);
    }
    if (!(fraction > 0)) {
      return Double.NaN;
    }
    return Math.max(0, elapsedSeconds * (1 - fraction) / fraction);
  }
}
