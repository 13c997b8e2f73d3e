package dev.cramjet.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Every PromQL expression the repository ships: dashboard panel targets, dashboard variable queries and alert rules,
 * each with where it comes from, plus the rewrites that make them runnable against a plain Prometheus.
 */
final class DashboardQueries {
  /** One expression and its origin, e.g. "training.json / Loss / A". */
  record Query(String where, String expr, Kind kind) {}

  enum Kind { PANEL, VARIABLE, ALERT }

  static final ObjectMapper JSON = new ObjectMapper();
  static final YAMLMapper YAML = new YAMLMapper();

  // Metric names start with one of the prefixes our code or client_java's JVM instrumentation uses.
  private static final Pattern METRIC = Pattern.compile("(?<![A-Za-z0-9_:\"$.])((?:cramjet|jvm|process)_[A-Za-z0-9_:]*"
      + "|up)(?![A-Za-z0-9_:\"(])");
  private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([^,)]+?)\\s*,\\s*\\w+\\s*\\)");
  private static final Pattern COMPARISON = Pattern.compile(" (==|!=|>=|<=|>|<) ");

  private DashboardQueries() {}

  static List<Path> dashboardFiles() throws IOException {
    try (Stream<Path> s = Files.list(RepoFiles.dashboards().resolve("grafana/dashboards"))) {
      return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
  }

  static Path alertRules() {
    return RepoFiles.dashboards().resolve("prometheus/cramjet-alerts.yml");
  }

  static List<Query> all() throws IOException {
    List<Query> out = new ArrayList<>();
    for (Path file : dashboardFiles()) {
      JsonNode d = JSON.readTree(file.toFile());
      String name = file.getFileName().toString();
      for (JsonNode v : d.path("templating").path("list")) {
        if (v.path("type").asText().equals("query")) {
          out.add(new Query(name + " / variable " + v.path("name").asText(), v.path("definition").asText(),
              Kind.VARIABLE));
        }
      }
      for (JsonNode p : d.path("panels")) {
        for (JsonNode t : p.path("targets")) {
          out.add(new Query(name + " / " + p.path("title").asText() + " / " + t.path("refId").asText(),
              t.path("expr").asText(), Kind.PANEL));
        }
      }
    }
    JsonNode rules = YAML.readTree(alertRules().toFile());
    for (JsonNode g : rules.path("groups")) {
      for (JsonNode r : g.path("rules")) {
        out.add(new Query("alert " + r.path("alert").asText(), r.path("expr").asText().trim(), Kind.ALERT));
      }
    }
    return out;
  }

  /** The metric names an expression reads. */
  static Set<String> metricNames(String expr) {
    Set<String> names = new TreeSet<>();
    Matcher m = METRIC.matcher(expr);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /**
   * The expression as Prometheus's HTTP API can run it: Grafana's variables replaced by concrete values (rate windows
   * of 20 s cover 20 scrapes at the test's 1 s interval; "all instances" is {@code .*}); a variable's
   * {@code label_values(m, label)} becomes {@code m}; and an alert's comparisons become {@code bool} comparisons, so a
   * healthy run yields 0 instead of an empty result and "returns data" proves the series and the arithmetic exist.
   */
  static String runnable(Query q) {
    String e = q.expr().replace("$__rate_interval", "20s").replace("$__interval", "5s").replace("$__range", "1h")
        .replace("$instance", ".*").replace("$task", ".*");
    if (q.kind() == Kind.VARIABLE) {
      Matcher m = LABEL_VALUES.matcher(e);
      if (m.matches()) {
        e = m.group(1);
      }
    }
    if (q.kind() == Kind.ALERT) {
      e = COMPARISON.matcher(e).replaceAll(" $1 bool ");
    }
    return e;
  }
}
