package dev.cramjet.actors.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.cramjet.actors.ControlAction;
import dev.cramjet.actors.ControlReply;
import dev.cramjet.actors.RunPhase;
import dev.cramjet.actors.StatusBoard;
import dev.cramjet.budget.BudgetClock;
import dev.cramjet.checkpoint.CheckpointStore;
import dev.cramjet.checkpoint.Snapshot;
import dev.cramjet.checkpoint.Tensors;
import dev.cramjet.config.RunConfig;
import dev.cramjet.train.MaskedBatch;
import dev.cramjet.train.MlmTrainer;
import dev.cramjet.train.StepPlan;
import dev.cramjet.train.TrainConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;

/**
 * The one actor that does training math. It owns an {@link MlmTrainer} and all its native memory, and must run on a
 * pinned dispatcher (one thread, DJL-NOTES #9). It follows exactly the rules of the foreground loop ({@link StepPlan}):
 * before each step it reads the budget fraction t, takes that many micro-batches in row order, steps at the scheduled
 * learning rate, records the step on the budget clock, applies the non-finite-loss policy (skip and count; after
 * {@code train.max-bad-steps} in a row, roll back to the newest checkpoint while the data moves on) and checkpoints when
 * due. So a daemon and a {@code pretrain} run of one config and step budget reach the same parameters.
 *
 * <p>Data comes by demand: the trainer grants the assembler room for two full steps of micro-batches and gives one
 * back for each it consumes, so the next step's batches are requested while the current one runs. When a step is due
 * and its batches are not there, the wait is timed (the data wait on the status board). Each step is one message, so
 * control commands are handled between steps. Snapshots for checkpoints and evaluations are host copies made here;
 * the writing and the evaluating happen on other actors.
 */
public final class Trainer {
  private Trainer() {}

  public sealed interface Command
      permits Control, PoisonParameters, BudgetSpent, BatchArrived, StepNow, CheckpointDone, EvalDone {}

  /** A control action from the API, answered on {@code replyTo}. */
  public record Control(ControlAction action, ActorRef<ControlReply> replyTo) implements Command {}

  /**
   * Fault injection for drills and tests: sets the first parameter to NaN, so the next losses are not finite and the
   * non-finite policy runs for real.
   */
  public enum PoisonParameters implements Command { INSTANCE }

  /** The budget keeper saw the budget spent (matters when the trainer is waiting for data). */
  public enum BudgetSpent implements Command { INSTANCE }

  private record BatchArrived(MicroBatch batch) implements Command {}

  private enum StepNow implements Command { INSTANCE }

  private record CheckpointDone(Checkpointer.Written written, Throwable failure, ActorRef<ControlReply> requester,
      boolean last) implements Command {}

  private record EvalDone(Evaluator.Result result) implements Command {}

  /** Told to the parent when training has ended and nothing more will be written. */
  public record Finished(RunPhase phase, long step, String checkpoint, String error) {}

  /**
   * @param resumeFrom a checkpoint folder to restore parameters and optimizer from, or null
   * @param vocabHash recorded in checkpoints
   */
  public record Settings(RunConfig config, Path resumeFrom, String vocabHash, int seqLen) {}

  /** The actors the trainer talks to; {@code evaluator} may be null (no evaluation). */
  public record Peers(ActorRef<BudgetKeeper.Command> budgetKeeper, ActorRef<BatchAssembler.Command> assembler,
      ActorRef<Checkpointer.Command> checkpointer, ActorRef<Evaluator.Command> evaluator,
      ActorRef<Finished> parent) {}

  public static Behavior<Command> create(Settings settings, BudgetClock clock, CheckpointStore store, Peers peers,
      StatusBoard board) {
    return Behaviors.setup(ctx -> new Loop(ctx, settings, clock, store, peers, board).start());
  }

  private static final class Loop {
    private static final Duration CHECKPOINT_TIMEOUT = Duration.ofMinutes(30);

    private final ActorContext<Command> ctx;
    private final Settings settings;
    private final TrainConfig tc;
    private final StepPlan plan;
    private final BudgetClock clock;
    private final CheckpointStore store;
    private final Peers peers;
    private final StatusBoard board;
    private final NDManager manager;
    private final MlmTrainer trainer;
    private final ActorRef<MicroBatch> batchInbox;
    private final ActorRef<Evaluator.Result> evalInbox;
    private final ArrayDeque<MicroBatch> buffer = new ArrayDeque<>();

