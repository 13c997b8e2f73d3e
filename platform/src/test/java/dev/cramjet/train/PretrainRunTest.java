package dev.cramjet.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.cramjet.checkpoint.CheckpointStore;
import dev.cramjet.config.RunConfig;
import dev.cramjet.data.SyntheticRows;
import dev.cramjet.util.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PretrainRunTest {
  @TempDir Path tmp;

  /** A 2-layer crammed-bert of width 32 on rows of 16 tokens, vocabulary 32; the cpu-short recipe otherwise. */
  static RunConfig config(String budget, String extra) {
    return RunConfig.fromConfig(ConfigFactory.parseString("""
        arch { preset = crammed-bert, name = test, vocab-size = 32, hidden = 32, layers = 2, heads = 2,
               intermediate = 64, max-seq-len = 16 }
        train { preset = cpu-short, budget = %s, micro-batch = 8, batch-size = 16, ramp-fraction = 0.5,
                checkpoint-every = 0, log-every = 1, lr = 3e-3 }
        %s
        """.formatted(budget, extra)), List.of());
  }

  static class Collect implements StepListener {
    final List<StepRecord> steps = new ArrayList<>();
    final List<String> messages = new ArrayList<>();

    @Override
    public void onStep(StepRecord log) {
      steps.add(log);
    }

    @Override
    public void onMessage(String message) {
      messages.add(message);
    }
  }

  @Test
  void learnsARepeatingPatternToNearZeroLoss() throws Exception {
    RunConfig cfg = config("120steps", "train.lr = 1e-2");
    // One 8-token sentence repeated: every masked token is determined by its neighbours.
    SyntheticRows periodic = new SyntheticRows(16, 32, 1, 8, 1);
    Collect c = new Collect();
    try (PretrainRun run = new PretrainRun(cfg, periodic, tmp.resolve("run"), null, Double.NaN, "none", c)) {
      PretrainRun.Summary s = run.run(() -> false);
      assertEquals(120, s.steps());
      double first = c.steps.get(0).loss();
      double last = c.steps.get(c.steps.size() - 1).loss();
      assertTrue(first > 2.5, "starts near ln(32) = 3.47, got " + first);
      assertTrue(last < 0.05, "ends near zero, got " + last);
      assertTrue(c.steps.get(c.steps.size() - 1).accuracy() > 0.95, "accuracy " + c.steps.get(c.steps.size() - 1).accuracy());
      // The ramp doubles the batch at half the budget; the schedule ends at zero.
      assertEquals(8, c.steps.get(0).batchRows());
      assertEquals(16, c.steps.get(c.steps.size() - 1).batchRows());
      assertTrue(Files.isRegularFile(s.lastCheckpoint().resolve("model.safetensors")));
      assertEquals(120, Files.readAllLines(tmp.resolve("run/metrics.jsonl")).size());
    }
  }

  @Test
  void stoppedAndResumedRunReachesTheSameParameters() throws Exception {
    RunConfig cfg = config("10steps", "");
    SyntheticRows data = SyntheticRows.standard(16, 32, 3);
    Map<String, float[]> straight;
    try (PretrainRun run = new PretrainRun(cfg, data, tmp.resolve("a"), null, Double.NaN, "none", new Collect())) {
      run.run(() -> false);
      straight = params(run);
    }
    AtomicInteger calls = new AtomicInteger();
    Path stoppedAt;
    try (PretrainRun run = new PretrainRun(cfg, data, tmp.resolve("b"), null, Double.NaN, "none", new Collect())) {
      PretrainRun.Summary s = run.run(() -> calls.incrementAndGet() > 4);
      assertTrue(s.stoppedEarly());
      assertEquals(4, s.steps());
      stoppedAt = s.lastCheckpoint();
    }
    Collect resumed = new Collect();
    try (PretrainRun run = new PretrainRun(cfg, data, tmp.resolve("b"), CheckpointStore.resolve(tmp.resolve("b")), Double.NaN,
        "none", resumed)) {
      PretrainRun.Summary s = run.run(() -> false);
      assertEquals(10, s.steps());
      assertEquals(6, resumed.steps.size());
      assertEquals(5, resumed.steps.get(0).step());
      Map<String, float[]> after = params(run);
      assertEquals(straight.keySet(), after.keySet());
      for (String name : straight.keySet()) {
        assertArrayEquals(straight.get(name), after.get(name), 1e-5f, name);
      }
    }
    assertTrue(Files.isDirectory(stoppedAt));
  }

  @Test
  void theBudgetClockLeavesOutTheWarmUpStep() throws Exception {
    Collect c = new Collect();
    PretrainRun.Summary s;
    try (PretrainRun run = new PretrainRun(config("1steps", ""), SyntheticRows.standard(16, 32, 3), tmp.resolve("w"),
        null, Double.NaN, "none", c)) {
      s = run.run(() -> false);
    }
    // The logged window spans the step; the budget counts only the bookkeeping after it.
    StepRecord log = c.steps.get(0);
    double window = log.tokens() / log.tokensPerSecond();
    assertTrue(s.elapsedSeconds() < window / 2, "budget " + s.elapsedSeconds() + " s, step window " + window + " s");
  }

  @Test
  void theBudgetClockLeavesOutCheckpointWrites() throws Exception {
    // A listener that takes 300 ms per checkpoint: the periodic checkpoint after step 1 must not eat the budget.
    Collect slow = new Collect() {
      @Override
      public void onCheckpoint(Path folder, double seconds, long bytes) {
        try {
          Thread.sleep(300);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
    PretrainRun.Summary s;
    long wall;
    try (PretrainRun run = new PretrainRun(config("2steps", "train.checkpoint-every = 1steps"),
        SyntheticRows.standard(16, 32, 3), tmp.resolve("c"), null, Double.NaN, "none", slow)) {
      long t0 = System.nanoTime();
      s = run.run(() -> false);
      wall = System.nanoTime() - t0;
    }
    // Two sleeps (the periodic and the final checkpoint) are in the wall time and neither is in the budget.
    assertTrue(s.elapsedSeconds() + 0.45 < wall / 1e9, "budget " + s.elapsedSeconds() + " s of " + wall / 1e9 + " s");
    assertEquals(s.elapsedSeconds(),
        CheckpointStore.readState(CheckpointStore.resolve(tmp.resolve("c"))).budgetElapsedNanos() / 1e9, 1e-9);
  }

  @Test
  void checkpointOfAnotherArchitectureIsRefusedAndNothingIsWritten() throws Exception {
    RunConfig small = config("2steps", "");
    Path runA = tmp.resolve("a");
    try (PretrainRun run = new PretrainRun(small, SyntheticRows.standard(16, 32, 3), runA, null, Double.NaN, "none",
        new Collect())) {
      run.run(() -> false);
    }
    Path ckpt = CheckpointStore.resolve(runA);
    RunConfig wider = RunConfig.fromConfig(ConfigFactory.parseString("arch.hidden = 64")
        .withFallback(small.resolved()), List.of());
    Path runB = tmp.resolve("b");
    BadInputException e = assertThrows(BadInputException.class, () -> new PretrainRun(wider,
        SyntheticRows.standard(16, 32, 3), runB, ckpt, Double.NaN, "none", new Collect()));
    assertTrue(e.getMessage().contains("hidden 32") && e.getMessage().contains("hidden 64"), e.getMessage());
    assertFalse(Files.exists(runB), "a refused resume must not create the run folder");
  }

  @Test
  void corruptCheckpointIsRefusedWithItsFileNamed() throws Exception {
    RunConfig cfg = config("2steps", "");
    Path run = tmp.resolve("a");
    try (PretrainRun r = new PretrainRun(cfg, SyntheticRows.standard(16, 32, 3), run, null, Double.NaN, "none",
        new Collect())) {
      r.run(() -> false);
    }
    Path ckpt = CheckpointStore.resolve(run);
    Path model = ckpt.resolve("model.safetensors");
    byte[] bytes = Files.readAllBytes(model);
    bytes[bytes.length - 3] ^= 0x55;
    Files.write(model, bytes);
    BadInputException e = assertThrows(BadInputException.class, () -> CheckpointStore.read(ckpt));
    assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains("checksum"), e.getMessage());
  }

  static Map<String, float[]> params(PretrainRun run) {
    Map<String, float[]> out = new LinkedHashMap<>();
    run.trainer().model().params().all().forEach((k, v) -> out.put(k, v.toFloatArray()));
    return out;
  }
}
