package dev.cramjet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cramjet.metrics.CramjetMetrics;
import dev.cramjet.metrics.MetricsText;
import dev.cramjet.sweep.SweepState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sweep} and {@code ctl status} on a sweep folder, through the command line, and the sweep's metrics. */
class SweepCliTest {
  @TempDir Path dir;



  private String[] sweep(String budget, String... extra) {
    List<String> a = new ArrayList<>(List.of("sweep", "--config", "tiny-synthetic", "--budget", budget, "--grid",
        "train.lr=1e-4,3e-3", "--eval-rows", "16", "--peak-flops", "1e12", "--out", dir.resolve("sw").toString()));
    for (String s : List.of("arch.hidden=32", "arch.layers=1", "arch.heads=2", "arch.intermediate=64",
        "arch.vocab-size=512", "train.micro-batch=4", "train.batch-size=4", "train.log-every=1")) {
      a.add("--set");
      a.add(s);
    }
    a.addAll(List.of(extra));
    return a.toArray(new String[0]);
  }

  @Test
  void aSweepRunsReportsAndShowsInCtlStatusAndMetrics() throws Exception {
    CliRun.Result first = CliRun.run(sweep("4steps", "--json"));
    assertEquals(0, first.code(), first.err());
    JsonNode state = new ObjectMapper().readTree(first.out());
    assertEquals(2, state.path("cells").size());
    String best = state.path("best").asText();
    assertEquals("cell-02", best, "lr 3e-3 learns more in 4 steps than 1e-4: " + first.out());
    // Batch = micro-batch: the header says there is no ramp (the demo's test covers the ramped wording).
    assertTrue(first.err().contains("micro-batch 4 rows, batch 4 rows (one micro-batch a step, no ramp), "), first.err());

    CliRun.Result status = CliRun.run("ctl", "status", "--run", dir.resolve("sw").toString());
    assertEquals(0, status.code(), status.err());
    assertTrue(status.out().contains("2 done, 0 running, 0 queued, 0 failed; best so far cell-02 (train.lr=3e-3"),
        status.out());

    // The same command again finds nothing to do; other settings on the same folder are refused.
    CliRun.Result again = CliRun.run(sweep("4steps"));
    assertEquals(0, again.code(), again.err());
    assertTrue(again.err().contains("2 cells (2 done, 0 to train)"), again.err());
    CliRun.Result other = CliRun.run(sweep("5steps"));
    assertEquals(2, other.code());
    assertTrue(other.err().contains("other settings"), other.err());
    CliRun.Result resume = CliRun.run("sweep", "--out", dir.resolve("sw").toString(), "--resume");
    assertEquals(0, resume.code(), resume.err());
    assertTrue(resume.out().contains("best so far: cell-02"), resume.out());

    CramjetMetrics metrics = new CramjetMetrics();
    SweepCommand.publish(SweepState.open(dir.resolve("sw"), null), metrics);
    String text = new String(MetricsText.render(metrics.registry()), StandardCharsets.UTF_8);
    assertTrue(text.contains("cramjet_sweep_cells{state=\"done\"} 2.0"), text);
    assertTrue(text.contains("cramjet_sweep_cells{state=\"queued\"} 0.0"), text);
    double bestLoss = state.path("cells").get(1).path("result").path("held_out_loss").asDouble();
    assertTrue(text.contains("cramjet_sweep_best_loss " + bestLoss), text);
  }

  @Test
  void badInputExitsTwo() {
    CliRun.Result noGrid = CliRun.run("sweep", "--config", "tiny-synthetic", "--budget", "2steps", "--out", dir.toString());
    assertEquals(2, noGrid.code());
    assertTrue(noGrid.err().contains("at least one --grid"), noGrid.err());
    CliRun.Result badKey = CliRun.run(sweep("2steps", "--grid", "lr=1,2"));
    assertEquals(2, badKey.code());
    assertTrue(badKey.err().contains("'lr' is not a config key"), badKey.err());
    CliRun.Result badBudget = CliRun.run(sweep("soon"));
    assertEquals(2, badBudget.code());
    CliRun.Result ctlAction = CliRun.run("ctl", "pause", "--run", dir.resolve("sw").toString());
    assertEquals(1, ctlAction.code(), "no daemon and no sweep there yet: " + ctlAction.err());
  }
}
