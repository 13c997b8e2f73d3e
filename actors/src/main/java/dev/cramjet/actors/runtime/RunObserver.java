package dev.cramjet.actors.runtime;

import dev.cramjet.metrics.CramjetMetrics;

/**
 * What the data pipeline and the evaluator of a run report as it happens, for metrics. Each method is called by the
 * one actor that knows the number (the trainer, the assembler, the loaders, the evaluator), on that actor's thread, so
 * implementations must be thread-safe and quick. Steps and checkpoints are not here: they reach the metrics through
 * the trainer's {@link dev.cramjet.train.StepListener}. The default methods do nothing; {@link #NONE} ignores
 * everything.
 */
public interface RunObserver {
  RunObserver NONE = new RunObserver() {};

  /** The trainer waited this long for the batches of a step. */
  default void onDataWait(double seconds) {}

  /** Micro-batches ready for the trainer (its buffer plus the assembler's ready queue, as each sees it). */
  default void onQueueDepth(int microBatches) {}

  default void onPaused(boolean paused) {}

  /** Rows a loader (local or remote) delivered to the assembler. */
  default void onLoaderRows(long rows) {}

  /** Raw-text tokenization work: UTF-8 bytes in, tokens out. */
  default void onTokenized(long bytes, long tokens) {}

  /** An evaluation score: {@code task} and {@code split} are short fixed names (they become label values). */
  default void onEvaluation(String task, String split, double score) {}

  /** Feeds {@link CramjetMetrics}. */
  static RunObserver of(CramjetMetrics m) {
    return new RunObserver() {
      @Override
      public void onDataWait(double seconds) {
        m.recordDataWait(seconds);
      }

      @Override
      public void onQueueDepth(int microBatches) {
        m.setPrefetchQueueDepth(microBatches);
      }

      @Override
      public void onPaused(boolean paused) {
        m.setPaused(paused);
      }

      @Override
      public void onLoaderRows(long rows) {
        m.addLoaderRows(rows);
      }

      @Override
      public void onTokenized(long bytes, long tokens) {
        m.addTokenized(bytes, tokens);
      }

      @Override
      public void onEvaluation(String task, String split, double score) {
        if (Double.isFinite(score)) {
          m.setEvalScore(task, split, score);
        }
      }
    };
  }
}
