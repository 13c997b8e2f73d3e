package dev.cramjet.actors.runtime;

import dev.cramjet.actors.ControlAction;
import dev.cramjet.actors.ControlReply;
import dev.cramjet.actors.RunPhase;
import dev.cramjet.actors.StatusBoard;
import dev.cramjet.checkpoint.CheckpointState;
import dev.cramjet.checkpoint.CheckpointStore;
import dev.cramjet.config.TrainConfig;
import dev.cramjet.train.RunChecks;
import dev.cramjet.train.RunFolder;
import dev.cramjet.config.RunConfig;
import dev.cramjet.data.RowSource;
import dev.cramjet.train.MlmMasker;
import dev.cramjet.train.StepListener;
import dev.cramjet.train.StepLogWriter;
import dev.cramjet.train.StepPlan;
import dev.cramjet.util.AtomicFiles;
import dev.cramjet.util.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * Starts the actors of one run, routes control actions to the trainer, and ends the run: when the trainer reports
 * that it finished (budget spent or stopped, final checkpoint written) or failed, the supervisor tells its listener
 * and stops, which stops every child (each frees its own resources). Children: a local {@link DataLoader} (restarted
 * on failure), the {@link BatchAssembler}, the {@link Checkpointer} on the blocking-IO dispatcher, the
 * {@link BudgetKeeper}, the {@link Evaluator} and the {@link Trainer} each on a pinned thread of their own. The
 * evaluator exists when rows are held out or the config names fine-tuning tasks ({@link EvalSettings}); when the run
 * ends, an evaluation still fine-tuning is cancelled at its next batch. A trainer
 * that stops without reporting is a failure of the run: its state is not restartable in place (the way back is a
 * resume from the last checkpoint).
 */
public final class RunSupervisor {
  /** Pekko config paths of the dispatchers (see reference.conf). */
  public static final String TRAINER_DISPATCHER = "cramjet.trainer-dispatcher";
  public static final String EVALUATOR_DISPATCHER = "cramjet.evaluator-dispatcher";
  public static final String BLOCKING_DISPATCHER = "cramjet.blocking-dispatcher";

  private RunSupervisor() {}

  public sealed interface Command permits Control, Poison, TrainerFinished, BudgetIsSpent, TrainerTerminated, Shutdown {}

  /** A control action, forwarded to the trainer while the run is live. */
  public record Control(ControlAction action, ActorRef<ControlReply> replyTo) implements Command {}

  /** Fault injection: see {@link Trainer.PoisonParameters}. */
  public enum Poison implements Command { INSTANCE }

  private record TrainerFinished(Trainer.Finished finished) implements Command {}

  private record BudgetIsSpent(BudgetKeeper.Spent spent) implements Command {}

  private enum TrainerTerminated implements Command { INSTANCE }

  private enum Shutdown implements Command { INSTANCE }

  /** How long an ended run lingers before it stops, so the control API can still answer the request that ended it. */
  private static final Duration LINGER = Duration.ofMillis(500);

  /**
   * How the runtime is tuned (not part of the training recipe: none of it changes the parameters reached).
   *
   * @param prefetch micro-batches the assembler keeps loaded ahead
   * @param loadTimeout how long a loader may take for one micro-batch before it is asked elsewhere
   * @param evalRows held-out rows per evaluation (0 = no evaluator)
   * @param budgetTick how often the budget keeper reads the clock
   */
  public record Tuning(int prefetch, Duration loadTimeout, int evalRows, Duration budgetTick) {
    public static Tuning defaults() {
      return new Tuning(8, Duration.ofSeconds(10), 256, Duration.ofMillis(250));
    }

    public Tuning withPrefetch(int p) {
      return new Tuning(p, loadTimeout, evalRows, budgetTick);
    }

    public Tuning withLoadTimeout(Duration d) {
      return new Tuning(prefetch, d, evalRows, budgetTick);
    }

    public Tuning withEvalRows(int n) {
      return new Tuning(prefetch, loadTimeout, n, budgetTick);
    }
  }

