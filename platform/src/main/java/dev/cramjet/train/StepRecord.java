package dev.cramjet.train;

/**
 * One optimizer step as the {@link StepLedger} counted it: the one record that every sink of a step reads (metrics,
 * {@code metrics.jsonl}, the status board, the CLI's progress). Totals count from the start of the run's history (a
 * resumed run continues its checkpoint's totals); the rest describes this step. NaN loss and gradient norm are what a
 * skipped, non-finite step produced.
 *
 * @param step optimizer steps taken in total, this one included
 * @param rows training rows consumed in total
 * @param tokens training tokens consumed in total
 * @param loss the step's masked-language-model loss
 * @param accuracy the step's accuracy on masked positions, in [0, 1]
 * @param lr the step's learning rate
 * @param batchRows rows in the step's batch (grows with the batch ramp)
 * @param gradNorm global gradient norm before clipping
 * @param skipped whether the update was skipped (a non-finite loss or gradient, or an fp16 overflow)
 * @param skippedSteps non-finite steps skipped over the run so far (fp16 overflows not included), this process
 * @param rollbacks roll-backs to a checkpoint after too many non-finite steps in a row, this process
 * @param overflowSteps fp16 steps skipped for overflowed gradients, this process
 * @param lossScale the fp16 loss scale the step used (1 without fp16)
 * @param stepSeconds how long this step's forward, backward and update took
 * @param tokensPerSecond training throughput since the last logged step, this step included (wall time)
 * @param mfu model FLOPs utilisation over the same window, in [0, 1]; NaN when no peak is known
 * @param budgetFraction the budget fraction t in [0, 1] after the step
 * @param budgetElapsedSeconds training seconds counted by the budget clock (pauses and warm-up excluded)
 * @param budgetRemainingSeconds seconds left: exact for a time budget, extrapolated for step and token budgets
 * @param logged whether this step is a logged one: every {@code train.log-every} steps and the step that spent the
 *     budget (the lines of {@code metrics.jsonl})
 */
public record StepRecord(long step, long rows, long tokens, double loss, double accuracy, double lr, int batchRows,
    double gradNorm, boolean skipped, long skippedSteps, long rollbacks, long overflowSteps, double lossScale,
    double stepSeconds, double tokensPerSecond, double mfu, double budgetFraction, double budgetElapsedSeconds,
    double budgetRemainingSeconds, boolean logged) {

  /** Before the first step of a fresh run: zero totals, nothing measured. */
  public static final StepRecord NONE = new StepRecord(0, 0, 0, Double.NaN, Double.NaN, 0, 0, Double.NaN, false, 0, 0,
      0, 1, 0, Double.NaN, Double.NaN, 0, 0, Double.NaN, false);
}
