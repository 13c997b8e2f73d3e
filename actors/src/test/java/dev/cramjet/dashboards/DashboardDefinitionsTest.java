package dev.cramjet.dashboards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cramjet.metrics.CramjetMetrics;
import dev.cramjet.metrics.MetricsText;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The dashboards and alert rules agree with the metrics the code defines, and follow the dashboard conventions. */
class DashboardDefinitionsTest {
  private static final Map<String, Set<String>> FAMILIES =
      MetricsText.sampleNamesByFamily(new CramjetMetrics().registry());

  @Test
  void everyMetricADashboardOrRuleReadsExistsInTheCode() throws IOException {
    Set<String> known = new HashSet<>(MetricsText.sampleNames(new CramjetMetrics().registry()));
    known.add("up"); // written by Prometheus itself for every target
    List<String> unknown = new ArrayList<>();
    int checked = 0;
    for (DashboardQueries.Query q : DashboardQueries.all()) {
      for (String name : DashboardQueries.metricNames(q.expr())) {
        checked++;
        if (!known.contains(name)) {
          unknown.add(q.where() + ": " + name);
        }
      }
    }
    assertTrue(checked > 40, "the name scan found only " + checked + " metric references");
    assertEquals(List.of(), unknown, "names used by dashboards or rules that no metric in the code exposes");
  }

  @Test
  void everyCramjetMetricIsOnADashboardOrListedAsUnshown() throws IOException {
    Set<String> onPanels = new TreeSet<>();
    for (DashboardQueries.Query q : DashboardQueries.all()) {
      if (q.kind() == DashboardQueries.Kind.PANEL) {
        onPanels.addAll(DashboardQueries.metricNames(q.expr()));
      }
    }
    List<String> missing = new ArrayList<>();
    for (var family : FAMILIES.entrySet()) {
      if (!family.getKey().startsWith("cramjet_")) {
        continue; // JVM metrics are client_java's; the system dashboard shows a chosen few
      }
      boolean shown = family.getValue().stream().anyMatch(onPanels::contains);
      boolean listed = CramjetMetrics.DELIBERATELY_UNSHOWN.containsKey(family.getKey());
      if (shown == listed) {
        missing.add(family.getKey() + (shown ? " is on a panel but listed as unshown" : " is on no panel"));
      }
    }
    assertTrue(FAMILIES.keySet().containsAll(CramjetMetrics.DELIBERATELY_UNSHOWN.keySet()),
        "the unshown list names metrics that do not exist: " + CramjetMetrics.DELIBERATELY_UNSHOWN.keySet());
    assertEquals(List.of(), missing);
  }

  @Test
  void dashboardsHaveFixedUidsADatasourceVariableAndUnitsAndLegendsOnEveryPanel() throws IOException {
    Set<String> uids = new HashSet<>();
    List<String> problems = new ArrayList<>();
    for (Path file : DashboardQueries.dashboardFiles()) {
      JsonNode d = DashboardQueries.JSON.readTree(file.toFile());
      String name = file.getFileName().toString();
      String uid = d.path("uid").asText();
      if (!uid.startsWith("cramjet-") || !uids.add(uid)) {
        problems.add(name + ": uid '" + uid + "' is not a unique cramjet- uid");
      }
      boolean hasDatasourceVar = false;
      for (JsonNode v : d.path("templating").path("list")) {
        hasDatasourceVar |= v.path("name").asText().equals("datasource") && v.path("type").asText().equals("datasource")
            && v.path("query").asText().equals("prometheus");
      }
      if (!hasDatasourceVar) {
        problems.add(name + ": no 'datasource' variable of type prometheus");
      }
      Set<Integer> ids = new HashSet<>();
      for (JsonNode p : d.path("panels")) {
        String where = name + " / " + p.path("title").asText();
        if (!ids.add(p.path("id").asInt())) {
          problems.add(where + ": duplicate panel id");
        }
        if (!p.path("datasource").path("uid").asText().equals("${datasource}")) {
          problems.add(where + ": datasource is not ${datasource}");
        }
        if (p.path("fieldConfig").path("defaults").path("unit").asText().isBlank()) {
          problems.add(where + ": no unit");
        }
        if (!p.path("options").path("legend").path("showLegend").asBoolean(false)) {
          problems.add(where + ": legend hidden");
        }
        if (p.path("targets").isEmpty()) {
          problems.add(where + ": no query");
        }
        for (JsonNode t : p.path("targets")) {
          if (t.path("legendFormat").asText().isBlank()) {
            problems.add(where + " / " + t.path("refId").asText() + ": no legend format");
          }
          String expr = t.path("expr").asText();
          if (expr.matches(".*rate\\((?:cramjet|jvm|process)_\\w+_total\\{[^}]*\\}\\[(?!\\$__rate_interval).*")) {
            problems.add(where + ": counter rate without $__rate_interval: " + expr);
          }
        }
      }
    }
    assertEquals(4, uids.size(), "training, data pipeline, system and evaluation dashboards: " + uids);
    assertEquals(List.of(), problems);
  }

  @Test
  void stepTimeIsShownAsHistogramQuantiles() throws IOException {
    long quantiles = DashboardQueries.all().stream()
        .filter(q -> q.expr().startsWith("histogram_quantile(") && q.expr().contains("cramjet_step_duration_seconds"))
        .count();
    assertTrue(quantiles >= 2, "step time needs at least two quantiles, found " + quantiles);
  }
}
