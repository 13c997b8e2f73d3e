package dev.cramjet.actors.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cramjet.actors.ControlAction;
import dev.cramjet.actors.ControlReply;
import dev.cramjet.actors.RunPhase;
import dev.cramjet.actors.StatusBoard;
import dev.cramjet.actors.TestRuns;
import dev.cramjet.checkpoint.CheckpointStore;
import dev.cramjet.config.RunConfig;
import dev.cramjet.data.RowSource;
import dev.cramjet.train.MlmMasker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link Trainer} alone, on the tiny model of {@link TestRuns}, with a {@link TestProbe} for every actor it talks
 * to. The tests drive it only through its messages: they feed micro-batches as it demands them (it gives one credit
 * back for each micro-batch it consumes, so returned credits show that steps ran), answer its checkpoint writes and
 * evaluations, and read its control replies. Nothing here looks at its state, so a rework of its insides that keeps
 * the protocol keeps these tests passing.
 */
class TrainerProtocolTest {
  static final ActorTestKit kit = ActorTestKit.create();
  static final Duration LONG = Duration.ofSeconds(60);
  /** How long "nothing happens" is watched for: a wrong message within it fails, a late one goes unseen. */
  static final Duration QUIET = Duration.ofMillis(300);
  static final AtomicInteger names = new AtomicInteger();

  @TempDir Path tmp;

  final RunConfig cfg = TestRuns.config("100000steps", "");
  final RowSource data = TestRuns.data();
  final MlmMasker masker = new MlmMasker(cfg.train().maskRate(), data.seqLen(), data.vocabSize(), cfg.train().seed());
  final TestProbe<BudgetKeeper.Command> keeper = kit.createTestProbe();
  final TestProbe<BatchAssembler.Command> assembler = kit.createTestProbe();
  final TestProbe<Checkpointer.Command> checkpointer = kit.createTestProbe();
  final TestProbe<Evaluator.Command> evaluator = kit.createTestProbe();
  final TestProbe<Trainer.Finished> parent = kit.createTestProbe();
  final TestProbe<ControlReply> replies = kit.createTestProbe();
  ActorRef<MicroBatch> inbox; // where the trainer wants its batches
  long nextRow; // the data cursor of the batches fed so far

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  private ActorRef<Trainer.Command> start(boolean withEvaluator) {
    ActorRef<Trainer.Command> t = kit.spawn(Trainer.create(
        new Trainer.Settings(cfg, null, "test-vocab", data.seqLen()),
        new CheckpointStore(tmp.resolve("checkpoints"), 2),
        new Trainer.Peers(keeper.getRef(), assembler.getRef(), checkpointer.getRef(),
            withEvaluator ? evaluator.getRef() : null, parent.getRef()),
        new StatusBoard()), "trainer-" + names.incrementAndGet(),
        DispatcherSelector.fromConfig(RunSupervisor.TRAINER_DISPATCHER));
    assertTrue(keeper.expectMessageClass(BudgetKeeper.Reading.class, LONG).running(), "the clock starts");
    return t;
  }

  /**
   * Skips the budget keeper's readings (one after every step) up to the first whose clock is running or not, as
   * asked, and returns it.
   */
  private BudgetKeeper.Reading expectClock(boolean running) {
    for (int i = 0; i < 1000; i++) {
      BudgetKeeper.Reading r = keeper.expectMessageClass(BudgetKeeper.Reading.class, LONG);
      if (r.running() == running) {
        return r;
      }
    }
    throw new AssertionError("no reading with the clock " + (running ? "running" : "stopped"));
  }

  /** The next demand from the trainer; all of them go to one inbox. */
  private BatchAssembler.Demand expectDemand() {
    BatchAssembler.Demand d = assembler.expectMessageClass(BatchAssembler.Demand.class, LONG);
    assertTrue(d.count() > 0, "a demand for " + d.count());
    if (inbox != null) {
      assertEquals(inbox, d.replyTo(), "batches go to one inbox");
    }
    inbox = d.replyTo();
    return d;
  }

