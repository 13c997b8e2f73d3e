package dev.cramjet.actors.runtime;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.cramjet.actors.StatusBoard;
import dev.cramjet.checkpoint.SafeTensors.Tensor;
import dev.cramjet.checkpoint.Tensors;
import dev.cramjet.data.ForwardingRowSource;
import dev.cramjet.data.RowSource;
import dev.cramjet.eval.EvaluationReport;
import dev.cramjet.eval.FineTuner;
import dev.cramjet.eval.FinetuneConfig;
import dev.cramjet.eval.GlueReport;
import dev.cramjet.eval.MlmEvaluator;
import dev.cramjet.eval.TaskRunner;
import dev.cramjet.eval.TaskSpec;
import dev.cramjet.model.ArchConfig;
import dev.cramjet.model.CrammedBert;
import dev.cramjet.text.TextEncoder;
import dev.cramjet.train.MlmMasker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Evaluates a parameter snapshot while training goes on: first the held-out MLM loss and accuracy
 * ({@link MlmEvaluator}), then, when the run config names tasks ({@code daemon.eval}, see {@link EvalSettings}), a
 * fine-tuning of each task from the snapshot's weights and a score of its dev sets ({@link TaskRunner}, the code of
 * {@code cramjet glue}), with {@code report.json} and {@code report.md} written to {@code
 * <run>/evaluations/step-N/}. Scores go to the status board ({@code last_evaluation}, with {@code evaluating_task}
 * meanwhile) and to metrics ({@code cramjet_eval_score{task="mlm",split="heldout"}} and, per dev set, {@code
 * {task="SST-2",split="dev"}} as a fraction, plus {@code task="average"}).
 *
 * <p>It keeps its own copy of the model for the MLM score (built once, overwritten per request). All its DJL work runs
 * on one thread of its own (DJL state is per thread), so the actor itself stays free for messages while an
 * evaluation runs: {@link Cancel} (the run has ended) is handled at once, and the fine-tuning stops at its next batch
 * with an error instead of task scores. The cancel flag is the actor's own; nobody else touches it. It only ever reads
 * the snapshot the trainer hands over (host copies), never the trainer's arrays. Fine-tuning needs a gradient
 * collector, and DJL allows one per process: the fine-tuner and the trainer open theirs through
 * {@link dev.cramjet.train.GradientLock}, so the two take turns batch by batch and training goes on, more slowly,
 * during the evaluation. One evaluation runs at a time (the trainer asks for no second one until this one replies).
 */
public final class Evaluator {
  private Evaluator() {}

