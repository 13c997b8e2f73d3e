package dev.cramjet.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cramjet.actors.control.ControlClient;
import dev.cramjet.checkpoint.CheckpointStore;
import dev.cramjet.testing.Await;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon started as its own process, controlled over real HTTP: errors, pause, resume, checkpoint, stop. */
class DaemonProcessTest {
  @TempDir Path tmp;

  @Test
  void controlledOverHttpFromStartToStop() throws Exception {
    Path run = tmp.resolve("run");
    Path conf = tmp.resolve("run.conf");
    Files.writeString(conf, """
        arch { preset = crammed-bert, name = test, vocab-size = 64, hidden = 32, layers = 2, heads = 2,
               intermediate = 64, max-seq-len = 16 }
        train { preset = cpu-short, budget = 1000000steps, micro-batch = 8, batch-size = 16, checkpoint-every = 0 }
        run { shards = synthetic, out = "%s" }
        daemon.eval-rows = 16
        """.formatted(run.toString().replace("\\", "\\\\")));
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx1g", "-Dai.djl.offline=true", "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"),
        "dev.cramjet.cli.Main", "daemon", "--config", conf.toString(), "--port", "0", "--peak-flops", "1e12")
        .redirectError(tmp.resolve("daemon.err").toFile()).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      assertTrue(line != null && line.startsWith("http://127.0.0.1:"), "URL printed first, got " + line + "; "
          + Files.readString(tmp.resolve("daemon.err")));
      URI base = URI.create(line.trim());
      assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
          Files.getPosixFilePermissions(run.resolve("token")));
      String token = Files.readString(run.resolve("token")).trim();
      assertFalse(Files.readString(tmp.resolve("daemon.err")).contains(token), "the token is never logged");

      HttpClient http = HttpClient.newHttpClient();
      assertEquals(200, send(http, base, "GET", "/health", null, null).statusCode());
      assertEquals(401, send(http, base, "GET", "/status", null, null).statusCode());
      assertEquals(401, send(http, base, "GET", "/status", "wrong-token-wrong-token", null).statusCode());
      HttpResponse<String> notFound = send(http, base, "GET", "/nope", token, null);
      assertEquals(404, notFound.statusCode());
      assertTrue(notFound.body().contains("\"error\""));
      assertEquals(405, send(http, base, "GET", "/pause", token, null).statusCode());
      assertEquals(400, send(http, base, "POST", "/checkpoint", token, "[1,2").statusCode());
      assertEquals(409, send(http, base, "POST", "/resume", token, null).statusCode());

      ControlClient ctl = ControlClient.fromRunDir(run, null);
      Await.until(Duration.ofSeconds(120), "step 3 in /status", () -> ctl.status().body(),
          b -> b.path("step").asLong() >= 3);
      ControlClient.Answer paused = ctl.act(ControlAction.PAUSE);
      assertEquals(200, paused.status(), paused.body().toString());
      long pausedAt = paused.body().path("step").asLong();
      assertTrue(pausedAt >= 3);
      Thread.sleep(400);
      ControlClient.Answer status = ctl.status();
      assertEquals("paused", status.body().path("phase").asText());
      assertTrue(status.body().path("paused").asBoolean());
      assertEquals(pausedAt, status.body().path("step").asLong(), "no step while paused");
      double elapsed = status.body().path("budget").path("elapsed_seconds").asDouble();
      Thread.sleep(300);
      assertEquals(elapsed, ctl.status().body().path("budget").path("elapsed_seconds").asDouble(), 1e-9,
          "the budget clock stands still while paused");

      ControlClient.Answer ckpt = ctl.act(ControlAction.CHECKPOINT);
      assertEquals(200, ckpt.status());
      assertEquals(pausedAt, CheckpointStore.readState(Path.of(ckpt.body().path("checkpoint").asText())).step());
      assertEquals(200, ctl.act(ControlAction.RESUME).status());
      Await.until(Duration.ofSeconds(120), "training to resume past step " + (pausedAt + 2),
          () -> ctl.status().body(), b -> b.path("step").asLong() > pausedAt + 2);

      // /metrics: behind the token, fed by the actors (steps, loader rows, the checkpoint above, the pause gauge)
      assertEquals(401, send(http, base, "GET", "/metrics", null, null).statusCode());
      HttpResponse<String> metrics = send(http, base, "GET", "/metrics", token, null);
      assertEquals(200, metrics.statusCode());
      assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
      assertTrue(sample(metrics.body(), "cramjet_optimizer_steps_total") > pausedAt, metrics.body());
      assertTrue(sample(metrics.body(), "cramjet_loader_rows_total") >= 8 * (pausedAt + 2));
      assertEquals(1, sample(metrics.body(), "cramjet_checkpoint_duration_seconds_count"));
      assertTrue(sample(metrics.body(), "cramjet_checkpoint_size_bytes") > 0);
      assertEquals(0, sample(metrics.body(), "cramjet_paused"));
      assertTrue(sample(metrics.body(), "cramjet_model_flops_utilization_ratio") > 0);

      ControlClient.Answer stop = ctl.act(ControlAction.STOP);
      assertEquals(200, stop.status(), stop.body().toString());
      long stoppedAt = stop.body().path("step").asLong();
      assertEquals("stopped after step " + stoppedAt + "; final checkpoint " + stop.body().path("checkpoint").asText(),
          stop.body().path("message").asText());
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the daemon exits after a stop");
      assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("daemon.err")));
      assertEquals(stoppedAt, CheckpointStore.readState(CheckpointStore.resolve(run)).step());
      assertFalse(Files.exists(run.resolve("daemon.json")), "daemon.json removed on exit");
      // metrics.jsonl as the foreground loop writes it: one object per logged step (log-every 10 in cpu-short)
      List<String> log = Files.readAllLines(run.resolve("metrics.jsonl"));
      assertFalse(log.isEmpty());
      var last = new com.fasterxml.jackson.databind.ObjectMapper().readTree(log.get(log.size() - 1));
      assertEquals(List.of("step", "t", "elapsed_seconds", "loss", "accuracy", "lr", "batch_rows", "grad_norm",
          "tokens", "tokens_per_second", "mfu", "skipped", "overflow_steps", "loss_scale"), iterable(last.fieldNames()));
      assertTrue(last.path("step").asLong() <= stoppedAt && last.path("tokens").asLong() > 0);
    } finally {
      p.destroyForcibly();
    }
  }

  private static List<String> iterable(java.util.Iterator<String> it) {
    List<String> out = new java.util.ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  /** The value of an unlabelled sample in the Prometheus text format. */
  static double sample(String text, String name) {
    for (String line : text.split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(name.length() + 1).trim().split(" ")[0]);
      }
    }
    throw new AssertionError(name + " not exposed");
  }

  private static HttpResponse<String> send(HttpClient http, URI base, String method, String path, String token,
      String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