  /** Sends the next {@code count} micro-batches in row order, as the assembler does. */
  private void feed(int count) {
    int rows = cfg.train().microBatch();
    int[] row = new int[data.seqLen()];
    for (int i = 0; i < count; i++) {
      int[] tokens = new int[rows * data.seqLen()];
      for (int r = 0; r < rows; r++) {
        data.read(Math.floorMod(nextRow + r, data.rows()), row);
        System.arraycopy(row, 0, tokens, r * data.seqLen(), data.seqLen());
      }
      inbox.tell(MicroBatch.of(nextRow, masker.mask(tokens, rows, nextRow), "test"));
      nextRow += rows;
    }
  }

  /** Starts the trainer and feeds its first demand; returns how many micro-batches that was. */
  private int startAndFeed(ActorRef<Trainer.Command> t) {
    int first = expectDemand().count();
    feed(first);
    return first;
  }

  /**
   * Waits until the trainer has given back {@code n} credits, that is, consumed {@code n} micro-batches in its steps.
   */
  private void expectConsumed(int n) {
    int back = 0;
    while (back < n) {
      back += expectDemand().count();
    }
    assertEquals(n, back, "credits given back for the micro-batches consumed");
  }

  private ControlReply control(ActorRef<Trainer.Command> t, ControlAction a) {
    t.tell(new Trainer.Control(a, replies.getRef()));
    return replies.expectMessageClass(ControlReply.class, LONG);
  }

  private static Checkpointer.Written written(Checkpointer.Write w, Path folder) {
    return new Checkpointer.Written(w.snapshot().state().step(), folder, 0.01, 1234, null, null);
  }

  /** STOP, the final checkpoint answered as written, the parent told: the end of every test. */
  private Trainer.Finished stopAndFinish(ActorRef<Trainer.Command> t) {
    t.tell(new Trainer.Control(ControlAction.STOP, replies.getRef()));
    Checkpointer.Write last = checkpointer.expectMessageClass(Checkpointer.Write.class, LONG);
    Path folder = tmp.resolve("final");
    last.replyTo().tell(written(last, folder));
    Trainer.Finished f = parent.expectMessageClass(Trainer.Finished.class, LONG);
    assertEquals(last.snapshot().state().step(), f.step());
    parent.expectTerminated(t, LONG);
    return f;
  }

  @Test
  void pausedTrainerTakesNoStepAndResumesWhereItStopped() {
    ActorRef<Trainer.Command> t = start(true);
    int batches = startAndFeed(t);
    expectConsumed(batches); // it stepped through all it had, and now waits for data

    ControlReply notPaused = control(t, ControlAction.RESUME);
    assertFalse(notPaused.accepted(), "resume while training");
    assertEquals("the run is not paused", notPaused.message());

    ControlReply paused = control(t, ControlAction.PAUSE);
    assertTrue(paused.accepted(), paused.message());
    assertTrue(paused.step() > 0, "it had stepped: " + paused);
    assertEquals("paused after step " + paused.step(), paused.message());
    expectClock(false); // the budget does not run while paused

    ControlReply twice = control(t, ControlAction.PAUSE);
    assertFalse(twice.accepted(), "pause while paused");
    assertEquals("the run is already paused", twice.message());
    assertEquals(paused.step(), twice.step());

    feed(batches); // everything it asked for arrives while paused: it must not step on it
    assembler.expectNoMessage(QUIET);

    // A checkpoint while paused is of the paused step, and the reply names the folder the checkpointer wrote.
    t.tell(new Trainer.Control(ControlAction.CHECKPOINT, replies.getRef()));
    Checkpointer.Write w = checkpointer.expectMessageClass(Checkpointer.Write.class, LONG);
    assertEquals(paused.step(), w.snapshot().state().step(), "no step while paused");
    assertEquals(nextRow - batches * cfg.train().microBatch(), w.snapshot().state().rowsConsumed(),
        "the batches that came while paused are not consumed");
    replies.expectNoMessage(QUIET); // the reply waits for the write
    Path folder = tmp.resolve("paused");
    w.replyTo().tell(written(w, folder));
    ControlReply ckpt = replies.expectMessageClass(ControlReply.class, LONG);
    assertTrue(ckpt.accepted(), ckpt.message());
    assertEquals(folder.toString(), ckpt.checkpoint());
    assertEquals(paused.step(), ckpt.step());
    assertEquals("checkpoint of step " + paused.step() + " written to " + folder, ckpt.message());

    ControlReply resumed = control(t, ControlAction.RESUME);
    assertTrue(resumed.accepted(), resumed.message());
    assertEquals("resumed at step " + paused.step(), resumed.message());
    expectClock(true);
    expectConsumed(batches); // the batches it held while paused

    Trainer.Finished f = stopAndFinish(t);
    assertTrue(f.step() > paused.step(), "stepped after the resume: " + f);
  }

