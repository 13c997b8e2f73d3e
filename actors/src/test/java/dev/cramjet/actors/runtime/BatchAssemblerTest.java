package dev.cramjet.actors.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cramjet.actors.StatusBoard;
import dev.cramjet.train.MaskedBatch;
import dev.cramjet.train.MlmMasker;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The {@link BatchAssembler} alone: a {@link TestProbe} is its only (local) loader and another is the trainer, so each
 * test decides when, in which order and with what a load is answered, and sees exactly what the assembler asks and
 * delivers. Remote loaders are not used here: the assembler only takes loaders on other nodes (ClusterTest).
 */
class BatchAssemblerTest {
  static final ActorTestKit kit = ActorTestKit.create();
  static final Duration LONG = Duration.ofSeconds(30);
  /** Long enough that no answer given promptly in a test is ever late, even on a loaded machine. */
  static final Duration NO_TIMEOUT = Duration.ofMinutes(5);
  /** How long "nothing more happens" is watched for; a wrong message within it fails, a late one goes unseen. */
  static final Duration QUIET = Duration.ofMillis(300);
  static final int ROWS = 4;
  static final int SEQ = 8;
  static final int VOCAB = 32;
  static final AtomicInteger keys = new AtomicInteger();

  final MlmMasker masker = new MlmMasker(0.15, SEQ, VOCAB, 7);
  final StatusBoard board = new StatusBoard();
  final TestProbe<DataLoader.Command> loader = kit.createTestProbe();
  final TestProbe<MicroBatch> trainer = kit.createTestProbe();

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  private ActorRef<BatchAssembler.Command> assembler(int prefetch, Duration loadTimeout) {
    return kit.spawn(BatchAssembler.create(new BatchAssembler.Settings(ROWS, 0, prefetch, loadTimeout), masker,
        loader.getRef(), board, DataLoader.serviceKey("batch-assembler-test-" + keys.incrementAndGet()),
        RunObserver.NONE));
  }

  /** The tokens of row {@code i}: distinct for every row, so a batch shows which rows it holds. */
  private static int[] tokens(long firstRow, int rows) {
    int[] t = new int[rows * SEQ];
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < SEQ; j++) {
        t[r * SEQ + j] = (int) Math.floorMod(5 + (firstRow + r) * 3 + j, VOCAB);
      }
    }
    return t;
  }

  private static void answer(DataLoader.Load load, String by) {
    load.replyTo().tell(new DataLoader.Rows(load.firstRow(), load.rows(), SEQ, tokens(load.firstRow(), load.rows()),
        by));
  }

  private DataLoader.Load expectLoad(long firstRow) {
    DataLoader.Load load = loader.expectMessageClass(DataLoader.Load.class, LONG);
    assertEquals(firstRow, load.firstRow(), "the range asked");
    assertEquals(ROWS, load.rows());
    return load;
  }

  /** The next delivered batch must be rows {@code firstRow..} masked as the foreground loop masks them. */
  private MicroBatch expectBatch(long firstRow, String loadedBy) {
    MicroBatch b = trainer.expectMessageClass(MicroBatch.class, LONG);
    assertEquals(firstRow, b.firstRow(), "batches are delivered in row order");
    assertEquals(ROWS, b.rows());
    assertEquals(loadedBy, b.loadedBy());
    MaskedBatch expected = masker.mask(tokens(firstRow, ROWS), ROWS, firstRow);
    assertArrayEquals(expected.inputIds(), b.inputIds(), "rows " + firstRow + ".. masked by their global index");
    assertArrayEquals(expected.labels(), b.labels());
    return b;
  }

  @Test
  void deliversInRowOrderAndNeverMoreThanDemanded() {
    ActorRef<BatchAssembler.Command> a = assembler(3, NO_TIMEOUT);
    // At most two requests out to one loader, whatever the prefetch.
    DataLoader.Load l0 = expectLoad(0);
    DataLoader.Load l4 = expectLoad(4);
    loader.expectNoMessage(QUIET);

    answer(l4, "loader"); // out of order: held back until rows 0.. are there
    answer(l0, "loader");
    // Two ready, and room for one more load: prefetch counts ready batches and loads in flight.
    DataLoader.Load l8 = expectLoad(8);
    loader.expectNoMessage(QUIET);
    trainer.expectNoMessage(QUIET); // nothing is sent before the trainer asks

    a.tell(new BatchAssembler.Demand(1, trainer.getRef()));
    expectBatch(0, "loader");
    trainer.expectNoMessage(QUIET); // rows 4.. are ready but were not asked for
    DataLoader.Load l12 = expectLoad(12); // a batch went out: room for another load

    a.tell(new BatchAssembler.Demand(2, trainer.getRef()));
    expectBatch(4, "loader");
    trainer.expectNoMessage(QUIET); // one credit left, and rows 8.. are not loaded yet
    answer(l12, "loader");
    trainer.expectNoMessage(QUIET); // rows 12.. wait for rows 8..
    answer(l8, "loader");
    expectBatch(8, "loader");
    trainer.expectNoMessage(QUIET); // three asked, three delivered, though rows 12.. are ready

    a.tell(new BatchAssembler.Demand(2, trainer.getRef()));
    expectBatch(12, "loader");
    DataLoader.Load l16 = expectLoad(16);
    answer(l16, "loader");
    expectBatch(16, "loader");
  }

  @Test
  void aRequestThatTimesOutIsAskedAgainAndItsLateAnswerIsIgnored() {
    ActorRef<BatchAssembler.Command> a = assembler(2, Duration.ofSeconds(2));
    a.tell(new BatchAssembler.Demand(10, trainer.getRef()));
    DataLoader.Load lost = expectLoad(0);
    DataLoader.Load l4 = expectLoad(4);
    answer(l4, "loader");
    // Rows 0.. are never answered in time: after the load timeout the same range is asked again.
    DataLoader.Load again = expectLoad(0);
    answer(lost, "late"); // the first request's answer comes after all: it must not count
    trainer.expectNoMessage(QUIET); // in particular rows 4.. may not overtake rows 0..
    answer(again, "retry");
    expectBatch(0, "retry");
    expectBatch(4, "loader");
    trainer.expectNoMessage(QUIET); // no second copy of rows 0..
    assertEquals(1, board.dataSource().retries(), "one range asked again");

    // The data cursor went on as before: the next ranges are the next rows, each delivered once.
    Set<Long> asked = new HashSet<>();
    for (int i = 0; i < 2; i++) {
      DataLoader.Load l = loader.expectMessageClass(DataLoader.Load.class, LONG);
      assertTrue(asked.add(l.firstRow()), "asked twice for " + l.firstRow());
      answer(l, "loader");
    }
    assertEquals(Set.of(8L, 12L), asked);
    expectBatch(8, "loader");
    expectBatch(12, "loader");
  }

  @Test
  void aWrongAnswerIsAskedAgainNotDelivered() {
    ActorRef<BatchAssembler.Command> a = assembler(1, NO_TIMEOUT);
    a.tell(new BatchAssembler.Demand(2, trainer.getRef()));
    DataLoader.Load l0 = expectLoad(0);
    // A loader that answers another range (a worker serving other data, or a bug) for rows 0..
    l0.replyTo().tell(new DataLoader.Rows(40, ROWS, SEQ, tokens(40, ROWS), "wrong"));
    DataLoader.Load again = expectLoad(0);
    trainer.expectNoMessage(QUIET);
    answer(again, "loader");
    expectBatch(0, "loader");
    expectLoad(4);
    assertEquals(1, board.dataSource().retries());
  }
}