  /**
   * One run.
   *
   * @param data the training rows (the local loader reads them; remote loaders must serve the same rows)
   * @param heldOut rows for evaluation, or null to take the last {@code evalRows} rows of {@code data}
   * @param resumeFrom a checkpoint folder, or null for a fresh run
   * @param observer told what the data pipeline and the evaluator do, for metrics ({@link RunObserver#NONE} for
   *     nothing)
   * @param steps told the start, every step and each checkpoint (metrics, a CLI's progress); the run adds its own
   *     {@code metrics.jsonl} and the status board
   * @param peakFlops FLOP/s that MFU in metrics and {@code metrics.jsonl} is measured against; null to take the stored
   *     {@code bench peak} result or measure when training starts; NaN for none
   */
  public record Spec(RunConfig config, RowSource data, RowSource heldOut, Path runDir, Path resumeFrom,
      String vocabHash, Tuning tuning, RunObserver observer, StepListener steps, Double peakFlops) {
    public Spec(RunConfig config, RowSource data, RowSource heldOut, Path runDir, Path resumeFrom, String vocabHash,
        Tuning tuning) {
      this(config, data, heldOut, runDir, resumeFrom, vocabHash, tuning, RunObserver.NONE, StepListener.NONE,
          Double.NaN);
    }

    /** The Receptionist key of remote loaders that serve exactly {@link #data}. */
    public ServiceKey<DataLoader.Command> loaderKey() {
      return DataLoader.serviceKey(DataLoader.dataId(data, vocabHash));
    }
  }

  /**
   * Checks a spec before any actor starts: the data fits the architecture, and a checkpoint to resume from holds the
   * same architecture. Throws {@link BadInputException} naming what to fix.
   */
  public static void validate(Spec spec) throws IOException {
    RunChecks.validate(spec.config().arch(), spec.data(),
        spec.resumeFrom() == null ? null : CheckpointStore.readState(spec.resumeFrom()), spec.resumeFrom());
    EvalSettings.resolve(spec.config(), spec.runDir(), spec.vocabHash()); // daemon.eval: folders, tasks, tokenizer
  }


  /**
   * @param board where the actors publish progress
   * @param listener told when the run has ended (may be null)
   */
  public static Behavior<Command> create(Spec spec, StatusBoard board, ActorRef<Trainer.Finished> listener) {
    return Behaviors.setup(ctx -> {
      try {
        return start(ctx, spec, board, listener);
      } catch (Exception | Error e) {
        ctx.getLog().error("the run could not start", e);
        board.progress(board.progress().withPhase(RunPhase.FAILED, String.valueOf(e.getMessage())));
        if (listener != null) {
          listener.tell(new Trainer.Finished(RunPhase.FAILED, 0, null, "the run could not start: " + e));
        }
        return Behaviors.stopped();
      }
    });
  }

  private static Behavior<Command> start(ActorContext<Command> ctx, Spec spec, StatusBoard board,
      ActorRef<Trainer.Finished> listener) throws IOException {
    validate(spec);
    RunConfig config = spec.config();
    TrainConfig tc = config.train();
    RowSource data = spec.data();
    long startRow = 0;
    long resumedStep = -1;
    if (spec.resumeFrom() != null) {
      CheckpointState s = CheckpointStore.readState(spec.resumeFrom());
      startRow = s.rowsConsumed();
      resumedStep = s.step();
    }
    MlmMasker masker = new MlmMasker(tc.maskRate(), data.seqLen(), data.vocabSize(), tc.seed());
    CheckpointStore store = new CheckpointStore(spec.runDir().resolve("checkpoints"), tc.keepCheckpoints());
    // Crash leftovers go, and metrics.jsonl is cut back to the resumed step, before anything writes.
    for (String m : RunFolder.open(spec.runDir(), store, resumedStep).messages()) {
      ctx.getLog().warn("{}", m); // a crash came before: worth seeing even where info is hidden (the demo)
    }
    Files.createDirectories(spec.runDir());
    AtomicFiles.writeString(spec.runDir().resolve("config.conf"), config.render());
    Tuning tuning = spec.tuning();

    ActorRef<DataLoader.Command> loader = ctx.spawn(DataLoader.create(data, "local"), "data-loader",
        DispatcherSelector.fromConfig(BLOCKING_DISPATCHER));
    ActorRef<BatchAssembler.Command> assembler = ctx.spawn(BatchAssembler.create(
        new BatchAssembler.Settings(tc.microBatch(), startRow, tuning.prefetch(), tuning.loadTimeout()), masker,
        loader, board, spec.loaderKey(), spec.observer()), "batch-assembler");
    ActorRef<Checkpointer.Command> checkpointer = ctx.spawn(Checkpointer.create(store, board), "checkpointer",
        DispatcherSelector.fromConfig(BLOCKING_DISPATCHER));
    ActorRef<BudgetKeeper.Spent> spentInbox = ctx.messageAdapter(BudgetKeeper.Spent.class, BudgetIsSpent::new);
    ActorRef<BudgetKeeper.Command> keeper = ctx.spawn(
        BudgetKeeper.create(new StepPlan(config).budget(), board, spentInbox, tuning.budgetTick()), "budget-keeper");
    ActorRef<Evaluator.Command> evaluator = null;
    Evaluator.Tasks tasks = EvalSettings.resolve(config, spec.runDir(), spec.vocabHash());
    if (tuning.evalRows() > 0 || tasks != null) {
      Evaluator.HeldOut heldOut = null;
      if (tuning.evalRows() > 0) {
        RowSource held = spec.heldOut() != null ? spec.heldOut() : data;
        long first = spec.heldOut() != null ? 0 : Math.max(0, data.rows() - tuning.evalRows());
        int rows = Math.max(tc.microBatch(), tuning.evalRows() / tc.microBatch() * tc.microBatch());
        heldOut = new Evaluator.HeldOut(held, first, rows, tc.microBatch());
      }
      // Held-out rows are masked as sweep cells and the demo mask them (MlmEvaluator.HELD_OUT_SEED), not with the
      // run's seed, so an evaluation here and a sweep's score of the same rows are the same number.
      MlmMasker heldOutMasker = dev.cramjet.eval.MlmEvaluator.heldOutMasker(tc.maskRate(), data, config.arch());
      evaluator = ctx.spawn(Evaluator.create(config.arch(), tc.seed(), heldOutMasker, heldOut, tasks, board,
          spec.observer()), "evaluator", DispatcherSelector.fromConfig(EVALUATOR_DISPATCHER));
    }
    ActorRef<Trainer.Finished> finishedInbox = ctx.messageAdapter(Trainer.Finished.class, TrainerFinished::new);
    ActorRef<Trainer.Command> trainer = ctx.spawn(Trainer.create(
        new Trainer.Settings(config, spec.resumeFrom(), spec.vocabHash(), data.seqLen(),
            new Trainer.Reporting(spec.runDir().resolve(StepLogWriter.FILE_NAME), spec.peakFlops(), spec.observer(),
                spec.steps())),
        store,
        new Trainer.Peers(keeper, assembler, checkpointer, evaluator, finishedInbox), board), "trainer",
        DispatcherSelector.fromConfig(TRAINER_DISPATCHER));
    ctx.watchWith(trainer, TrainerTerminated.INSTANCE);
    return live(ctx, trainer, board, listener, evaluator);
  }

