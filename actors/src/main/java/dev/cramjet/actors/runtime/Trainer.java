package dev.cramjet.actors.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.cramjet.actors.ControlAction;
import dev.cramjet.actors.ControlReply;
import dev.cramjet.actors.RunPhase;
import dev.cramjet.actors.StatusBoard;
import dev.cramjet.budget.BudgetClock;
import dev.cramjet.budget.ClockState;
import dev.cramjet.checkpoint.CheckpointStore;
import dev.cramjet.checkpoint.Snapshot;
import dev.cramjet.checkpoint.Tensors;
import dev.cramjet.config.RunConfig;
import dev.cramjet.config.TrainConfig;
import dev.cramjet.metrics.TrainingSnapshot;
import dev.cramjet.train.Flops;
import dev.cramjet.train.PeakFlops;
import dev.cramjet.train.MaskedBatch;
import dev.cramjet.train.PretrainRun;
import dev.cramjet.train.StepLogWriter;
import dev.cramjet.train.BadSteps;
import dev.cramjet.train.FinalCheckpointFailed;
import dev.cramjet.train.MlmTrainer;
import dev.cramjet.train.StepPlan;
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
  public record Settings(RunConfig config, Path resumeFrom, String vocabHash, int seqLen, Reporting reporting) {
    public Settings(RunConfig config, Path resumeFrom, String vocabHash, int seqLen) {
      this(config, resumeFrom, vocabHash, seqLen, Reporting.NONE);
    }
  }

  /**
   * Where the trainer reports besides the status board.
   *
   * @param stepLog the run's {@code metrics.jsonl} (appended every {@code train.log-every} steps and at the end), or
   *     null for none
   * @param peakFlops FLOP/s that MFU is measured against: null to take the stored {@code bench peak} result or
   *     measure when training starts, NaN for none ({@link PeakFlops#choose})
   * @param observer told every step (metrics)
   */
  public record Reporting(Path stepLog, Double peakFlops, RunObserver observer) {
    public static final Reporting NONE = new Reporting(null, Double.NaN, RunObserver.NONE);
  }

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
    private ClockState lastCheckpointClock;
    private double lastLoss = Double.NaN;
    private final BadSteps bad;
    private long rollbacks;
    private boolean stepScheduled;
    private long waitStart = -1;
    private long waitNanos;
    private long steadyWaitNanos;
    private long stepNanos;
    private long timedSteps;
    private StatusBoard.Progress progress = StatusBoard.Progress.starting();
    private boolean released;
    private final RunObserver observer;
    private final StepLogWriter stepLog;
    private final double flopsPerToken;
    private final PeakFlops peak;
    private long overflows; // fp16 steps skipped for overflow, this process
    private long windowStart = System.nanoTime();
    private long windowTokens;

    Loop(ActorContext<Command> ctx, Settings settings, BudgetClock clock, CheckpointStore store, Peers peers,
        StatusBoard board) throws Exception {
      this.ctx = ctx;
      this.settings = settings;
      this.tc = settings.config().train();
      this.plan = new StepPlan(settings.config());
      this.bad = new BadSteps(tc.maxBadSteps());
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
      this.observer = settings.reporting().observer();
      this.flopsPerToken = Flops.trainingPerToken(settings.config().arch(), tc.maskRate());
      this.peak = PeakFlops.choose(settings.reporting().peakFlops(), trainer.precision(), manager);
      StepLogWriter log = null;
      if (settings.reporting().stepLog() != null) {
        try {
          log = new StepLogWriter(settings.reporting().stepLog());
        } catch (java.io.IOException e) {
          t.close();
          manager.close();
          throw e;
        }
      }
      this.stepLog = log;
      this.lastCheckpointClock = clock.snapshot();
      this.batchInbox = ctx.messageAdapter(MicroBatch.class, BatchArrived::new);
      this.evalInbox = ctx.messageAdapter(Evaluator.Result.class, EvalDone::new);
    }

    Behavior<Command> start() {
      // Room for two full steps: the next step's batches are on their way while this one runs.
      peers.assembler().tell(new BatchAssembler.Demand(2 * plan.maxMicroBatches(), batchInbox));
      peers.budgetKeeper().tell(BudgetKeeper.Start.INSTANCE);
      observer.onPaused(false);
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
        observer.onDataWait(waited / 1e9);
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
      if (plan.checkpointDue(lastCheckpointClock, clock.snapshot()) && !clock.isSpent()) {
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
      long took = System.nanoTime() - s0;
      stepNanos += took;
      timedSteps++;
      long stepTokens = (long) r.rows() * settings.seqLen();
      step++;
      tokens += stepTokens;
      clock.recordStep(stepTokens);
      boolean rollBackDue = bad.record(r.bad());
      if (r.overflow()) {
        overflows++;
        ctx.getLog().info("step {}: fp16 gradients overflowed, update skipped; loss scale now {}", step,
            r.lossScale() / 2);
      } else if (r.skipped()) {
        ctx.getLog().warn("step {}: non-finite loss or gradient (loss {}, grad norm {}), update skipped ({} in a row)",
            step, r.loss(), r.gradNorm(), rollBackDue ? tc.maxBadSteps() : bad.inARow());
        if (rollBackDue) {
          rollBack();
        }
      } else {
        lastLoss = r.loss();
      }
      progress = new StatusBoard.Progress(RunPhase.TRAINING, step, tokens, r.loss(), r.accuracy(), lr, r.rows(),
          r.gradNorm(), bad.total(), rollbacks, rowsConsumed, "");
      board.progress(progress);
      publishWait();
      report(r, lr, stepTokens, took);
      if (step % tc.logEvery() == 0) {
        ctx.getLog().info("step {} loss {} lr {} rows {} data wait {}%", step, String.format("%.4f", r.loss()),
            String.format("%.3g", lr), r.rows(), String.format("%.2f", 100 * board.dataWait().ratio()));
      }
    }

    /** Metrics every step; a line of {@code metrics.jsonl} every log-every steps and when the budget is spent. */
    private void report(MlmTrainer.StepResult r, double lr, long stepTokens, long stepNanosTaken) {
      windowTokens += stepTokens;
      long now = System.nanoTime();
      double secs = Math.max((now - windowStart) / 1e9, 1e-9);
      double tps = windowTokens / secs;
      double mfu = peak.mfu(tps * flopsPerToken);
      double t = clock.fraction();
      double elapsed = clock.elapsedSeconds();
      observer.onStep(new TrainingSnapshot(step, rowsConsumed, tokens, r.loss(), r.accuracy(), lr, r.rows(),
          r.gradNorm(), tps, mfu, elapsed, TrainingSnapshot.remainingSeconds(plan.budget(), elapsed, t), t,
          overflows, r.lossScale()),
          stepNanosTaken / 1e9);
      observer.onQueueDepth(buffer.size() + board.dataSource().readyMicroBatches());
      if (step % tc.logEvery() == 0 || clock.isSpent()) {
        if (stepLog != null) {
          try {
            stepLog.write(new PretrainRun.StepLog(step, t, elapsed, r.loss(), r.accuracy(), lr, r.rows(),
                r.gradNorm(), tokens, tps, mfu, r.skipped(), overflows, r.lossScale()));
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot append to " + settings.reporting().stepLog(), e);
          }
        }
        windowStart = now;
        windowTokens = 0;
      }
    }

    private void rollBack() {
      Path latest;
      try {
        latest = store.newestValid().checkpoint(); // newer corrupt or non-finite ones are moved aside (and logged)
        if (latest == null) {
          throw new IllegalStateException("training diverged: " + tc.maxBadSteps()
              + " non-finite steps in a row and no checkpoint to roll back to (try a lower train.lr)");
        }
        trainer.restore(CheckpointStore.read(latest), latest.toString());
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      rollbacks++;
      ctx.getLog().warn("rolled back to {} after {} non-finite steps in a row", latest, tc.maxBadSteps());
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
          observer.onPaused(true);
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
          observer.onPaused(false);
          windowStart = System.nanoTime(); // paused time is not training throughput
          windowTokens = 0;
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
      lastCheckpointClock = clock.snapshot();
      ctx.ask(Checkpointer.Written.class, peers.checkpointer(), CHECKPOINT_TIMEOUT,
          ref -> new Checkpointer.Write(s, ref), (w, err) -> new CheckpointDone(w, err, requester, last));
    }

    private static String errorOf(CheckpointDone d, long step) {
      return d.failure() != null ? "checkpoint of step " + step + " failed: " + d.failure() : d.written().error();
    }

    private Behavior<Command> onCheckpointDone(CheckpointDone d) {
      String error = errorOf(d, step);
      if (error != null) {
        ctx.getLog().error("{}", error);
        // Shown in GET /status (last_checkpoint_error), not only counted in a metric.
        board.lastCheckpointError(new StatusBoard.CheckpointError(d.written() != null ? d.written().step() : step,
            java.time.Instant.now().toString(), error, d.last(), null, -1));
      } else {
        ctx.getLog().info("checkpoint {} ({} bytes, {} s)", d.written().folder(), d.written().bytes(),
            String.format("%.2f", d.written().seconds()));
      }
      if (d.requester() != null) {
        d.requester().tell(error != null
            ? new ControlReply(false, error, d.written() != null ? d.written().step() : step, null)
            : new ControlReply(true, d.last()
                ? "stopped after step " + d.written().step() + "; final checkpoint " + d.written().folder()
                : "checkpoint of step " + d.written().step() + " written to " + d.written().folder(),
                d.written().step(), d.written().folder().toString()));
      }
      return Behaviors.same();
    }

    private Behavior<Command> onEvalDone(EvalDone e) {
      board.evaluating(false);
      Evaluator.Result r = e.result();
      ctx.getLog().info("evaluation of step {} (now at step {}): held-out loss {} accuracy {}{}{}", r.step(), step,
          r.loss(), r.accuracy(), r.tasks() == null ? "" : ", task average " + r.tasks().average() + " in "
              + r.reportDir(), r.error() == null ? "" : ", error: " + r.error());
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
      String error = errorOf(d, step);
      if (error != null) {
        // Not a failed run when an older checkpoint is intact: the run ends as it would have, says which checkpoint
        // to resume from, and the daemon exits with its own code.
        Optional<Path> intact = Optional.empty();
        long intactStep = -1;
        try {
          intact = store.newestIntact();
          if (intact.isPresent()) {
            intactStep = CheckpointStore.readState(intact.get()).step();
          }
        } catch (java.io.IOException | RuntimeException e) {
          ctx.getLog().warn("looking for an intact checkpoint: {}", e.toString());
          intact = Optional.empty();
        }
        if (intact.isEmpty()) {
          return fail("final " + error + "; no intact checkpoint to resume from");
        }
        String reason = d.failure() != null ? d.failure().toString() : d.written().reason();
        String message = FinalCheckpointFailed.message(step, reason, intactStep, intact.get());
        ctx.getLog().error("{}", message);
        board.lastCheckpointError(new StatusBoard.CheckpointError(step, board.lastCheckpointError().time(), error,
            true, intact.get().toString(), intactStep));
        publish(endPhase, message);
        peers.parent().tell(new Finished(endPhase, step, intact.get().toString(), message));
        return Behaviors.stopped(this::release);
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
      if (stepLog != null) {
        try {
          stepLog.close();
        } catch (java.io.IOException e) {
          ctx.getLog().warn("closing {}: {}", settings.reporting().stepLog(), e.toString());
        }
      }
      trainer.close();
      manager.close(); // all native memory of the model and optimizer
      return Behaviors.same();
    }
  }
}