    private long step;
    private long tokens;
    private long rowsConsumed;
    private long lastCheckpointStep;
    private double lastCheckpointUsed;
    private double lastLoss = Double.NaN;
    private int badInARow;
    private long skipped;
    private long rollbacks;
    private boolean stepScheduled;
    private long waitStart = -1;
    private long waitNanos;
    private long steadyWaitNanos;
    private long stepNanos;
    private long timedSteps;
    private StatusBoard.Progress progress = StatusBoard.Progress.starting();
    private boolean released;

    Loop(ActorContext<Command> ctx, Settings settings, BudgetClock clock, CheckpointStore store, Peers peers,
        StatusBoard board) throws Exception {
      this.ctx = ctx;
      this.settings = settings;
      this.tc = settings.config().train();
      this.plan = new StepPlan(settings.config());
      this.clock = clock;
      this.store = store;
      this.peers = peers;
      this.board = board;
      DjlThread.prepare();
      this.manager = NDManager.newBaseManager();
      MlmTrainer t = null;
      try {
        t = new MlmTrainer(settings.config().arch(), tc, manager);
        if (settings.resumeFrom() != null) {
          Snapshot s = CheckpointStore.read(settings.resumeFrom());
          t.restore(s, settings.resumeFrom().toString());
          step = s.state().step();
          tokens = s.state().tokens();
          rowsConsumed = s.state().rowsConsumed();
        }
      } catch (Exception | Error e) {
        if (t != null) {
          t.close();
        }
        manager.close();
        throw e;
      }
      this.trainer = t;
      this.lastCheckpointStep = step;
      this.lastCheckpointUsed = clock.used();
      this.batchInbox = ctx.messageAdapter(MicroBatch.class, BatchArrived::new);
      this.evalInbox = ctx.messageAdapter(Evaluator.Result.class, EvalDone::new);
    }

    Behavior<Command> start() {
      // Room for two full steps: the next step's batches are on their way while this one runs.
      peers.assembler().tell(new BatchAssembler.Demand(2 * plan.maxMicroBatches(), batchInbox));
      peers.budgetKeeper().tell(BudgetKeeper.Start.INSTANCE);
      publish(RunPhase.TRAINING, "");
      scheduleStep();
      return training();
    }

    // ---- states ----

    private Behavior<Command> training() {
      return common(Behaviors.receive(Command.class))
          .onMessageEquals(StepNow.INSTANCE, this::onStep)
          .onMessageEquals(BudgetSpent.INSTANCE, () -> {
            scheduleStep(); // the step checks the clock
            return Behaviors.same();
          })
          .onMessage(Control.class, this::onControlTraining)
          .build();
    }

    private Behavior<Command> paused() {
      return common(Behaviors.receive(Command.class))
          .onMessageEquals(StepNow.INSTANCE, () -> {
            stepScheduled = false;
            return Behaviors.same();
          })
          .onMessageEquals(BudgetSpent.INSTANCE, Behaviors::same)
          .onMessage(Control.class, this::onControlPaused)
          .build();
    }

    private Behavior<Command> stopping(RunPhase endPhase) {
      return Behaviors.receive(Command.class)
          .onMessage(BatchArrived.class, b -> Behaviors.same())
          .onMessage(EvalDone.class, this::onEvalDone)
          .onMessage(CheckpointDone.class, d -> d.last() ? onFinalCheckpoint(d, endPhase) : onCheckpointDone(d))
          .onMessage(Control.class, c -> {
            c.replyTo().tell(ControlReply.conflict("the run is stopping", step));
            return Behaviors.same();
          })
          .onMessage(Command.class, c -> Behaviors.same())
          .onSignal(PostStop.class, s -> release())
          .build();
    }

    private BehaviorBuilder<Command> common(BehaviorBuilder<Command> b) {
      return b.onMessage(BatchArrived.class, this::onBatch)
          .onMessage(CheckpointDone.class, this::onCheckpointDone)
          .onMessage(EvalDone.class, this::onEvalDone)
          .onMessageEquals(PoisonParameters.INSTANCE, this::onPoison)
          .onSignal(PostStop.class, s -> release());
    }

    // ---- stepping ----

    private Behavior<Command> onBatch(BatchArrived b) {
      buffer.add(b.batch());
      if (waitStart >= 0) {
        scheduleStep();
      }
      return Behaviors.same();
    }

