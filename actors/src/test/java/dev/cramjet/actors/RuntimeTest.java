package dev.cramjet.actors;

import dev.cramjet.train.StepListener;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cramjet.actors.runtime.RunSupervisor;
import dev.cramjet.actors.runtime.Trainer;
import dev.cramjet.checkpoint.CheckpointStore;
import dev.cramjet.config.RunConfig;
import dev.cramjet.testing.Await;
import dev.cramjet.train.PretrainRun;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole runtime in one actor system: the same training as the foreground loop, and the control protocol. */
class RuntimeTest {
  static final ActorTestKit kit = ActorTestKit.create();
  static final Duration LONG = Duration.ofSeconds(60);

  @TempDir Path tmp;

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  /** Every NDArray the engine holds, across all managers. */
  private static int nativeArrays() {
    try (ai.djl.ndarray.NDManager probe = ai.djl.ndarray.NDManager.newBaseManager()) {
      return probe.getParentManager().getManagedArrays().size(); // the engine's system manager
    }
  }

  @Test
  void nativeMemoryIsFreedWhenTheRunStops() throws Exception {
    RunConfig cfg = TestRuns.config("4steps", "");
    int before = nativeArrays();
    TestProbe<Trainer.Finished> done = kit.createTestProbe();
    org.apache.pekko.actor.typed.ActorRef<RunSupervisor.Command> run = kit.spawn(
        RunSupervisor.create(TestRuns.spec(cfg, TestRuns.data(), tmp.resolve("mem")), new StatusBoard(), done.getRef()));
    // The trainer's model and optimizer appear in the count while it lives: sampled often, not to miss them.
    Await.until(LONG, Duration.ofMillis(5), "the count to see the run's arrays (before: " + before + ")",
        RuntimeTest::nativeArrays, n -> n > before);
    assertEquals(4, done.expectMessageClass(Trainer.Finished.class, LONG).step());
    kit.stop(run, LONG); // the trainer's and evaluator's PostStop close their managers
    Await.until(LONG, "the arrays of the run to be freed after it stopped (before: " + before + ")",
        RuntimeTest::nativeArrays, n -> n == before);
  }

  @Test
  void actorRunReachesTheSameParametersAsTheForegroundRun() throws Exception {
    RunConfig cfg = TestRuns.config("10steps", "");
    try (PretrainRun run = new PretrainRun(cfg, TestRuns.data(), tmp.resolve("fg"), null, Double.NaN, "none",
        new StepListener() {})) {
      run.run(() -> false);
    }
    StatusBoard board = new StatusBoard();
    TestProbe<Trainer.Finished> done = kit.createTestProbe();
    kit.spawn(RunSupervisor.create(TestRuns.spec(cfg, TestRuns.data(), tmp.resolve("actors")), board, done.getRef()));
    Trainer.Finished f = done.expectMessageClass(Trainer.Finished.class, LONG);
    assertEquals(RunPhase.FINISHED, f.phase());
    assertEquals(10, f.step());

    Map<String, float[]> fg = TestRuns.checkpointParams(tmp.resolve("fg"));
    Map<String, float[]> actors = TestRuns.checkpointParams(tmp.resolve("actors"));
    assertEquals(fg.keySet(), actors.keySet());
    for (String name : fg.keySet()) {
      assertArrayEquals(fg.get(name), actors.get(name), 1e-6f, name);
    }
    var a = CheckpointStore.readState(CheckpointStore.resolve(tmp.resolve("fg")));
    var b = CheckpointStore.readState(CheckpointStore.resolve(tmp.resolve("actors")));
    assertEquals(a.rowsConsumed(), b.rowsConsumed());
    assertEquals(a.tokens(), b.tokens());
    assertEquals(a.configHash(), b.configHash());
    assertEquals(RunPhase.FINISHED, board.progress().phase());
  }

