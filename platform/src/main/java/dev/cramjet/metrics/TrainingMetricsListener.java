package dev.cramjet.metrics;

import dev.cramjet.budget.Budget;
import dev.cramjet.train.PretrainRun;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Feeds {@link CramjetMetrics} from a foreground {@link PretrainRun} and passes every event on to the next listener
 * (the CLI's printer), so adding metrics to a run is one wrapper. Runs on the trainer thread; it only copies numbers
 * the run has already computed into a new {@link TrainingSnapshot}, plus a walk of each new checkpoint folder to
 * measure its size.
 *
 * <p>The foreground loop reports only logged steps, so step durations are the mean over each logging window,
 * observed once per step in it; the data-pipeline metrics stay at 0 here because reading rows is part of the step.
 */
public final class TrainingMetricsListener implements PretrainRun.Listener {
  private final CramjetMetrics metrics;
  private final int seqLen;
  private final PretrainRun.Listener next;
  private Budget budget;
  private long lastStep;
  private long windowStart;

  /**
   * @param seqLen tokens per training row, to turn token totals into row totals
   * @param next the listener that receives every event after the metrics are recorded
   */
  public TrainingMetricsListener(CramjetMetrics metrics, int seqLen, PretrainRun.Listener next) {
    if (seqLen <= 0) {
      throw new IllegalArgumentException("sequence length must be positive, got " + seqLen);
    }
    this.metrics = metrics;
    this.seqLen = seqLen;
    this.next = next;
  }

  @Override
  public void onStart(PretrainRun.StartInfo info) {
    budget = info.budget();
    lastStep = info.resumedStep();
    windowStart = System.nanoTime();
    next.onStart(info);
  }

  @Override
  public void onStep(PretrainRun.StepLog l) {
    long now = System.nanoTime();
    long steps = l.step() - lastStep;
    if (steps > 0) {
      metrics.observeSteps(steps, (now - windowStart) / 1e9 / steps);
    }
    lastStep = l.step();
    windowStart = now;
    double remaining = budget == null ? Double.NaN
        : TrainingSnapshot.remainingSeconds(budget, l.elapsedSeconds(), l.t());
    metrics.publish(new TrainingSnapshot(l.step(), l.tokens() / seqLen, l.tokens(), l.loss(), l.accuracy(), l.lr(),
        l.batchRows(), l.gradNorm(), l.tokensPerSecond(), l.mfu(), l.elapsedSeconds(), remaining, l.t(),
        l.overflowSteps(), l.lossScale()));
    next.onStep(l);
  }

  @Override
  public void onCheckpoint(Path folder, double seconds) {
    metrics.recordCheckpoint(seconds, sizeOf(folder));
    next.onCheckpoint(folder, seconds);
  }

  @Override
  public void onMessage(String message) {
    next.onMessage(message);
  }

  /** Bytes of all regular files under {@code folder} (0 when they cannot be read). */
  static long sizeOf(Path folder) {
    try {
      return dev.cramjet.checkpoint.CheckpointStore.sizeOf(folder);
    } catch (IOException | UncheckedIOException e) {
      return 0; // the checkpoint was written; a size we cannot read must not fail the run
    }
  }
}
