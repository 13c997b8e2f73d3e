package dev.cramjet.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cramjet.actors.runtime.RunRows;
import dev.cramjet.actors.runtime.RunSupervisor;
import dev.cramjet.actors.runtime.Trainer;
import dev.cramjet.config.RunConfig;
import dev.cramjet.data.RowSource;
import dev.cramjet.data.RunData;
import dev.cramjet.util.BadInputException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's split of its data: training rows [0, N - H), held-out rows [N - H, N), never trained on. */
class RunRowsTest {
  @TempDir Path tmp;

  /** 100 rows; row i holds tokens 5 + (i + j) % 27; every read is recorded with the reading thread's name. */
  static final class Recorded implements RowSource {
    final Set<String> reads = ConcurrentHashMap.newKeySet();

    @Override
    public int seqLen() {
      return 16;
    }

    @Override
    public long rows() {
      return 100;
    }

    @Override
    public int vocabSize() {
      return 32;
    }

    @Override
    public void read(long index, int[] dst) {
      if (index < 0 || index >= 100) {
        throw new IndexOutOfBoundsException(String.valueOf(index));
      }
      reads.add(index + " " + Thread.currentThread().getName());
      for (int j = 0; j < dst.length; j++) {
        dst[j] = 5 + (int) ((index + j) % 27);
      }
    }
  }

  @Test
  void theHeldOutRangeIsTheLastRowsAndTheTrainingRangeStopsBeforeIt() {
    RunConfig cfg = TestRuns.config("2steps", "daemon.eval-rows = 20"); // micro-batch 8: 16 rows held out
    assertEquals(16, RunRows.heldOutRows(cfg));
    Recorded all = new Recorded();
    RunRows split = RunRows.split(new RunData(cfg, all, "none", null), RunRows.heldOutRows(cfg));
    assertEquals(84, split.firstHeldOut());
    assertEquals(84, split.train().rows());
    assertEquals(16, split.heldOut().rows());
    int[] a = new int[16];
    int[] b = new int[16];
    split.train().read(83, a);
    all.read(83, b);
    assertEquals(b[0], a[0]);
    split.heldOut().read(0, a);
    all.read(84, b);
    assertEquals(b[0], a[0]);
    assertThrows(IndexOutOfBoundsException.class, () -> split.train().read(84, new int[16]));
    assertThrows(IndexOutOfBoundsException.class, () -> split.heldOut().read(16, new int[16]));

    assertNull(RunRows.split(new RunData(cfg, all, "none", null), 0).heldOut());
    assertThrows(BadInputException.class, () -> RunRows.heldOutRows(TestRuns.config("2steps", "daemon.eval-rows = 3")));
    BadInputException tooFew = assertThrows(BadInputException.class,
        () -> RunRows.split(new RunData(cfg, all, "none", null), 96));
    assertTrue(tooFew.getMessage().contains("daemon.eval-rows"), tooFew.getMessage());
  }

  @Test
  void aRunTrainsOnlyOnTheTrainingRangeAndEvaluatesOnlyTheHeldOutOne() throws Exception {
    // 6 steps of 8..16 rows wrap the 28-row training range: a cursor that left it would read held-out rows.
    RunConfig cfg = TestRuns.config("6steps", "daemon.eval-rows = 76");
    Recorded all = new Recorded();
    RunRows split = RunRows.split(new RunData(cfg, all, "none", null), RunRows.heldOutRows(cfg));
    assertEquals(28, split.train().rows());
    ActorTestKit kit = ActorTestKit.create();
    try {
      TestProbe<Trainer.Finished> done = kit.createTestProbe();
      RunSupervisor.Spec spec = new RunSupervisor.Spec(cfg, split.train(), split.heldOut(), tmp, null, "none",
          RunSupervisor.Tuning.defaults().withEvalRows((int) split.heldOut().rows()));
      kit.spawn(RunSupervisor.create(spec, new StatusBoard(), done.getRef()));
      assertEquals(6, done.expectMessageClass(Trainer.Finished.class, Duration.ofSeconds(60)).step());
    } finally {
      kit.shutdownTestKit();
    }
    long trainedAbove = all.reads.stream().filter(r -> !r.contains("evaluator"))
        .mapToLong(r -> Long.parseLong(r.split(" ")[0])).filter(i -> i >= 28).count();
    long evaluated = all.reads.stream().filter(r -> r.contains("evaluator"))
        .mapToLong(r -> Long.parseLong(r.split(" ")[0])).filter(i -> i >= 28).distinct().count();
    long evaluatedBelow = all.reads.stream().filter(r -> r.contains("evaluator"))
        .mapToLong(r -> Long.parseLong(r.split(" ")[0])).filter(i -> i < 28).count();
    assertEquals(0, trainedAbove, "training read held-out rows: " + all.reads);
    assertEquals(72, evaluated, "the evaluator holds the whole held-out range (76 rounded to 72)");
    assertEquals(0, evaluatedBelow);
    assertTrue(all.reads.stream().anyMatch(r -> r.startsWith("27 ")), "the training range is used to its end");
  }
}
