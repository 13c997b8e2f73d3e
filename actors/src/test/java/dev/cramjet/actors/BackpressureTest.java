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

  @Test
  void withTheNormalLoaderTheWaitStaysUnderOnePercentOfStepTime() {
    // A model big enough that a step is real work (hidden 128, rows of 64), as on the tiny benchmark arch.
    RunConfig cfg = TestRuns.config("40steps", """
        arch { hidden = 128, intermediate = 512, heads = 2, vocab-size = 512, max-seq-len = 64 }
        train { micro-batch = 16, batch-size = 32 }
        """);
    StatusBoard board = run(cfg, dev.cramjet.data.SyntheticRows.standard(64, 512, 3), tmp.resolve("normal"));
    StatusBoard.DataWait w = board.dataWait();
    assertEquals(40, w.steps());
    assertTrue(w.ratio() < 0.01, "steady-state data wait must stay under 1% of step time: " + w);
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