  @Test
  void stopWritesAFinalCheckpointAndOnlyThenTellsTheParent() {
    ActorRef<Trainer.Command> t = start(true);
    expectConsumed(startAndFeed(t));

    t.tell(new Trainer.Control(ControlAction.STOP, replies.getRef()));
    Checkpointer.Write last = checkpointer.expectMessageClass(Checkpointer.Write.class, LONG);
    long step = last.snapshot().state().step();
    assertTrue(step > 0, "the final checkpoint holds the steps taken: " + step);
    assertEquals(nextRow, last.snapshot().state().rowsConsumed(), "every row fed was consumed");
    expectClock(false); // the budget stops with the run

    // Until the checkpoint is written, the run is stopping: no end yet, and control is refused.
    parent.expectNoMessage(QUIET);
    ControlReply during = control(t, ControlAction.PAUSE);
    assertFalse(during.accepted());
    assertEquals("the run is stopping", during.message());

    Path folder = tmp.resolve("final");
    last.replyTo().tell(written(last, folder));
    ControlReply stopped = replies.expectMessageClass(ControlReply.class, LONG);
    assertTrue(stopped.accepted(), stopped.message());
    assertEquals("stopped after step " + step + "; final checkpoint " + folder, stopped.message());
    assertEquals(folder.toString(), stopped.checkpoint());

    Trainer.Finished f = parent.expectMessageClass(Trainer.Finished.class, LONG);
    assertEquals(new Trainer.Finished(RunPhase.STOPPED, step, folder.toString(), null), f);
    parent.expectTerminated(t, LONG);
    checkpointer.expectNoMessage(QUIET); // one final checkpoint, no more
  }

  @Test
  void evaluateRunsAlongsideStepsAndASecondOneWaitsForTheFirst() {
    ActorRef<Trainer.Command> t = start(true);
    int batches = startAndFeed(t);
    expectConsumed(batches);

    ControlReply first = control(t, ControlAction.EVALUATE);
    assertTrue(first.accepted(), first.message());
    assertEquals("evaluating the parameters of step " + first.step() + "; the result will be in the status",
        first.message());
    Evaluator.Evaluate e = evaluator.expectMessageClass(Evaluator.Evaluate.class, LONG);
    assertEquals(first.step(), e.step());
    assertFalse(e.params().isEmpty(), "the parameters go with the request");

    ControlReply second = control(t, ControlAction.EVALUATE);
    assertFalse(second.accepted(), "a second evaluation while one runs");
    assertEquals("an evaluation is already running", second.message());

    // Training goes on while the evaluator works.
    feed(batches);
    expectConsumed(batches);
    assertFalse(control(t, ControlAction.EVALUATE).accepted(), "still running after more steps");
    evaluator.expectNoMessage(QUIET);

    e.replyTo().tell(new Evaluator.Result(e.step(), 2.5, 0.1, 32, 0.2, null, null, null));
    ControlReply third = control(t, ControlAction.EVALUATE);
    assertTrue(third.accepted(), "the first evaluation has answered: " + third.message());
    Evaluator.Evaluate next = evaluator.expectMessageClass(Evaluator.Evaluate.class, LONG);
    assertEquals(third.step(), next.step());
    assertTrue(next.step() > e.step(), "steps were taken during the first evaluation: " + e.step() + " then "
        + next.step());
    next.replyTo().tell(new Evaluator.Result(next.step(), 2.4, 0.1, 32, 0.2, null, null, null));

    assertEquals(RunPhase.STOPPED, stopAndFinish(t).phase());
  }

  @Test
  void evaluateWithoutAnEvaluatorIsRefused() {
    ActorRef<Trainer.Command> t = start(false);
    ControlReply r = control(t, ControlAction.EVALUATE);
    assertFalse(r.accepted());
    assertEquals("this run has no evaluator", r.message());
    Trainer.Finished f = stopAndFinish(t);
    assertEquals(RunPhase.STOPPED, f.phase());
    assertNull(f.error());
  }
}
