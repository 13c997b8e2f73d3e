package dev.cramjet.actors.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.cramjet.actors.ControlAction;
import dev.cramjet.actors.ControlReply;
import dev.cramjet.actors.RunPhase;
import dev.cramjet.actors.StatusBoard;
import dev.cramjet.checkpoint.CheckpointStore;
import dev.cramjet.checkpoint.Snapshot;
import dev.cramjet.checkpoint.Tensors;
import dev.cramjet.config.RunConfig;
import dev.cramjet.config.TrainConfig;
import dev.cramjet.train.FinalCheckpointFailed;
import dev.cramjet.train.MaskedBatch;
import dev.cramjet.train.MlmTrainer;
import dev.cramjet.train.PeakFlops;
import dev.cramjet.train.StepLedger;
import dev.cramjet.train.StepListener;
import dev.cramjet.train.StepLogWriter;
import dev.cramjet.train.StepRecord;
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
 * pinned dispatcher (one thread, DJL-NOTES #9). The bookkeeping of every step is the {@link StepLedger}'s, the same
 * class the foreground loop uses: the ledger owns the budget clock, says how many micro-batches the next step takes,
 * steps at the scheduled learning rate, applies the non-finite-loss policy and says when a checkpoint is due. So a
 * daemon and a {@code pretrain} run of one config and step budget reach the same parameters. What is left here is the
 * actor's own: its protocol, its buffer of micro-batches, and the time it waits for them.
 *
 * <p>Data comes by demand: the trainer grants the assembler room for two full steps of micro-batches and gives one
 * back for each it consumes, so the next step's batches are requested while the current one runs. When a step is due
 * and its batches are not there, the wait is timed (the data wait on the status board). Each step is one message, so
 * control commands are handled between steps. Snapshots for checkpoints and evaluations are host copies made here;
 * the writing and the evaluating happen on other actors. The budget keeper learns the clock from a
 * {@link BudgetKeeper.Reading} after each step, pause and resume; the status board is written, never read.
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

  /** The budget keeper saw a time budget spent (matters when the trainer is waiting for data). */
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
   * @param observer told the data wait and queue depth (metrics)
   * @param steps told the start, every step and each checkpoint (metrics, a CLI's progress)
   */
  public record Reporting(Path stepLog, Double peakFlops, RunObserver observer, StepListener steps) {
    public static final Reporting NONE = new Reporting(null, Double.NaN, RunObserver.NONE, StepListener.NONE);
  }

  /** The actors the trainer talks to; {@code evaluator} may be null (no evaluation). */
  public record Peers(ActorRef<BudgetKeeper.Command> budgetKeeper, ActorRef<BatchAssembler.Command> assembler,
      ActorRef<Checkpointer.Command> checkpointer, ActorRef<Evaluator.Command> evaluator,
      ActorRef<Finished> parent) {}

  public static Behavior<Command> create(Settings settings, CheckpointStore store, Peers peers, StatusBoard board) {
    return Behaviors.setup(ctx -> new Loop(ctx, settings, store, peers, board).start());
  }

  private static final class Loop implements StepListener {
    private static final Duration CHECKPOINT_TIMEOUT = Duration.ofMinutes(30);

    private final ActorContext<Command> ctx;
    private final Settings settings;
    private final CheckpointStore store;
    private final Peers peers;
    private final StatusBoard board;
    private final NDManager manager;
    private final MlmTrainer trainer;
    private final StepLogWriter stepLog;
    private final StepLedger ledger;
    private final RunObserver observer;
    private final StepListener sinks;
    private final ActorRef<MicroBatch> batchInbox;
    private final ActorRef<Evaluator.Result> evalInbox;
    private final ArrayDeque<MicroBatch> buffer = new ArrayDeque<>();

    private boolean stepScheduled;
    private boolean evaluating;
    private StepLedger.ClockPause pause;
    private long waitStart = -1;
    private long waitNanos;
    private long steadyWaitNanos;
    private long stepNanos;
    private long timedSteps;
    private boolean released;

    Loop(ActorContext<Command> ctx, Settings settings, CheckpointStore store, Peers peers, StatusBoard board)
        throws Exception {
      this.ctx = ctx;
      this.settings = settings;
      this.store = store;
      this.peers = peers;
      this.board = board;
      this.observer = settings.reporting().observer();
      this.sinks = settings.reporting().steps();
      TrainConfig tc = settings.config().train();
      DjlThread.prepare();
      this.manager = NDManager.newBaseManager();
      MlmTrainer t = null;
      StepLogWriter log = null;
      try {
        t = new MlmTrainer(settings.config().arch(), tc, manager);
        Snapshot resumed = null;
        if (settings.resumeFrom() != null) {
          resumed = CheckpointStore.read(settings.resumeFrom());
          t.restore(resumed, settings.resumeFrom().toString());
        }
        PeakFlops peak = PeakFlops.choose(settings.reporting().peakFlops(), t.precision(), manager);
        if (settings.reporting().stepLog() != null) {
          log = new StepLogWriter(settings.reporting().stepLog());
        }
        this.ledger = new StepLedger(settings.config(), settings.seqLen(), t, store, peak,
            resumed == null ? null : resumed.state(),
            StepListener.all(log == null ? StepListener.NONE : log, board, sinks, this));
      } catch (Exception | Error e) {
        if (log != null) {
          log.close();
        }
        if (t != null) {
          t.close();
        }
        manager.close();
        throw e;
      }
      this.trainer = t;
      this.stepLog = log;
      this.batchInbox = ctx.messageAdapter(MicroBatch.class, BatchArrived::new);
      this.evalInbox = ctx.messageAdapter(Evaluator.Result.class, EvalDone::new);
    }

    Behavior<Command> start() {
      // Room for two full steps: the next step's batches are on their way while this one runs.
      peers.assembler().tell(new BatchAssembler.Demand(2 * ledger.maxMicroBatches(), batchInbox, 0));
      ledger.start();
      tellKeeper();
      observer.onPaused(false);
      board.onStep(ledger.last()); // a resumed run shows its checkpoint's totals before its first step
      publish(RunPhase.TRAINING, "");
      scheduleStep();
      return training();
    }

    // ---- what the ledger reports, for the log ----

    @Override
    public void onMessage(String message) {
      ctx.getLog().warn("{}", message);
    }

    @Override
    public void onStep(StepRecord r) {
      if (r.logged()) {
        ctx.getLog().info("step {} loss {} lr {} rows {} data wait {}%", r.step(), String.format("%.4f", r.loss()),
            String.format("%.3g", r.lr()), r.batchRows(), String.format("%.2f", 100 * dataWait().ratio()));
      }
    }

    // ---- states ----

    private Behavior<Command> training() {
      return common(Behaviors.receive(Command.class))
          .onMessageEquals(StepNow.INSTANCE, this::onStepDue)
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
            c.replyTo().tell(ControlReply.conflict("the run is stopping", ledger.steps()));
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

    private Behavior<Command> onStepDue() {
      stepScheduled = false;
      if (ledger.spent()) {
        return finish(RunPhase.FINISHED, null, "budget spent");
      }
      int micro = ledger.microBatchesDue();
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
      StepRecord r;
      try {
        List<MaskedBatch> batches = take(micro);
        // The batches just taken are asked for again now, so they arrive while this step runs.
        peers.assembler().tell(new BatchAssembler.Demand(micro, batchInbox, buffer.size()));
        r = ledger.step(batches);
      } catch (RuntimeException e) {
        ctx.getLog().error("training failed at step {}", ledger.steps() + 1, e);
        return fail(e.getMessage() == null ? e.toString() : e.getMessage());
      }
      stepNanos += (long) (r.stepSeconds() * 1e9);
      timedSteps++;
      tellKeeper();
      board.dataWait(dataWait());
      if (ledger.checkpointDue()) {
        checkpoint(null, false);
      }
      scheduleStep();
      return Behaviors.same();
    }

    /** The next {@code micro} micro-batches of the buffer, which must continue the rows consumed so far. */
    private List<MaskedBatch> take(int micro) {
      List<MaskedBatch> batches = new ArrayList<>(micro);
      long next = ledger.rowsConsumed();
      for (int i = 0; i < micro; i++) {
        MicroBatch mb = buffer.poll();
        if (mb.firstRow() != next) {
          throw new IllegalStateException("batch out of order: expected row " + next + ", got " + mb.firstRow());
        }
        batches.add(mb.masked());
        next += mb.rows();
      }
      return batches;
    }

    private void scheduleStep() {
      if (!stepScheduled) {
        stepScheduled = true;
        ctx.getSelf().tell(StepNow.INSTANCE);
      }
    }

    /** The budget keeper publishes the clock between steps and watches a time budget while the trainer waits. */
    private void tellKeeper() {
      peers.budgetKeeper().tell(new BudgetKeeper.Reading(ledger.clockState(), ledger.clockRunning(),
          System.nanoTime()));
    }

    // ---- control ----

    private Behavior<Command> onControlTraining(Control c) {
      switch (c.action()) {
        case PAUSE -> {
          pause = ledger.pauseClock();
          tellKeeper();
          waitStart = -1; // paused time is not data wait
          observer.onPaused(true);
          publish(RunPhase.PAUSED, "");
          c.replyTo().tell(ControlReply.ok("paused after step " + ledger.steps(), ledger.steps()));
          return paused();
        }
        case RESUME -> c.replyTo().tell(ControlReply.conflict("the run is not paused", ledger.steps()));
        default -> {
          return onControlAny(c);
        }
      }
      return Behaviors.same();
    }

    private Behavior<Command> onControlPaused(Control c) {
      switch (c.action()) {
        case PAUSE -> c.replyTo().tell(ControlReply.conflict("the run is already paused", ledger.steps()));
        case RESUME -> {
          pause.close();
          pause = null;
          tellKeeper();
          observer.onPaused(false);
          publish(RunPhase.TRAINING, "");
          c.replyTo().tell(ControlReply.ok("resumed at step " + ledger.steps(), ledger.steps()));
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
      long step = ledger.steps();
      switch (c.action()) {
        case CHECKPOINT -> checkpoint(c.replyTo(), false);
        case EVALUATE -> {
          if (peers.evaluator() == null) {
            c.replyTo().tell(ControlReply.conflict("this run has no evaluator", step));
          } else if (evaluating) {
            c.replyTo().tell(ControlReply.conflict("an evaluation is already running", step));
          } else {
            evaluating = true;
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
      Snapshot s = ledger.snapshot(settings.vocabHash());
      ctx.ask(Checkpointer.Written.class, peers.checkpointer(), CHECKPOINT_TIMEOUT,
          ref -> new Checkpointer.Write(s, ref), (w, err) -> new CheckpointDone(w, err, requester, last));
    }

    private static String errorOf(CheckpointDone d, long step) {
      return d.failure() != null ? "checkpoint of step " + step + " failed: " + d.failure() : d.written().error();
    }

    private Behavior<Command> onCheckpointDone(CheckpointDone d) {
      long step = ledger.steps();
      String error = errorOf(d, step);
      if (error != null) {
        ctx.getLog().error("{}", error);
        sinks.onCheckpointFailed(error);
        // Shown in GET /status (last_checkpoint_error), not only counted in a metric.
        board.lastCheckpointError(new StatusBoard.CheckpointError(d.written() != null ? d.written().step() : step,
            java.time.Instant.now().toString(), error, d.last(), null, -1));
      } else {
        Checkpointer.Written w = d.written();
        ctx.getLog().info("checkpoint {} ({} bytes, {} s)", w.folder(), w.bytes(), String.format("%.2f", w.seconds()));
        sinks.onCheckpoint(w.folder(), w.seconds(), w.bytes());
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
      evaluating = false;
      board.evaluating(false);
      Evaluator.Result r = e.result();
      ctx.getLog().info("evaluation of step {} (now at step {}): held-out loss {} accuracy {}{}{}", r.step(),
          ledger.steps(), r.loss(), r.accuracy(), r.tasks() == null ? "" : ", task average " + r.tasks().average()
              + " in " + r.reportDir(), r.error() == null ? "" : ", error: " + r.error());
      return Behaviors.same();
    }

    private Behavior<Command> finish(RunPhase endPhase, ActorRef<ControlReply> requester, String why) {
      ledger.stopClock();
      tellKeeper();
      publish(RunPhase.STOPPING, why);
      checkpoint(requester, true);
      return stopping(endPhase);
    }

    private Behavior<Command> onFinalCheckpoint(CheckpointDone d, RunPhase endPhase) {
      onCheckpointDone(d);
      long step = ledger.steps();
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
      peers.parent().tell(new Finished(RunPhase.FAILED, ledger.steps(), null, error));
      return Behaviors.stopped(this::release);
    }

    private void publish(RunPhase phase, String message) {
      board.progress(board.progress().withPhase(phase, message));
    }

    private StatusBoard.DataWait dataWait() {
      return new StatusBoard.DataWait(waitNanos / 1e9, steadyWaitNanos / 1e9, stepNanos / 1e9, timedSteps,
          buffer.size());
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
