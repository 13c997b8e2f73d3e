package dev.cramjet.train;

import dev.cramjet.budget.Budget;
import dev.cramjet.model.ArchConfig;
import java.nio.file.Path;
import java.util.List;

/**
 * Receives what a training loop reports: once at the start, one {@link StepRecord} per optimizer step, each
 * checkpoint, and messages worth a line (skipped steps, roll-backs, crash leftovers removed). Both loops, the
 * foreground {@link PretrainRun} and the actor runtime's trainer, report through it via the {@link StepLedger}; the
 * metrics, the step log ({@link StepLogWriter}), the status board and the CLI's progress implement it.
 *
 * <p>Calls come on the training thread, between steps: implementations must be quick and must not throw for a
 * reporting problem that should not end the run.
 */
public interface StepListener {
  /** A listener that ignores everything. */
  StepListener NONE = new StepListener() {};

  /** What is being trained, once when the loop starts. */
  default void onStart(StartInfo info) {}

  /** Every optimizer step, skipped ones included. */
  default void onStep(StepRecord step) {}

  /** A checkpoint was written. */
  default void onCheckpoint(Path folder, double seconds, long bytes) {}

  /** A checkpoint could not be written; {@code error} names the step, the folder and the cause. */
  default void onCheckpointFailed(String error) {}

  default void onMessage(String message) {}

  /** Tells each of {@code listeners} every event, in order. */
  static StepListener all(StepListener... listeners) {
    List<StepListener> ls = List.of(listeners);
    return new StepListener() {
      @Override
      public void onStart(StartInfo info) {
        ls.forEach(l -> l.onStart(info));
      }

      @Override
      public void onStep(StepRecord step) {
        ls.forEach(l -> l.onStep(step));
      }

      @Override
      public void onCheckpoint(Path folder, double seconds, long bytes) {
        ls.forEach(l -> l.onCheckpoint(folder, seconds, bytes));
      }

      @Override
      public void onCheckpointFailed(String error) {
        ls.forEach(l -> l.onCheckpointFailed(error));
      }

      @Override
      public void onMessage(String message) {
        ls.forEach(l -> l.onMessage(message));
      }
    };
  }

  /** What is being trained, reported once at the start. */
  record StartInfo(ArchConfig arch, long params, long nonEmbeddingParams, double flopsPerToken, double peakFlops,
      String peakSource, String precision, Budget budget, int microBatch, int batchSize, long resumedStep) {}
}
