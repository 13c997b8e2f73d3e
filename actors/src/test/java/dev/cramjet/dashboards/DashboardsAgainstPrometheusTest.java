package dev.cramjet.dashboards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cramjet.actors.control.MetricsServer;
import dev.cramjet.metrics.CramjetMetrics;
import dev.cramjet.testing.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.DoublePredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves the dashboards and alert rules against a real Prometheus: a tiny {@code cramjet pretrain --metrics-port 0}
 * runs as a child process (checkpointing every 5 steps so checkpoint series move), Prometheus scrapes it every
 * second from loopback, and every panel, variable and alert expression must return data through
 * {@code /api/v1/query}. Every alert rule must also evaluate without error inside Prometheus and stay quiet on this
 * healthy run.
 *
 * <p>A foreground pretrain run does not evaluate, so the evaluation series come from a second target in this JVM:
 * a {@link CramjetMetrics} on which the test calls {@link CramjetMetrics#setEvalScore} (the method the Evaluator
 * calls), scraped as job {@code cramjet-eval-fixture} with the exporter's {@code name[]} filter so that it adds
 * {@code cramjet_eval_score} and nothing else.
 *
 * <p>Skipped when the {@code prometheus} binary is absent; {@code .ci/run} installs it.
 */
class DashboardsAgainstPrometheusTest {
  private static final Pattern METRICS_URL = Pattern.compile("metrics: (http://127\\.0\\.0\\.1:\\d+/metrics)");

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private Process run;
  private Process prometheus;
  private MetricsServer fixture;

