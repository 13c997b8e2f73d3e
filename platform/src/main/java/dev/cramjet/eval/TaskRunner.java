package dev.cramjet.eval;

import dev.cramjet.checkpoint.SafeTensors.Tensor;
import dev.cramjet.model.ArchConfig;
import dev.cramjet.text.TextEncoder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a set of tasks under one protocol for each of several seeds and builds the {@link GlueReport}: reads each
 * task's files, fine-tunes from the same pretrained weights for every (task, seed), and scores the dev sets. The CLI's
 * {@code glue} command and the evaluator actor both call it. Not thread-safe: call it on the one DJL thread.
 */
public final class TaskRunner {
  /** Progress: the fine-tuner's epochs, plus one call when a task's files are read. */
  public interface Listener extends FineTuner.Listener {
    default void onTaskRead(TaskSpec task, int train, int dev, int skipped, String firstProblem) {}

    default void onTaskDone(FineTuner.Result result) {}
  }

  /**
   * @param title the report's title; say "GLUE" only for the real GLUE tasks
   * @param source what the weights are, for the report
   * @param pretrained encoder weights by name, or null for the random-init baseline
   * @param skipBad skip malformed rows (counted in the report) instead of failing
   */
  public static GlueReport run(String title, String source, ArchConfig arch, Map<String, Tensor> pretrained,
      TextEncoder tokenizer, FinetuneConfig config, List<TaskSpec> tasks, List<Long> seeds, boolean skipBad,
      Listener listener) throws IOException {
    FineTuner tuner = new FineTuner(arch, pretrained, config, tokenizer, 64);
    List<FineTuner.Result> results = new ArrayList<>();
    Map<String, Integer> devSizes = new LinkedHashMap<>();
    Map<String, Integer> skipped = new LinkedHashMap<>();
    for (TaskSpec task : tasks) {
      TsvReader.Result train = TsvReader.read(task.folder().resolve(task.train()), task, skipBad);
      if (train.examples().isEmpty()) {
        throw new dev.cramjet.util.BadInputException(task.folder().resolve(task.train()) + ": no examples"
            + (train.skipped() > 0 ? " (" + train.skipped() + " malformed rows skipped; the first: "
            + train.firstProblem() + ")" : "; expected a header and rows of task " + task.name()));
      }
      int skippedRows = train.skipped();
      String firstProblem = train.firstProblem();
      Map<String, List<Example>> dev = new LinkedHashMap<>();
      for (Map.Entry<String, String> d : task.dev().entrySet()) {
        TsvReader.Result r = TsvReader.read(task.folder().resolve(d.getValue()), task, skipBad);
        dev.put(d.getKey(), r.examples());
        devSizes.put(d.getKey(), r.examples().size());
        skippedRows += r.skipped();
        firstProblem = firstProblem != null ? firstProblem : r.firstProblem();
        if (r.examples().isEmpty()) {
          throw new dev.cramjet.util.BadInputException(task.folder().resolve(d.getValue()) + ": no examples"
              + (r.skipped() > 0 ? " (" + r.skipped() + " malformed rows skipped; the first: " + r.firstProblem()
              + ")" : "; expected a header and rows of task " + task.name()));
        }
      }
      skipped.put(task.name(), skippedRows);
      listener.onTaskRead(task, train.examples().size(), dev.values().stream().mapToInt(List::size).sum(),
          skippedRows, firstProblem);
      for (long seed : seeds) {
        FineTuner.Result r = tuner.run(task, train.examples(), dev, seed, listener);
        results.add(r);
        listener.onTaskDone(r);
      }
    }
    return GlueReport.of(title, source, config.name(), seeds, results, devSizes, skipped);
  }

  private TaskRunner() {}
}
