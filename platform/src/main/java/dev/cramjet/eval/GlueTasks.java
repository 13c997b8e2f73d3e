package dev.cramjet.eval;

import dev.cramjet.util.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The GLUE tasks in the official download's folder layout ({@code CoLA/}, {@code SST-2/}, {@code MRPC/}, {@code
 * STS-B/}, {@code QQP/}, {@code MNLI/}, {@code QNLI/}, {@code RTE/}, {@code WNLI/}, each with {@code train.tsv} and
 * {@code dev.tsv}; MNLI with {@code dev_matched.tsv} and {@code dev_mismatched.tsv}), and the discovery of a data
 * folder's tasks: a GLUE folder, or a stand-in suite whose task folders each hold a {@code task.json}.
 */
public final class GlueTasks {
  private GlueTasks() {}

  private static final List<String> BINARY = List.of("0", "1");
  private static final List<String> NLI = List.of("entailment", "not_entailment");

  /** The GLUE tasks under {@code root}, in report order; WNLI last (left out by default, as in the paper). */
  public static List<TaskSpec> all(Path root) {
    return List.of(
        single("CoLA", root, TsvLayout.COLA, BINARY, List.of(Metric.MCC)),
        single("SST-2", root, TsvLayout.SST2, BINARY, List.of(Metric.ACCURACY)),
        single("MRPC", root, TsvLayout.MRPC, BINARY, List.of(Metric.F1, Metric.ACCURACY)),
        single("STS-B", root, TsvLayout.STSB, List.of(), List.of(Metric.PEARSON, Metric.SPEARMAN)),
        single("QQP", root, TsvLayout.QQP, BINARY, List.of(Metric.F1, Metric.ACCURACY)),
        new TaskSpec("MNLI", root.resolve("MNLI"), TsvLayout.MNLI, List.of("entailment", "neutral", "contradiction"),
            List.of(Metric.ACCURACY), "train.tsv",
            orderedMap("MNLI-m", "dev_matched.tsv", "MNLI-mm", "dev_mismatched.tsv")),
        single("QNLI", root, TsvLayout.QNLI, NLI, List.of(Metric.ACCURACY)),
        single("RTE", root, TsvLayout.RTE, NLI, List.of(Metric.ACCURACY)),
        single("WNLI", root, TsvLayout.WNLI, BINARY, List.of(Metric.ACCURACY)));
  }

  private static TaskSpec single(String name, Path root, TsvLayout layout, List<String> labels, List<Metric> metrics) {
    return new TaskSpec(name, root.resolve(name), layout, labels, metrics, "train.tsv", Map.of(name, "dev.tsv"));
  }

  private static Map<String, String> orderedMap(String k1, String v1, String k2, String v2) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(k1, v1);
    m.put(k2, v2);
    return m;
  }

  /** True when {@code dir} is a stand-in suite (some sub-folder holds a {@code task.json}). */
  public static boolean isSuite(Path dir) throws IOException {
    return !suiteFolders(dir).isEmpty();
  }

  /**
   * The tasks of the data folder {@code dir}, filtered by {@code wanted} (names, case and hyphens ignored; empty means
   * every task present, WNLI excepted). A wanted task that is not there is an error naming what is.
   */
  public static List<TaskSpec> discover(Path dir, List<String> wanted) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new BadInputException("--data " + dir + ": not a folder");
    }
    List<TaskSpec> available = new ArrayList<>();
    List<Path> suite = suiteFolders(dir);
    if (!suite.isEmpty()) {
      for (Path folder : suite) {
        available.add(TaskSpec.load(folder));
      }
    } else {
      for (TaskSpec t : all(dir)) {
        if (Files.isRegularFile(t.folder().resolve(t.train()))) {
          available.add(t);
        }
      }
    }
    if (available.isEmpty()) {
      throw new BadInputException(dir + ": no tasks found; expected the GLUE layout (CoLA/train.tsv, SST-2/train.tsv,"
          + " ...) or a suite whose task folders hold " + TaskSpec.TASK_FILE);
    }
    if (wanted.isEmpty()) {
      return available.stream().filter(t -> !suite.isEmpty() || !t.name().equals("WNLI")).toList();
    }
    List<TaskSpec> out = new ArrayList<>();
    for (String w : wanted) {
      TaskSpec match = available.stream().filter(t -> key(t.name()).equals(key(w))).findFirst()
          .orElseThrow(() -> new BadInputException("--tasks: no task '" + w + "' under " + dir + "; found "
              + available.stream().map(TaskSpec::name).toList()));
      out.add(match);
    }
    return out;
  }

  private static String key(String name) {
    return name.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
  }

  private static List<Path> suiteFolders(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> Files.isRegularFile(p.resolve(TaskSpec.TASK_FILE))).sorted().toList();
    }
  }
}