  @AfterEach
  void stopEverything() throws InterruptedException {
    for (Process p : new Process[] {run, prometheus}) {
      if (p != null && p.isAlive()) {
        p.destroy(); // SIGTERM: the run stops with a checkpoint, Prometheus shuts down cleanly
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
    }
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void everyPanelAndRuleExpressionReturnsData(@TempDir Path tmp) throws Exception {
    Path prometheusBin = RepoFiles.onPath("prometheus").orElse(null);
    assumeTrue(prometheusBin != null, "the prometheus binary is not installed (.ci/run installs it)");
    Path promtool = RepoFiles.onPath("promtool").orElseThrow(() -> new AssertionError("prometheus without promtool"));

    String target = startRun(tmp);
    CramjetMetrics evalFixture = new CramjetMetrics();
    evalFixture.setEvalScore("mlm", "validation", 0.18);
    evalFixture.setEvalScore("sst2", "validation", 0.79);
    fixture = MetricsServer.start(evalFixture, 0);

    int port = freePort();
    Path config = tmp.resolve("prometheus.yml");
    Files.writeString(config, """
        global:
          scrape_interval: 1s
          scrape_timeout: 1s
          evaluation_interval: 1s
        rule_files:
          - %s
        scrape_configs:
          - job_name: cramjet
            static_configs:
              - targets: ["%s"]
          - job_name: cramjet-eval-fixture
            params:
              "name[]": ["cramjet_eval_score"]
            static_configs:
              - targets: ["127.0.0.1:%d"]
        """.formatted(DashboardQueries.alertRules(), target, fixture.port()));
    promtool(promtool, "check", "config", config.toString());
    promtool(promtool, "check", "rules", DashboardQueries.alertRules().toString());

    prometheus = new ProcessBuilder(prometheusBin.toString(), "--config.file=" + config,
        "--storage.tsdb.path=" + tmp.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + port, "--log.level=warn")
        .redirectErrorStream(true).redirectOutput(tmp.resolve("prometheus.log").toFile()).start();
    String api = "http://127.0.0.1:" + port + "/api/v1/";

    // Enough history for 20 s rate windows and at least two checkpoints while the run is still alive.
    awaitValue(api, "max(cramjet_checkpoint_duration_seconds_count{job=\"cramjet\"})", v -> v >= 2, tmp);
    awaitValue(api, "count_over_time(cramjet_optimizer_steps_total{job=\"cramjet\"}[1m])", v -> v >= 20, tmp);
    awaitValue(api, "count(cramjet_eval_score)", v -> v == 2, tmp);

    List<String> empty = new ArrayList<>();
    int withData = 0;
    List<DashboardQueries.Query> queries = DashboardQueries.all();
    for (DashboardQueries.Query q : queries) {
      String expr = DashboardQueries.runnable(q);
      JsonNode result = query(api, expr);
      if (result.isEmpty()) {
        empty.add(q.where() + ": " + expr);
      } else {
        withData++;
      }
    }
    // the fixture target adds the eval score only, so the other panels' data really comes from the run
    JsonNode fromFixture = query(api, "count by (__name__) ({job=\"cramjet-eval-fixture\", __name__=~\"cramjet_.*\"})");
    assertEquals(1, fromFixture.size(), "the fixture exports only cramjet_eval_score: " + fromFixture);

    assertAllRulesHealthy(api);
    assertAllAlertsQuiet(api);

    double series = query(api, "scrape_samples_scraped{job=\"cramjet\"}").get(0).path("value").get(1).asDouble();
    double scrapeSeconds = query(api, "max_over_time(scrape_duration_seconds{job=\"cramjet\"}[1m])").get(0)
        .path("value").get(1).asDouble();
    double scrapeMean = query(api, "avg_over_time(scrape_duration_seconds{job=\"cramjet\"}[1m])").get(0)
        .path("value").get(1).asDouble();
    String report = String.format(Locale.ROOT, "expressions with data: %d of %d (panels, variables and alert rules); "
            + "series exposed by the run: %.0f; scrape duration: mean %.1f ms, max %.1f ms over the last minute%n",
        withData, queries.size(), series, scrapeMean * 1000, scrapeSeconds * 1000);
    System.out.print(report);
    Files.writeString(Path.of("target", "prometheus-check.txt"), report);

    assertEquals(List.of(), empty, "expressions that returned no data");
    assertTrue(run.isAlive(), "the run was still training while the queries ran");
  }

  /** Starts the tiny run and returns its scrape target host:port, read from the URL it prints. */
  private String startRun(Path tmp) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path log = tmp.resolve("pretrain.log");
    Files.createDirectories(tmp.resolve("java-tmp"));
    run = new ProcessBuilder(java.toString(), "-Xmx1g", "-Dai.djl.offline=true",
        "-Dai.djl.pytorch.graph_optimizer=false", "-Djava.io.tmpdir=" + tmp.resolve("java-tmp"),
        "-cp", System.getProperty("java.class.path"), "dev.cramjet.cli.Main",
        "pretrain", "--config", "demo", "--budget", "100s", "--out", tmp.resolve("run").toString(),
        "--metrics-port", "0", "--peak-flops", "2e10",
        "--set", "train.micro-batch=16", "--set", "train.batch-size=32", "--set", "train.log-every=1",
        "--set", "train.checkpoint-every=5steps", "--set", "train.keep-checkpoints=2")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    String text = Await.until(Duration.ofSeconds(60), Duration.ofMillis(200), "pretrain to print its metrics URL",
        () -> {
          String t = Files.readString(log);
          if (!METRICS_URL.matcher(t).find() && !run.isAlive()) {
            fail("pretrain exited with " + run.exitValue() + " before serving metrics:\n" + t);
          }
          return t;
        }, t -> METRICS_URL.matcher(t).find());
    Matcher m = METRICS_URL.matcher(text);
    m.find();
    return URI.create(m.group(1)).getAuthority();
  }

  private void awaitValue(String api, String expr, DoublePredicate ok, Path tmp) throws Exception {
    Await.until(Duration.ofSeconds(120), Duration.ofMillis(500), "Prometheus to see " + expr, () -> {
      if (!run.isAlive()) {
        fail("the run ended before Prometheus saw " + expr + ":\n" + Files.readString(tmp.resolve("pretrain.log")));
      }
      if (!prometheus.isAlive()) {
        fail("prometheus exited:\n" + Files.readString(tmp.resolve("prometheus.log")));
      }
      try {
        JsonNode r = query(api, expr);
        return r.isEmpty() ? Double.NaN : r.get(0).path("value").get(1).asDouble();
      } catch (IOException e) {
        return Double.NaN; // Prometheus is still starting
      }
    }, v -> !v.isNaN() && ok.test(v));
  }

  private JsonNode query(String api, String expr) throws IOException, InterruptedException {
    JsonNode body = get(api + "query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
    if (!body.path("status").asText().equals("success")) {
      throw new AssertionError("query failed: " + expr + ": " + body);
    }
    return body.path("data").path("result");
  }

  private JsonNode get(String url) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    return DashboardQueries.JSON.readTree(r.body());
  }

  private void assertAllRulesHealthy(String api) throws Exception {
    Await.until(Duration.ofSeconds(20), Duration.ofMillis(500), "Prometheus to evaluate every alert rule (the value: "
        + "rules it could not evaluate)", () -> ruleProblems(api), List::isEmpty);
  }

  private List<String> ruleProblems(String api) throws IOException, InterruptedException {
    List<String> problems = new ArrayList<>();
    int rules = 0;
    for (JsonNode g : get(api + "rules").path("data").path("groups")) {
      for (JsonNode r : g.path("rules")) {
        rules++;
        if (!r.path("health").asText().equals("ok")) {
          problems.add(r.path("name").asText() + ": health " + r.path("health").asText() + " "
              + r.path("lastError").asText());
        }
      }
    }
    if (rules == 0) {
      problems.add("Prometheus loaded no rules");
    }
    return problems;
  }

  private void assertAllAlertsQuiet(String api) throws Exception {
    List<String> active = new ArrayList<>();
    for (JsonNode a : get(api + "alerts").path("data").path("alerts")) {
      active.add(a.path("labels").path("alertname").asText() + " " + a.path("state").asText());
    }
    assertEquals(List.of(), active, "alerts pending or firing on a healthy run");
  }

  private static void promtool(Path promtool, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(promtool.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), "promtool " + String.join(" ", args) + ":\n" + out);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
