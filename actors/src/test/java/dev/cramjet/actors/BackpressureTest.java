package dev.cramjet.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cramjet.actors.runtime.RunSupervisor;
import dev.cramjet.actors.runtime.Trainer;
import dev.cramjet.checkpoint.CheckpointStore;
import dev.cramjet.config.RunConfig;
import dev.cramjet.data.ForwardingRowSource;
import dev.cramjet.data.RowSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer's measured data wait, a slow loader against a normal one, and a loader that crashes once. */
class BackpressureTest {
  static final ActorTestKit kit = ActorTestKit.create();
  static final Duration LONG = Duration.ofSeconds(120);

  @TempDir Path tmp;

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  private StatusBoard run(RunConfig cfg, RowSource data, Path dir) {
    StatusBoard board = new StatusBoard();
    TestProbe<Trainer.Finished> done = kit.createTestProbe();
    kit.spawn(RunSupervisor.create(TestRuns.spec(cfg, data, dir), board, done.getRef()));
    assertEquals(RunPhase.FINISHED, done.expectMessageClass(Trainer.Finished.class, LONG).phase());
    return board;
  }

  @Test
  void aSlowLoaderMakesTheTrainerWaitAndTheWaitShowsIt() {
    // 50 ms a row, 8 rows a micro-batch, 2 micro-batches a step, one loader: 800 ms of reading per step, far more
    // than a step of this model takes.
    StatusBoard board = run(TestRuns.config("6steps", "train.ramp-fraction = 0"), TestRuns.slow(TestRuns.data(), 50),
        tmp.resolve("slow"));
    StatusBoard.DataWait w = board.dataWait();
    assertEquals(6, w.steps());
    assertTrue(w.steadyWaitSeconds() > 5 * 0.8 / 2, "at least half the reading time after the first step: " + w);
    assertTrue(w.ratio() > 0.5, "the wait is a large share of step time: " + w);
  }

  /**
   * Functional only: with the normal loader every row arrives once and in order and the trainer is never handed more
   * than it asked for. How small the wait is, is timing, so it is the benchmark's: {@code bin/cramjet bench api-load
   * --json} reports {@code data_wait_ratio} for the whole platform, against {@code data_wait_target_ratio} (1%).
   */
  @Test
  void withTheNormalLoaderEveryRowArrivesOnceInOrderAndTheWaitIsMeasured() throws Exception {
    RunConfig cfg = TestRuns.config("40steps", "");
    // Finished, not failed: the trainer fails the run on a batch out of row order.
    StatusBoard board = run(cfg, TestRuns.data(), tmp.resolve("normal"));
    StatusBoard.Progress p = board.progress();
    assertEquals(40, p.step());
    assertEquals(CheckpointStore.readState(CheckpointStore.resolve(tmp.resolve("normal"))).rowsConsumed(),
        p.last().rows());
    assertEquals(p.last().rows() * TestRuns.data().seqLen(), p.tokens(), "every consumed row trained on");
    StatusBoard.DataSource d = board.dataSource();
    assertEquals(0, d.retries(), d.toString());
    long loaded = d.rowsLocal() + d.rowsRemote();
    // Demand accounting: rows loaded cover all rows consumed, and exceed them by at most what the assembler may
    // prefetch plus the trainer's credit of two full steps.
    int micro = cfg.train().microBatch();
    int ahead = (RunSupervisor.Tuning.defaults().prefetch() + 2 * cfg.train().batchSize() / micro) * micro;
    assertTrue(loaded >= p.last().rows() && loaded <= p.last().rows() + ahead,
        "loaded " + loaded + " rows for " + p.last().rows() + " consumed: " + d);
    StatusBoard.DataWait w = board.dataWait();
    assertEquals(40, w.steps());
    assertTrue(Double.isFinite(w.waitSeconds()) && w.waitSeconds() >= 0, w.toString());
    assertTrue(w.steadyWaitSeconds() >= 0 && w.steadyWaitSeconds() <= w.waitSeconds(), w.toString());
    assertTrue(w.stepSeconds() > 0 && Double.isFinite(w.ratio()) && w.ratio() >= 0, w.toString());
  }

  @Test
  void aLoaderThatThrowsIsRestartedAndNoRowIsLostOrRepeated() throws Exception {
    AtomicBoolean thrown = new AtomicBoolean();
    RowSource inner = TestRuns.data();
    RowSource flaky = new ForwardingRowSource(inner) {

      @Override
      public void read(long index, int[] dst) {
        if (index == 40 && thrown.compareAndSet(false, true)) {
          throw new IllegalStateException("injected read failure at row 40");
        }
        inner.read(index, dst);
      }
    };
    RunConfig cfg = TestRuns.config("10steps", "");
    StatusBoard board = run(cfg, flaky, tmp.resolve("flaky"));
    assertTrue(thrown.get());
    assertEquals(1, board.dataSource().retries(), "the failed range was asked again once");
    // The same parameters as an undisturbed run: every row arrived once, in order.
    StatusBoard clean = run(cfg, TestRuns.data(), tmp.resolve("clean"));
    assertEquals(clean.progress().last().rows(), board.progress().last().rows());
    var a = TestRuns.checkpointParams(tmp.resolve("flaky"));
    var b = TestRuns.checkpointParams(tmp.resolve("clean"));
    for (String name : a.keySet()) {
      org.junit.jupiter.api.Assertions.assertArrayEquals(b.get(name), a.get(name), 1e-6f, name);
    }
    assertEquals(CheckpointStore.readState(CheckpointStore.resolve(tmp.resolve("clean"))).rowsConsumed(),
        CheckpointStore.readState(CheckpointStore.resolve(tmp.resolve("flaky"))).rowsConsumed());
  }
}