  private static Behavior<Command> live(ActorContext<Command> ctx, ActorRef<Trainer.Command> trainer,
      StatusBoard board, ActorRef<Trainer.Finished> listener, ActorRef<Evaluator.Command> evaluator) {
    return Behaviors.receive(Command.class)
        .onMessage(Control.class, c -> {
          trainer.tell(new Trainer.Control(c.action(), c.replyTo()));
          return Behaviors.same();
        })
        .onMessageEquals(Poison.INSTANCE, () -> {
          trainer.tell(Trainer.PoisonParameters.INSTANCE);
          return Behaviors.same();
        })
        .onMessage(BudgetIsSpent.class, b -> {
          trainer.tell(Trainer.BudgetSpent.INSTANCE);
          return Behaviors.same();
        })
        .onMessage(TrainerFinished.class, f -> ended(ctx, f.finished(), listener, evaluator))
        .onMessageEquals(TrainerTerminated.INSTANCE, () -> {
          if (board.progress().phase() != RunPhase.FAILED) {
            board.progress(board.progress().withPhase(RunPhase.FAILED, "the trainer stopped unexpectedly"));
          }
          return ended(ctx, new Trainer.Finished(RunPhase.FAILED, board.progress().step(), null,
              board.progress().message()), listener, evaluator);
        })
        .build();
  }

  private static Behavior<Command> ended(ActorContext<Command> ctx, Trainer.Finished f,
      ActorRef<Trainer.Finished> listener, ActorRef<Evaluator.Command> evaluator) {
    if (evaluator != null) {
      evaluator.tell(Evaluator.Cancel.INSTANCE); // an evaluation still fine-tuning stops at its next batch
    }
    ctx.getLog().info("run ended: {} at step {} ({})", f.phase(), f.step(),
        f.error() != null ? f.error() : f.checkpoint());
    if (listener != null) {
      listener.tell(f);
    }
    return Behaviors.withTimers(timers -> {
      timers.startSingleTimer(Shutdown.INSTANCE, LINGER);
      return Behaviors.receive(Command.class)
          .onMessageEquals(Shutdown.INSTANCE, Behaviors::stopped)
          .onMessage(Control.class, c -> {
            c.replyTo().tell(ControlReply.conflict("the run has ended (" + f.phase() + ")", f.step()));
            return Behaviors.same();
          })
          .onMessage(Command.class, c -> Behaviors.same())
          .build();
    });
  }
}