  @Test
  void pauseResumeCheckpointEvaluateAndStop() throws Exception {
    RunConfig cfg = TestRuns.config("100000steps", "");
    StatusBoard board = new StatusBoard();
    TestProbe<Trainer.Finished> done = kit.createTestProbe();
    ActorRef<RunSupervisor.Command> sup = kit.spawn(
        RunSupervisor.create(TestRuns.spec(cfg, TestRuns.data(), tmp.resolve("run")), board, done.getRef()));
    TestProbe<ControlReply> replies = kit.createTestProbe();

    sup.tell(new RunSupervisor.Control(ControlAction.RESUME, replies.getRef()));
    assertFalse(replies.expectMessageClass(ControlReply.class, LONG).accepted(), "resume while training");

    sup.tell(new RunSupervisor.Control(ControlAction.PAUSE, replies.getRef()));
    ControlReply paused = replies.expectMessageClass(ControlReply.class, LONG);
    assertTrue(paused.accepted());
    sup.tell(new RunSupervisor.Control(ControlAction.PAUSE, replies.getRef()));
    assertFalse(replies.expectMessageClass(ControlReply.class, LONG).accepted(), "pause while paused");
    Thread.sleep(300); // nothing may step while paused
    assertEquals(paused.step(), board.progress().step());
    assertEquals(RunPhase.PAUSED, board.progress().phase());

    sup.tell(new RunSupervisor.Control(ControlAction.CHECKPOINT, replies.getRef()));
    ControlReply ckpt = replies.expectMessageClass(ControlReply.class, LONG);
    assertTrue(ckpt.accepted(), ckpt.message());
    assertEquals(paused.step(), ckpt.step());
    assertEquals(paused.step(), CheckpointStore.readState(Path.of(ckpt.checkpoint())).step());

    sup.tell(new RunSupervisor.Control(ControlAction.EVALUATE, replies.getRef()));
    assertTrue(replies.expectMessageClass(ControlReply.class, LONG).accepted());
    sup.tell(new RunSupervisor.Control(ControlAction.RESUME, replies.getRef()));
    assertTrue(replies.expectMessageClass(ControlReply.class, LONG).accepted());
    Await.until(LONG, "the evaluation of step " + paused.step() + " and training past step " + (paused.step() + 2),
        () -> board.lastEvaluation() != null && board.progress().step() > paused.step() + 2);
    StatusBoard.EvalInfo eval = board.lastEvaluation();
    assertNotNull(eval);
    assertEquals(paused.step(), eval.step());
    assertTrue(eval.loss() > 0 && eval.loss() < 10, "held-out loss " + eval.loss());
    // The evaluation scored the parameters of that step (checkpointed above) on the data's last 32 rows, masked with
    // MlmEvaluator.HELD_OUT_SEED rather than the run's seed: the number a sweep or the demo gives for those rows.
    var snap = CheckpointStore.read(Path.of(ckpt.checkpoint()));
    var data = TestRuns.data();
    int mb = cfg.train().microBatch();
    try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager();
        dev.cramjet.model.CrammedBert model = new dev.cramjet.model.CrammedBert(snap.state().arch(), m, 0)) {
      dev.cramjet.checkpoint.Tensors.copyInto(model.params().all(), snap.params(), ckpt.checkpoint());
      var masker = new dev.cramjet.train.MlmMasker(cfg.train().maskRate(), data.seqLen(),
          Math.max(data.vocabSize(), snap.state().arch().vocabSize()), dev.cramjet.eval.MlmEvaluator.HELD_OUT_SEED);
      assertEquals(dev.cramjet.eval.MlmEvaluator.evaluate(model, data, data.rows() - 32, Math.max(mb, 32 / mb * mb),
          masker, 3).loss(), eval.loss(), 1e-4);
    }
    assertTrue(board.progress().step() > paused.step() + 2, "training went on");

    sup.tell(new RunSupervisor.Control(ControlAction.STOP, replies.getRef()));
    ControlReply stopped = replies.expectMessageClass(ControlReply.class, LONG);
    assertTrue(stopped.accepted());
    Trainer.Finished f = done.expectMessageClass(Trainer.Finished.class, LONG);
    assertEquals(RunPhase.STOPPED, f.phase());
    assertEquals(f.step(), CheckpointStore.readState(CheckpointStore.resolve(tmp.resolve("run"))).step());
    done.expectTerminated(sup, LONG);
  }

  @Test
  void nonFiniteLossesAreSkippedThenRolledBack() throws Exception {
    RunConfig cfg = TestRuns.config("100000steps", "train.max-bad-steps = 3");
    StatusBoard board = new StatusBoard();
    TestProbe<Trainer.Finished> done = kit.createTestProbe();
    ActorRef<RunSupervisor.Command> sup = kit.spawn(
        RunSupervisor.create(TestRuns.spec(cfg, TestRuns.data(), tmp.resolve("run")), board, done.getRef()));
    TestProbe<ControlReply> replies = kit.createTestProbe();
    sup.tell(new RunSupervisor.Control(ControlAction.CHECKPOINT, replies.getRef()));
    assertTrue(replies.expectMessageClass(ControlReply.class, LONG).accepted());
    sup.tell(RunSupervisor.Poison.INSTANCE);
    Await.until(LONG, "a roll-back", board::progress, p -> p.last().rollbacks() > 0);
    assertEquals(1, board.progress().last().rollbacks());
    assertEquals(3, board.progress().last().skippedSteps(), "three bad steps in a row, then the roll-back");
    long after = board.progress().step();
    Await.until(LONG, "3 steps after the roll-back", board::progress, p -> p.step() >= after + 3);
    assertTrue(Double.isFinite(board.progress().loss()), "finite again after the roll-back");
    assertEquals(3, board.progress().last().skippedSteps());
    sup.tell(new RunSupervisor.Control(ControlAction.STOP, replies.getRef()));
    assertEquals(RunPhase.STOPPED, done.expectMessageClass(Trainer.Finished.class, LONG).phase());
  }

  @Test
  void divergenceWithoutACheckpointFailsTheRun() {
    RunConfig cfg = TestRuns.config("100000steps", "train.max-bad-steps = 2");
    StatusBoard board = new StatusBoard();
    TestProbe<Trainer.Finished> done = kit.createTestProbe();
    ActorRef<RunSupervisor.Command> sup = kit.spawn(
        RunSupervisor.create(TestRuns.spec(cfg, TestRuns.data(), tmp.resolve("run")), board, done.getRef()));
    sup.tell(RunSupervisor.Poison.INSTANCE);
    Trainer.Finished f = done.expectMessageClass(Trainer.Finished.class, LONG);
    assertEquals(RunPhase.FAILED, f.phase());
    assertTrue(f.error().contains("no checkpoint to roll back to"), f.error());
    done.expectTerminated(sup, LONG);
  }
}
