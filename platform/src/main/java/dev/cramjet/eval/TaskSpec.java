package dev.cramjet.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cramjet.util.AtomicFiles;
import dev.cramjet.util.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One fine-tuning task: where its files are, how to read them, its labels and its metrics. The GLUE tasks are
 * constants in {@link GlueTasks}; tasks of the offline stand-in suite describe themselves in a {@code task.json} beside
 * their TSV files (see {@link #load}), which is how a multi-class task in SST-2's file format gets its label list.
 *
 * @param name the task's name in reports and on the command line (e.g. "MNLI")
 * @param folder the folder holding its files
 * @param layout how its TSV files are laid out
 * @param labels the label strings as they appear in the files, in class-index order; empty for a regression task
 * @param metrics what is scored; the task's score is their mean (the GLUE leaderboard convention)
 * @param train the training file name
 * @param dev report name to dev file name, in report order (MNLI has two: MNLI-m and MNLI-mm)
 */
public record TaskSpec(String name, Path folder, TsvLayout layout, List<String> labels, List<Metric> metrics,
    String train, Map<String, String> dev) {
  /** The file describing a stand-in task. */
  public static final String TASK_FILE = "task.json";

  public TaskSpec {
    labels = List.copyOf(labels);
    metrics = List.copyOf(metrics);
    dev = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(dev));
    if (metrics.isEmpty() || dev.isEmpty()) {
      throw new IllegalArgumentException("task " + name + " needs at least one metric and one dev file");
    }
    boolean regression = labels.isEmpty();
    for (Metric m : metrics) {
      if (m.regression() != regression) {
        throw new IllegalArgumentException("task " + name + ": metric " + m.key() + " does not fit a "
            + (regression ? "regression task (no labels)" : "classification task"));
      }
    }
    if (!regression && labels.size() < 2) {
      throw new IllegalArgumentException("task " + name + " needs at least two labels");
    }
  }

  public boolean regression() {
    return labels.isEmpty();
  }

  /** Outputs of the classification head: the number of classes, or 1 for regression. */
  public int outputs() {
    return regression() ? 1 : labels.size();
  }

  /**
   * Reads a stand-in task's {@code task.json}:
   *
   * <pre>
   * {"name": "brown-genre", "format": "sst2", "labels": ["adventure", "belles_lettres", ...],
   *  "metrics": ["accuracy"], "train": "train.tsv", "dev": {"brown-genre": "dev.tsv"}}
   * </pre>
   *
   * {@code format} is a GLUE task's file layout; {@code labels} lists every label string (empty for regression).
   */
  public static TaskSpec load(Path folder) {
    Path file = folder.resolve(TASK_FILE);
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot read the task description: " + e.getMessage(), e);
    }
    String what = file.toString();
    List<String> labels = new ArrayList<>();
    for (JsonNode n : required(root, "labels", what)) {
      labels.add(n.asText());
    }
    List<Metric> metrics = new ArrayList<>();
    for (JsonNode n : required(root, "metrics", what)) {
      metrics.add(Metric.named(n.asText(), what + ": field 'metrics'"));
    }
    Map<String, String> dev = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = required(root, "dev", what).fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      dev.put(e.getKey(), e.getValue().asText());
    }
    try {
      return new TaskSpec(required(root, "name", what).asText(), folder,
          TsvLayout.named(required(root, "format", what).asText(), what + ": field 'format'"), labels, metrics,
          required(root, "train", what).asText(), dev);
    } catch (IllegalArgumentException e) {
      throw new BadInputException(what + ": " + e.getMessage(), e);
    }
  }

  private static JsonNode required(JsonNode root, String field, String what) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      throw new BadInputException(what + ": missing field '" + field + "'");
    }
    return n;
  }

  /** Writes this spec as {@code task.json} in its folder (the suite builder's side of {@link #load}). */
  public void save() throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("format", layout.id());
    m.put("labels", labels);
    m.put("metrics", metrics.stream().map(Metric::key).toList());
    m.put("train", train);
    m.put("dev", dev);
    Files.createDirectories(folder);
    AtomicFiles.writeString(folder.resolve(TASK_FILE),
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(m) + "\n");
  }
}