  /** The evaluator's own thread logs here (an actor's context may only be used on the actor's turn). */
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Evaluator.class);

  public sealed interface Command permits Evaluate, Cancel, Evaluated {}

  /** Evaluate {@code params} (host copies, by name) taken at {@code step}. */
  public record Evaluate(long step, Map<String, Tensor> params, ActorRef<Result> replyTo) implements Command {}

  /** The run has ended: an evaluation in progress stops at its next fine-tuning batch. */
  public enum Cancel implements Command { INSTANCE }

  /** An evaluation finished on the evaluator's thread. */
  private record Evaluated(Evaluate request, Result result, Throwable failure) implements Command {}

  /**
   * @param loss held-out MLM loss (NaN when there are no held-out rows)
   * @param tasks the fine-tuning report, or null when no tasks are configured (or they failed: see {@code error})
   * @param reportDir where report.json and report.md were written, or null
   */
  public record Result(long step, double loss, double accuracy, int rows, double seconds, String error,
      GlueReport tasks, Path reportDir) {}

  /**
   * @param source where held-out rows come from
   * @param firstRow index of the first held-out row
   * @param rows how many rows (a multiple of {@code microBatch} is best; the rest is dropped)
   */
  public record HeldOut(RowSource source, long firstRow, int rows, int microBatch) {
    public HeldOut {
      if (rows < microBatch || microBatch < 1) {
        throw new IllegalArgumentException("held-out set needs at least one micro-batch: " + rows + " rows, micro-batch "
            + microBatch);
      }
    }
  }

  /**
   * Fine-tuning tasks to run after the MLM score ({@link EvalSettings#resolve} builds them from the run config).
   *
   * @param title the report's title ("GLUE (dev sets)" or the stand-in suite's)
   * @param outDir the run's {@code evaluations/} folder
   */
  public record Tasks(String title, List<TaskSpec> specs, FinetuneConfig protocol, TextEncoder tokenizer,
      List<Long> seeds, boolean skipBadRows, Path outDir) {
    public Tasks {
      specs = List.copyOf(specs);
      seeds = List.copyOf(seeds);
      if (specs.isEmpty() || seeds.isEmpty()) {
        throw new IllegalArgumentException("need at least one task and one seed");
      }
    }
  }

  /** Task and split names of the held-out MLM score in metrics ({@code cramjet_eval_score{task="mlm"}}). */
  public static final String TASK = "mlm";
  public static final String SPLIT = "heldout";
  /** Split of fine-tuned task scores in metrics, and the task label of their average. */
  public static final String DEV_SPLIT = "dev";
  public static final String AVERAGE = "average";

  public static Behavior<Command> create(ArchConfig arch, long seed, MlmMasker masker, HeldOut heldOut,
      StatusBoard board) {
    return create(arch, seed, masker, heldOut, null, board, RunObserver.NONE);
  }

  /**
   * @param heldOut held-out MLM rows, or null for none (tasks only)
   * @param tasks fine-tuning tasks, or null for none (MLM only)
   * @param observer told each score (metrics)
   */
  public static Behavior<Command> create(ArchConfig arch, long seed, MlmMasker masker, HeldOut heldOut, Tasks tasks,
      StatusBoard board, RunObserver observer) {
    if (heldOut == null && tasks == null) {
      throw new IllegalArgumentException("an evaluator needs held-out rows, tasks, or both");
    }
    return Behaviors.setup(ctx -> {
      ExecutorService djl = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "cramjet-evaluator");
        t.setDaemon(true);
        return t;
      });
      NDManager manager;
      CrammedBert model;
      try {
        manager = CompletableFuture.supplyAsync(() -> {
          DjlThread.prepare();
          return NDManager.newBaseManager();
        }, djl).join();
        model = CompletableFuture.supplyAsync(() -> new CrammedBert(arch, manager, seed), djl).join();
      } catch (RuntimeException e) {
        djl.shutdownNow();
        throw e;
      }
      // The held-out rows are read once, here, and masked per evaluation with their own row index and the masker's
      // fixed seed (MlmEvaluator.HELD_OUT_SEED in a run), so two evaluations of the same parameters agree.
      RowSource held = heldOut == null ? null : Cached.of(heldOut);
      AtomicBoolean cancel = new AtomicBoolean(); // this actor's own: set on Cancel, read by its thread between batches
      Worker w = new Worker(arch, model, masker, heldOut, held, tasks, board, observer, cancel);
      return new Lifecycle(ctx, w, djl, cancel, () -> {
        model.close();
        manager.close(); // native memory of the evaluation copy
      }).idle();
    });
  }

  /** The actor's states: idle, or busy with one evaluation on its thread; cancel works in both. */
  private record Lifecycle(ActorContext<Command> ctx, Worker worker, ExecutorService djl, AtomicBoolean cancel,
      Runnable free) {
    Behavior<Command> idle() {
      return Behaviors.receive(Command.class)
          .onMessage(Evaluate.class, e -> {
            ctx.pipeToSelf(CompletableFuture.supplyAsync(() -> worker.evaluate(e), djl),
                (r, failure) -> new Evaluated(e, r, failure));
            return busy();
          })
          .onMessageEquals(Cancel.INSTANCE, this::onCancel)
          .onSignal(PostStop.class, s -> stop())
          .build();
    }

    private Behavior<Command> busy() {
      return Behaviors.receive(Command.class)
          .onMessage(Evaluate.class, e -> {
            e.replyTo().tell(new Result(e.step(), Double.NaN, Double.NaN, 0, 0, "an evaluation is already running",
                null, null));
            return Behaviors.same();
          })
          .onMessageEquals(Cancel.INSTANCE, this::onCancel)
          .onMessage(Evaluated.class, d -> {
            Result r = d.result();
            if (d.failure() != null) {
              ctx.getLog().error("evaluation of step {} failed", d.request().step(), d.failure());
              r = new Result(d.request().step(), Double.NaN, Double.NaN, 0, 0, "evaluation: " + d.failure(), null,
                  null);
            }
            d.request().replyTo().tell(r);
            return idle();
          })
          .onSignal(PostStop.class, s -> stop())
          .build();
    }

    private Behavior<Command> onCancel() {
      cancel.set(true);
      return Behaviors.same();
    }

    private Behavior<Command> stop() {
      cancel.set(true); // a running fine-tuning stops at its next batch; then the model is freed on its thread
      djl.execute(free);
      djl.shutdown();
      return Behaviors.same();
    }
  }

  /** The evaluation itself, on the evaluator's thread (it may not touch the actor's context). */
  private record Worker(ArchConfig arch, CrammedBert model, MlmMasker masker, HeldOut heldOut, RowSource held,
      Tasks tasks, StatusBoard board, RunObserver observer, AtomicBoolean cancel) {

    Result evaluate(Evaluate e) {
      long start = System.nanoTime();
      MlmEvaluator.Result mlm = null;
      String error = null;
      GlueReport report = null;
      Path reportDir = null;
      if (held != null) {
        board.evaluatingTask(TASK);
        try {
          mlm = mlm(e);
          observer.onEvaluation(TASK, SPLIT, mlm.accuracy());
        } catch (RuntimeException ex) {
          error = "held-out MLM: " + ex;
        }
      }
      if (tasks != null && error == null) {
        try {
          report = TaskRunner.run(tasks.title(), "daemon snapshot of step " + e.step(), arch, e.params(),
              tasks.tokenizer(), tasks.protocol(), tasks.specs(), tasks.seeds(), tasks.skipBadRows(),
              new Progress(board, cancel));
          reportDir = tasks.outDir().resolve(String.format(Locale.ROOT, "step-%08d", e.step()));
          EvaluationReport.write(reportDir, e.step(), mlm, report);
          publishScores(report);
        } catch (Cancelled c) {
          error = "cancelled: the run ended during the evaluation";
          report = null;
        } catch (Exception ex) {
          LOG.error("task evaluation of step {} failed", e.step(), ex);
          error = "tasks: " + ex;
          report = null;
          reportDir = null;
        }
      }
      double secs = (System.nanoTime() - start) / 1e9;
      double loss = mlm == null ? Double.NaN : mlm.loss();
      double acc = mlm == null ? Double.NaN : mlm.accuracy();
      int rows = mlm == null ? 0 : (int) mlm.rows();
      board.lastEvaluation(new StatusBoard.EvalInfo(e.step(), loss, acc, rows, secs, error, board.progress().step(),
          scores(report), report == null ? Double.NaN : report.average(),
          reportDir == null ? null : reportDir.toString()));
      board.evaluatingTask(null);
      return new Result(e.step(), loss, acc, rows, secs, error, report, reportDir);
    }

    private MlmEvaluator.Result mlm(Evaluate e) {
      Tensors.copyInto(model.params().all(), e.params(), "snapshot of step " + e.step());
      try (NDScope arrays = new NDScope()) { // temporaries of the evaluation are freed here, whatever manager they hit
        arrays.suppressNotUsedWarning();
        return MlmEvaluator.evaluate(model, held, heldOut.firstRow(), whole(heldOut), masker, heldOut.microBatch());
      }
    }

    private void publishScores(GlueReport report) {
      for (GlueReport.Entry en : report.entries()) {
        observer.onEvaluation(label(en.name()), DEV_SPLIT, en.score() / 100);
      }
      observer.onEvaluation(AVERAGE, DEV_SPLIT, report.average() / 100);
    }
  }

  /** Held-out rows in whole micro-batches (the rest is dropped). */
  private static int whole(HeldOut h) {
    return h.rows() / h.microBatch() * h.microBatch();
  }

  /** A task name as a metrics label value (letters, digits, '_', '.', '-'; at most 40). */
  static String label(String name) {
    String s = name.replaceAll("[^A-Za-z0-9_.-]", "_");
    return s.isEmpty() ? "_" : s.length() > 40 ? s.substring(0, 40) : s;
  }

  private static List<StatusBoard.TaskScore> scores(GlueReport report) {
    List<StatusBoard.TaskScore> out = new ArrayList<>();
    if (report != null) {
      for (GlueReport.Entry en : report.entries()) {
        out.add(new StatusBoard.TaskScore(en.name(), en.task(), en.score(), en.metrics()));
      }
    }
    return out;
  }

  /** Thrown from the progress listener to stop a fine-tuning when the run has ended. */
  private static final class Cancelled extends RuntimeException {
    Cancelled() {
      super("cancelled", null, false, false);
    }
  }

  /** Says which task runs on the status board, logs epochs, and stops the fine-tuning when the run has ended. */
  private record Progress(StatusBoard board, AtomicBoolean cancel) implements TaskRunner.Listener {
    @Override
    public void onTaskRead(TaskSpec task, int train, int dev, int skipped, String firstProblem) {
      board.evaluatingTask(task.name());
      check();
    }

    @Override
    public void onBatch(String task, long seed, int epoch, int done, int total) {
      check();
    }

    @Override
    public void onEpoch(String task, long seed, int epoch, int epochs, double meanLoss, double examplesPerSecond) {
      LOG.info("evaluation: {} seed {} epoch {}/{}: loss {}, {} examples/s", task, seed, epoch, epochs,
          String.format(Locale.ROOT, "%.4f", meanLoss), String.format(Locale.ROOT, "%.1f", examplesPerSecond));
    }

    @Override
    public void onTaskDone(FineTuner.Result r) {
      check();
    }

    private void check() {
      if (cancel.get()) {
        throw new Cancelled();
      }
    }
  }

  /** The held-out rows, read once into memory, served under their own indices of the source. */
  private static final class Cached extends ForwardingRowSource {
    private final Map<Long, int[]> rows = new java.util.HashMap<>();

    static Cached of(HeldOut h) {
      Cached c = new Cached(h.source());
      int n = whole(h);
      for (long i = 0; i < n; i++) {
        long index = Math.floorMod(h.firstRow() + i, h.source().rows());
        int[] row = new int[h.source().seqLen()];
        h.source().read(index, row);
        c.rows.put(index, row);
      }
      return c;
    }

    private Cached(RowSource inner) {
      super(inner);
    }

    @Override
    public void read(long index, int[] dst) {
      int[] row = rows.get(index);
      if (row == null) {
        throw new IndexOutOfBoundsException("row " + index + " is not a held-out row");
      }
      System.arraycopy(row, 0, dst, 0, row.length);
    }
  }
}
