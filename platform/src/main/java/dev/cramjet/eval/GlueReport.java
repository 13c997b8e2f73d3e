package dev.cramjet.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Scores of one evaluation, in percent: one entry per dev set (MNLI gives two, MNLI-m and MNLI-mm), each the median
 * over fine-tuning seeds of the entry's score, which is the mean of its metrics (MRPC and QQP: F1 and accuracy; STS-B:
 * Pearson and Spearman). The average counts every entry, so MNLI-m and MNLI-mm both count, and is shown with and
 * without CoLA (whose MCC swings most for small models). Per-metric medians and every seed's score are kept too.
 *
 * @param title what was evaluated, e.g. "GLUE" or "offline stand-in suite (not GLUE)"
 * @param source the checkpoint (or "random init")
 * @param protocol the fine-tuning preset's name
 * @param seeds the fine-tuning seeds used
 */
public record GlueReport(String title, String source, String protocol, List<Long> seeds, List<Entry> entries) {

  /**
   * @param name the dev set's report name ("MNLI-mm")
   * @param task the task it belongs to ("MNLI")
   * @param metrics per metric, the median over seeds, in percent
   * @param score the median over seeds of the mean of the metrics, in percent
   * @param perSeed that mean for each seed, in seed order, in percent
   * @param trainExamples training examples of the task
   * @param devExamples examples scored
   * @param skippedRows malformed rows skipped while reading the task's files
   * @param examplesPerSecond fine-tuning throughput, averaged over seeds
   */
  public record Entry(String name, String task, Map<String, Double> metrics, double score, List<Double> perSeed,
      int trainExamples, int devExamples, int skippedRows, double examplesPerSecond) {}

  /** Builds the report from every seed's result of every task. */
  public static GlueReport of(String title, String source, String protocol, List<Long> seeds,
      List<FineTuner.Result> results, Map<String, Integer> devSizes, Map<String, Integer> skipped) {
    Map<String, List<FineTuner.Result>> byTask = new LinkedHashMap<>();
    for (FineTuner.Result r : results) {
      byTask.computeIfAbsent(r.task(), k -> new ArrayList<>()).add(r);
    }
    List<Entry> entries = new ArrayList<>();
    for (Map.Entry<String, List<FineTuner.Result>> t : byTask.entrySet()) {
      List<FineTuner.Result> rs = t.getValue();
      for (String dev : rs.get(0).scores().keySet()) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (Metric m : rs.get(0).scores().get(dev).keySet()) {
          metrics.put(m.key(), 100 * median(rs.stream().mapToDouble(r -> r.scores().get(dev).get(m)).toArray()));
        }
        List<Double> perSeed = rs.stream()
            .map(r -> 100 * r.scores().get(dev).values().stream().mapToDouble(Double::doubleValue).average().orElseThrow())
            .toList();
        double eps = rs.stream().mapToDouble(FineTuner.Result::examplesPerSecond).average().orElse(0);
        entries.add(new Entry(dev, t.getKey(), metrics, median(perSeed.stream().mapToDouble(d -> d).toArray()),
            perSeed, rs.get(0).trainExamples(), devSizes.getOrDefault(dev, 0), skipped.getOrDefault(t.getKey(), 0),
            eps));
      }
    }
    return new GlueReport(title, source, protocol, List.copyOf(seeds), List.copyOf(entries));
  }

  /** Median; the mean of the middle two for an even count. */
  public static double median(double[] v) {
    if (v.length == 0) {
      throw new IllegalArgumentException("median of nothing");
    }
    double[] s = v.clone();
    Arrays.sort(s);
    int mid = s.length / 2;
    return s.length % 2 == 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  }

  /** Mean score over all entries (MNLI-m and MNLI-mm both counted). */
  public double average() {
    return entries.stream().mapToDouble(Entry::score).average().orElse(Double.NaN);
  }

  /** Mean score over all entries but CoLA; NaN when CoLA was the only one. */
  public double averageWithoutCola() {
    return entries.stream().filter(e -> !e.task().equalsIgnoreCase("CoLA")).mapToDouble(Entry::score).average()
        .orElse(Double.NaN);
  }

  public boolean hasCola() {
    return entries.stream().anyMatch(e -> e.task().equalsIgnoreCase("CoLA"));
  }

  /** The report as one JSON object. */
  public String toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("title", title);
    m.put("source", source);
    m.put("protocol", protocol);
    m.put("seeds", seeds);
    List<Map<String, Object>> es = new ArrayList<>();
    for (Entry e : entries) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("name", e.name());
      o.put("task", e.task());
      o.put("score", round(e.score()));
      Map<String, Object> metrics = new LinkedHashMap<>();
      e.metrics().forEach((k, v) -> metrics.put(k, round(v)));
      o.put("metrics", metrics);
      o.put("per_seed", e.perSeed().stream().map(GlueReport::round).toList());
      o.put("train_examples", e.trainExamples());
      o.put("dev_examples", e.devExamples());
      o.put("skipped_rows", e.skippedRows());
      o.put("examples_per_second", round(e.examplesPerSecond()));
      es.add(o);
    }
    m.put("tasks", es);
    m.put("average", round(average()));
    m.put("average_without_cola", hasCola() ? round(averageWithoutCola()) : round(average()));
    try {
      return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The report as a Markdown table: one column per entry, then the averages. */
  public String toMarkdown() {
    StringBuilder sb = new StringBuilder();
    sb.append("## ").append(title).append("\n\n");
    sb.append("Source: ").append(source).append("; protocol: ").append(protocol).append("; ")
        .append(seeds.size() == 1 ? "seed " + seeds.get(0) : "median of " + seeds.size() + " seeds " + seeds)
        .append(".\n\n");
    List<String> head = new ArrayList<>();
    List<String> row = new ArrayList<>();
    for (Entry e : entries) {
      head.add(e.name());
      row.add(fmt(e.score()));
    }
    head.add("avg");
    row.add(fmt(average()));
    if (hasCola()) {
      head.add("avg w/o CoLA");
      row.add(fmt(averageWithoutCola()));
    }
    sb.append("| ").append(String.join(" | ", head)).append(" |\n");
    sb.append("|").append("---|".repeat(head.size())).append("\n");
    sb.append("| ").append(String.join(" | ", row)).append(" |\n\n");
    sb.append("| task | metrics | train | dev | skipped rows | fine-tuning examples/s |\n|---|---|---|---|---|---|\n");
    for (Entry e : entries) {
      List<String> ms = new ArrayList<>();
      e.metrics().forEach((k, v) -> ms.add(k + " " + fmt(v)));
      sb.append("| ").append(e.name()).append(" | ").append(String.join(", ", ms)).append(" | ")
          .append(e.trainExamples()).append(" | ").append(e.devExamples()).append(" | ").append(e.skippedRows())
          .append(" | ").append(fmt(e.examplesPerSecond())).append(" |\n");
    }
    return sb.toString();
  }

  private static String fmt(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
  }

  private static Object round(double v) {
    return Double.isFinite(v) ? Math.round(v * 100) / 100.0 : null;
  }
}