    private Behavior<Command> onStep() {
      stepScheduled = false;
      if (clock.isSpent()) {
        return finish(RunPhase.FINISHED, null, "budget spent");
      }
      double t = clock.fraction();
      int micro = plan.microBatchesAt(t);
      long now = System.nanoTime();
      if (buffer.size() < micro) {
        if (waitStart < 0) {
          waitStart = now;
        }
        return Behaviors.same(); // the next batch to arrive schedules the step again
      }
      if (waitStart >= 0) {
        long waited = now - waitStart;
        waitNanos += waited;
        if (timedSteps > 0) {
          steadyWaitNanos += waited; // the first fill of the pipeline is not a steady-state wait
        }
        waitStart = -1;
      }
      try {
        trainOneStep(t, micro);
      } catch (RuntimeException e) {
        ctx.getLog().error("training failed at step {}", step, e);
        return fail(e.getMessage() == null ? e.toString() : e.getMessage());
      }
      if (plan.checkpointDue(step - lastCheckpointStep, clock.used() - lastCheckpointUsed) && !clock.isSpent()) {
        checkpoint(null, false);
      }
      scheduleStep();
      return Behaviors.same();
    }

    private void trainOneStep(double t, int micro) {
      List<MaskedBatch> batches = new ArrayList<>(micro);
      for (int i = 0; i < micro; i++) {
        MicroBatch mb = buffer.poll();
        if (mb.firstRow() != rowsConsumed) {
          throw new IllegalStateException("batch out of order: expected row " + rowsConsumed + ", got " + mb.firstRow());
        }
        batches.add(mb.masked());
        rowsConsumed += mb.rows();
      }
      peers.assembler().tell(new BatchAssembler.Demand(micro, batchInbox));
      double lr = plan.lrAt(t);
      long s0 = System.nanoTime();
      MlmTrainer.StepResult r = trainer.step(batches, lr);
      stepNanos += System.nanoTime() - s0;
      timedSteps++;
      long stepTokens = (long) r.rows() * settings.seqLen();
      step++;
      tokens += stepTokens;
      clock.recordStep(stepTokens);
      if (r.skipped()) {
        skipped++;
        badInARow++;
        ctx.getLog().warn("step {}: non-finite loss or gradient (loss {}, grad norm {}), update skipped ({} in a row)",
            step, r.loss(), r.gradNorm(), badInARow);
        if (badInARow >= tc.maxBadSteps()) {
          rollBack();
          badInARow = 0;
        }
      } else {
        badInARow = 0;
        lastLoss = r.loss();
      }
      progress = new StatusBoard.Progress(RunPhase.TRAINING, step, tokens, r.loss(), r.accuracy(), lr, r.rows(),
          r.gradNorm(), skipped, rollbacks, rowsConsumed, "");
      board.progress(progress);
      publishWait();
      if (step % tc.logEvery() == 0) {
        ctx.getLog().info("step {} loss {} lr {} rows {} data wait {}%", step, String.format("%.4f", r.loss()),
            String.format("%.3g", lr), r.rows(), String.format("%.2f", 100 * board.dataWait().ratio()));
      }
    }

