package dev.cramjet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench api-load --json} on a very short run of a small model: the JSON carries the three windows, the ratio,
 * the requests and their latencies, and no request fails. Timing is not asserted: that is the benchmark's job.
 */
class BenchApiLoadCliTest {
  @TempDir Path dir;

  @Test
  void shortRunReportsWindowsRatioRequestsAndLatencies() throws Exception {
    Path conf = dir.resolve("small.conf");
    Files.writeString(conf, """
        arch { preset = crammed-bert, name = small, vocab-size = 64, hidden = 32, layers = 2, heads = 2,
               intermediate = 64, max-seq-len = 16 }
        train { preset = cpu-short, micro-batch = 8, batch-size = 8, log-every = 1000 }
        run { shards = synthetic }
        """);
    CliRun.Result r = CliRun.run("bench", "api-load", "--config", conf.toString(), "--seconds", "2", "--rounds",
        "1", "--warmup", "0.5", "--clients", "1", "--nice", "0", "--json");
    String text = r.out().trim();
    assertEquals(0, r.code(), text + r.err());
    JsonNode o = new ObjectMapper().readTree(text.lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow());
    // Rates are numbers, or null for a window that held fewer than two steps (a slow or busy machine).
    assertEquals(1, o.path("windows").size(), o.toString());
    JsonNode w = o.path("windows").get(0);
    for (String rate : List.of("unloaded_before_tokens_per_second", "loaded_tokens_per_second",
        "unloaded_after_tokens_per_second", "ratio")) {
      assertTrue(w.path(rate).isNull() || w.path(rate).asDouble() > 0, rate + " in " + w);
    }
    if (!w.path("ratio").isNull()) {
      double expected = w.path("loaded_tokens_per_second").asDouble() / ((w.path("unloaded_before_tokens_per_second")
          .asDouble() + w.path("unloaded_after_tokens_per_second").asDouble()) / 2);
      assertEquals(expected, w.path("ratio").asDouble(), 1e-9 * expected);
    }
    assertEquals(o.path("requests").asLong(), w.path("requests").asLong());
    assertEquals(1, o.path("round_ratios").size());
    if (!o.path("ratio").isNull()) {
      assertEquals(o.path("loaded_tokens_per_second").asDouble() / o.path("unloaded_tokens_per_second").asDouble(),
          o.path("ratio").asDouble(), 1e-9);
    }
    assertTrue(o.path("requests").asLong() > 0, o.toString());
    assertEquals(o.path("requests").asLong(), o.path("status_requests").asLong() + o.path("metrics_requests").asLong());
    assertEquals(0, o.path("failed_requests").asLong(), o.toString());
    for (String p : List.of("p50", "p90", "p99", "max")) {
      assertTrue(o.path("latency_ms").path(p).asDouble() > 0, p + " in " + o);
    }
    assertTrue(o.path("latency_ms").path("p50").asDouble() <= o.path("latency_ms").path("max").asDouble());
    assertEquals(Runtime.getRuntime().availableProcessors(), o.path("cpu_cores").asInt());
    assertEquals(0.9, o.path("target_ratio").asDouble());
    assertTrue(o.path("pass").isBoolean());
    // The trainer's data wait: reported with its target, not judged here.
    assertTrue(o.path("data_wait_ratio").isNumber() && o.path("data_wait_ratio").asDouble() >= 0, o.toString());
    assertTrue(o.path("data_wait_steady_seconds").asDouble() >= 0, o.toString());
    assertEquals(0.01, o.path("data_wait_target_ratio").asDouble());
  }
}
