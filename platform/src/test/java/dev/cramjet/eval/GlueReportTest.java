package dev.cramjet.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GlueReportTest {
  private static FineTuner.Result result(String task, long seed, Object... devMetricValue) {
    Map<String, Map<Metric, Double>> scores = new LinkedHashMap<>();
    for (int i = 0; i < devMetricValue.length; i += 3) {
      scores.computeIfAbsent((String) devMetricValue[i], k -> new LinkedHashMap<>())
          .put((Metric) devMetricValue[i + 1], (Double) devMetricValue[i + 2]);
    }
    return new FineTuner.Result(task, seed, scores, 100, 10, 1.0, 500.0, 0.1);
  }

  static GlueReport report() {
    List<FineTuner.Result> rs = new ArrayList<>();
    double[] cola = {0.1, 0.3, 0.2};
    double[][] mrpc = {{0.9, 0.8}, {0.7, 0.6}, {0.8, 0.9}};
    double[][] mnli = {{0.8, 0.7}, {0.82, 0.74}, {0.78, 0.72}};
    for (int s = 0; s < 3; s++) {
      rs.add(result("CoLA", s + 1, "CoLA", Metric.MCC, cola[s]));
      rs.add(result("MRPC", s + 1, "MRPC", Metric.F1, mrpc[s][0], "MRPC", Metric.ACCURACY, mrpc[s][1]));
      rs.add(result("MNLI", s + 1, "MNLI-m", Metric.ACCURACY, mnli[s][0], "MNLI-mm", Metric.ACCURACY, mnli[s][1]));
    }
    return GlueReport.of("GLUE", "ckpt", "crammed", List.of(1L, 2L, 3L), rs, Map.of("MNLI-m", 9, "MNLI-mm", 8),
        Map.of("MRPC", 2));
  }

  @Test
  void scoresAreSeedMediansOfTheMetricMeanAndTheAverageCountsBothMnliSets() {
    GlueReport r = report();
    assertEquals(List.of("CoLA", "MRPC", "MNLI-m", "MNLI-mm"), r.entries().stream().map(GlueReport.Entry::name).toList());
    // CoLA: MCC per seed 10, 30, 20 -> median 20
    assertEquals(20.0, r.entries().get(0).score(), 1e-9);
    // MRPC per seed: (90+80)/2 = 85, (70+60)/2 = 65, (80+90)/2 = 85 -> 85; metric medians F1 80, accuracy 80
    assertEquals(85.0, r.entries().get(1).score(), 1e-9);
    assertEquals(80.0, r.entries().get(1).metrics().get("f1"), 1e-9);
    assertEquals(80.0, r.entries().get(1).metrics().get("accuracy"), 1e-9);
    assertEquals(List.of(85.0, 65.0, 85.0), r.entries().get(1).perSeed().stream().map(d -> Math.round(d * 1e6) / 1e6).toList());
    assertEquals(80.0, r.entries().get(2).score(), 1e-9);
    assertEquals(72.0, r.entries().get(3).score(), 1e-9);
    assertEquals((20 + 85 + 80 + 72) / 4.0, r.average(), 1e-9);
    assertEquals((85 + 80 + 72) / 3.0, r.averageWithoutCola(), 1e-9);
  }

  @Test
  void jsonAndMarkdownCarryTheSameNumbers() throws Exception {
    GlueReport r = report();
    JsonNode j = new ObjectMapper().readTree(r.toJson());
    assertEquals(64.25, j.get("average").asDouble(), 1e-9);
    assertEquals(79.0, j.get("average_without_cola").asDouble(), 1e-9);
    assertEquals("MNLI-mm", j.get("tasks").get(3).get("name").asText());
    assertEquals(8, j.get("tasks").get(3).get("dev_examples").asInt());
    assertEquals(2, j.get("tasks").get(1).get("skipped_rows").asInt());
    String md = r.toMarkdown();
    assertTrue(md.contains("| CoLA | MRPC | MNLI-m | MNLI-mm | avg | avg w/o CoLA |"), md);
    assertTrue(md.contains("| 20.0 | 85.0 | 80.0 | 72.0 | 64.3 | 79.0 |"), md);
    assertTrue(md.contains("median of 3 seeds"), md);
  }

  @Test
  void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
    assertEquals(2.5, GlueReport.median(new double[] {1, 4, 2, 3}), 0);
    assertEquals(3.0, GlueReport.median(new double[] {5, 3, 1}), 0);
  }
}