    private void rollBack() {
      Optional<Path> latest;
      try {
        latest = store.latest();
        if (latest.isEmpty()) {
          throw new IllegalStateException("training diverged: " + tc.maxBadSteps()
              + " non-finite steps in a row and no checkpoint to roll back to (try a lower train.lr)");
        }
        trainer.restore(CheckpointStore.read(latest.get()), latest.get().toString());
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      rollbacks++;
      ctx.getLog().warn("rolled back to {} after {} non-finite steps in a row", latest.get(), tc.maxBadSteps());
    }

    private void scheduleStep() {
      if (!stepScheduled) {
        stepScheduled = true;
        ctx.getSelf().tell(StepNow.INSTANCE);
      }
    }

    // ---- control ----

    private Behavior<Command> onControlTraining(Control c) {
      switch (c.action()) {
        case PAUSE -> {
          peers.budgetKeeper().tell(BudgetKeeper.PauseClock.INSTANCE);
          waitStart = -1; // paused time is not data wait
          publish(RunPhase.PAUSED, "");
          c.replyTo().tell(ControlReply.ok("paused after step " + step, step));
          return paused();
        }
        case RESUME -> c.replyTo().tell(ControlReply.conflict("the run is not paused", step));
        default -> {
          return onControlAny(c);
        }
      }
      return Behaviors.same();
    }

    private Behavior<Command> onControlPaused(Control c) {
      switch (c.action()) {
        case PAUSE -> c.replyTo().tell(ControlReply.conflict("the run is already paused", step));
        case RESUME -> {
          peers.budgetKeeper().tell(BudgetKeeper.ResumeClock.INSTANCE);
          publish(RunPhase.TRAINING, "");
          c.replyTo().tell(ControlReply.ok("resumed at step " + step, step));
          scheduleStep();
          return training();
        }
        default -> {
          return onControlAny(c);
        }
      }
      return Behaviors.same();
    }

    /** Actions allowed both while training and while paused. */
    private Behavior<Command> onControlAny(Control c) {
      switch (c.action()) {
        case CHECKPOINT -> checkpoint(c.replyTo(), false);
        case EVALUATE -> {
          if (peers.evaluator() == null) {
            c.replyTo().tell(ControlReply.conflict("this run has no evaluator", step));
          } else if (board.evaluating()) {
            c.replyTo().tell(ControlReply.conflict("an evaluation is already running", step));
          } else {
            board.evaluating(true);
            peers.evaluator().tell(new Evaluator.Evaluate(step, Tensors.toHost(trainer.model().params().all()),
                evalInbox));
            c.replyTo().tell(ControlReply.ok("evaluating the parameters of step " + step
                + "; the result will be in the status", step));
          }
        }
        case STOP -> {
          return finish(RunPhase.STOPPED, c.replyTo(), "stopped on request");
        }
        default -> throw new IllegalStateException("unhandled " + c.action());
      }
      return Behaviors.same();
    }

    private Behavior<Command> onPoison() {
      NDArray first = trainer.model().params().all().values().iterator().next();
      try (NDArray nan = first.getManager().create(Float.NaN)) {
        first.muli(nan);
      }
      ctx.getLog().warn("parameters poisoned with NaN (fault injection)");
      return Behaviors.same();
    }

    // ---- checkpoints, evaluation, the end ----

    private void checkpoint(ActorRef<ControlReply> requester, boolean last) {
      Snapshot s = trainer.snapshot(plan.checkpointState(step, tokens, rowsConsumed, clock.elapsedNanos(), lastLoss,
          settings.vocabHash()));
      lastCheckpointStep = step;
      lastCheckpointUsed = clock.used();
      ctx.ask(Checkpointer.Written.class, peers.checkpointer(), CHECKPOINT_TIMEOUT,
          ref -> new Checkpointer.Write(s, ref), (w, err) -> new CheckpointDone(w, err, requester, last));
    }

    private Behavior<Command> onCheckpointDone(CheckpointDone d) {
      String error = d.failure() != null ? d.failure().toString() : d.written().error();
      if (error != null) {
        ctx.getLog().error("checkpoint failed: {}", error);
      } else {
        ctx.getLog().info("checkpoint {} ({} bytes, {} s)", d.written().folder(), d.written().bytes(),
            String.format("%.2f", d.written().seconds()));
      }
      if (d.requester() != null) {
        d.requester().tell(error != null
            ? new ControlReply(false, "checkpoint failed: " + error, step, null)
            : new ControlReply(true, "checkpoint written", d.written().step(), d.written().folder().toString()));
      }
      return Behaviors.same();
    }

    private Behavior<Command> onEvalDone(EvalDone e) {
      board.evaluating(false);
      Evaluator.Result r = e.result();
      ctx.getLog().info("evaluation of step {}: loss {} accuracy {}", r.step(), r.loss(), r.accuracy());
      return Behaviors.same();
    }

    private Behavior<Command> finish(RunPhase endPhase, ActorRef<ControlReply> requester, String why) {
      peers.budgetKeeper().tell(BudgetKeeper.PauseClock.INSTANCE);
      publish(RunPhase.STOPPING, why);
      checkpoint(requester, true);
      return stopping(endPhase);
    }

    private Behavior<Command> onFinalCheckpoint(CheckpointDone d, RunPhase endPhase) {
      onCheckpointDone(d);
      String error = d.failure() != null ? d.failure().toString() : d.written().error();
      if (error != null) {
        return fail("final checkpoint failed: " + error);
      }
      publish(endPhase, "");
      peers.parent().tell(new Finished(endPhase, step, d.written().folder().toString(), null));
      return Behaviors.stopped(this::release);
    }

    private Behavior<Command> fail(String error) {
      publish(RunPhase.FAILED, error);
      peers.parent().tell(new Finished(RunPhase.FAILED, step, null, error));
      return Behaviors.stopped(this::release);
    }

    private void publish(RunPhase phase, String message) {
      progress = progress.withPhase(phase, message);
      board.progress(progress);
    }

    private void publishWait() {
      board.dataWait(new StatusBoard.DataWait(waitNanos / 1e9, steadyWaitNanos / 1e9, stepNanos / 1e9, timedSteps,
          buffer.size()));
    }

    private Behavior<Command> release() {
      if (released) {
        return Behaviors.same();
      }
      released = true;
      trainer.close();
      manager.close(); // all native memory of the model and optimizer
      return Behaviors.same();
    }
  }
}
