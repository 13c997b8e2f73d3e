package dev.cramjet.cli;

import dev.cramjet.eval.FineTuner;
import dev.cramjet.eval.TaskRunner;
import dev.cramjet.eval.TaskSpec;
import java.util.Locale;

/**
 * Fine-tuning progress for {@code glue} and {@code demo}: a line per task read, per epoch and per task scored, and
 * the shared progress bar within each epoch.
 */
final class FineTuneProgress implements TaskRunner.Listener {
  private final Progress progress;
  private final String label;
  private final long start = System.nanoTime();

  /** @param label what is being fine-tuned (e.g. "pretrained"), prefixed to every line; empty for none */
  FineTuneProgress(Progress progress, String label) {
    this.progress = progress;
    this.label = label.isEmpty() ? "" : label + ": ";
  }

  @Override
  public void onTaskRead(TaskSpec task, int train, int dev, int skipped, String firstProblem) {
    progress.line(String.format(Locale.ROOT, "%s%s: %d train, %d dev examples%s", label, task.name(), train, dev,
        skipped == 0 ? "" : ", " + skipped + " malformed rows skipped (first: " + firstProblem + ")"));
  }

  @Override
  public void onBatch(String task, long seed, int epoch, int done, int total) {
    progress.update(total == 0 ? 0 : done / (double) total,
        String.format(Locale.ROOT, "%s%s seed %d: epoch %d, %d/%d examples", label, task, seed, epoch, done, total));
  }

  @Override
  public void onEpoch(String task, long seed, int epoch, int epochs, double loss, double examplesPerSecond) {
    progress.line(String.format(Locale.ROOT, "%s%s seed %d: epoch %d/%d, loss %.4f, %.1f examples/s, %.0f s elapsed",
        label, task, seed, epoch, epochs, loss, examplesPerSecond, (System.nanoTime() - start) / 1e9));
  }

  @Override
  public void onTaskDone(FineTuner.Result r) {
    StringBuilder sb = new StringBuilder();
    r.scores().forEach((dev, m) -> m.forEach((metric, v) ->
        sb.append(String.format(Locale.ROOT, " %s %s %.1f", dev, metric.key(), 100 * v))));
    progress.line(String.format(Locale.ROOT, "%s%s seed %d:%s", label, r.task(), r.seed(), sb));
  }
}
