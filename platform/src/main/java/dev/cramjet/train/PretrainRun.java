package dev.cramjet.train;

import ai.djl.ndarray.NDManager;
import dev.cramjet.budget.Budget;
import dev.cramjet.budget.BudgetClock;
import dev.cramjet.budget.ClockState;
import dev.cramjet.checkpoint.CheckpointState;
import dev.cramjet.checkpoint.CheckpointStore;
import dev.cramjet.checkpoint.CheckpointWriteException;
import dev.cramjet.checkpoint.Snapshot;
import dev.cramjet.config.RunConfig;
import dev.cramjet.config.TrainConfig;
import dev.cramjet.data.RowSource;
import dev.cramjet.model.ArchConfig;
import dev.cramjet.util.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A pretraining run in the foreground, on the calling thread: reads rows, masks them, steps the optimizer with the
 * budget-driven learning rate and batch ramp, logs, and checkpoints until the budget is spent or a stop is asked
 * for. It always ends with a checkpoint, so a stopped run resumes where it stopped. The actor runtime drives the same
 * {@link MlmTrainer} with data prefetched by other actors; this class is the plain single-thread path.
 *
 * <p>The run folder gets {@code config.conf} (the resolved config), {@code metrics.jsonl} (one JSON object per logged
 * step; on a resume it is first cut back to the resumed step) and {@code checkpoints/}; crash leftovers there are
 * removed at the start ({@link RunFolder}). A periodic checkpoint that fails is reported and training goes on; a final
 * one that fails while an older one is intact ends with {@link FinalCheckpointFailed}.
 */
public final class PretrainRun implements AutoCloseable {
  /** Receives what the run reports; the CLI prints it, tests collect it. */
  public interface Listener {
    default void onStart(StartInfo info) {}

    default void onStep(StepLog log) {}

    default void onCheckpoint(Path folder, double seconds) {}

    default void onMessage(String message) {}
  }

  /** What is being trained, printed once at the start. */
  public record StartInfo(ArchConfig arch, long params, long nonEmbeddingParams, double flopsPerToken,
      double peakFlops, String peakSource, String precision, Budget budget, int microBatch, int batchSize,
      long resumedStep) {}

  /**
   * One logged optimizer step. {@code overflowSteps} counts fp16 steps skipped for overflowed gradients so far in this
   * process; {@code lossScale} is the fp16 loss scale the step used (1 without fp16).
   */
  public record StepLog(long step, double t, double elapsedSeconds, double loss, double accuracy, double lr,
      int batchRows, double gradNorm, long tokens, double tokensPerSecond, double mfu, boolean skipped,
      long overflowSteps, double lossScale) {}

  /** How the run ended. */
  public record Summary(long steps, long tokens, double elapsedSeconds, double finalLoss, Path lastCheckpoint,
      boolean stoppedEarly, long skippedSteps) {}

  private final RunConfig config;
  private final RowSource data;
  private final Path runDir;
  private final Listener listener;
  private final PeakFlops peak;
  private final String vocabHash;
  private final NDManager manager;
  private final MlmTrainer trainer;
  private final BudgetClock clock;
  private final StepPlan plan;
  private final MlmMasker masker;
  private final CheckpointStore checkpoints;
  private long rowsConsumed;
  private long resumedStep;

  /**
   * @param resumeFrom a checkpoint folder to continue from, or null for a fresh run
   * @param peakFlops FLOP/s that MFU is measured against: null to take the stored {@code bench peak} result or measure
   *     at start, NaN for none (see {@link PeakFlops#choose})
   * @param vocabHash the tokenizer's hash for provenance ("none" for synthetic data)
   */
  public PretrainRun(RunConfig config, RowSource data, Path runDir, Path resumeFrom, Double peakFlops,
      String vocabHash, Listener listener) throws IOException {
    ArchConfig arch = config.arch();
    this.config = config;
    this.data = data;
    this.runDir = runDir;
    this.listener = listener;
    this.vocabHash = vocabHash;
    TrainConfig tc = config.train();
    this.plan = new StepPlan(config);
    this.clock = new BudgetClock(plan.budget());
    this.masker = new MlmMasker(tc.maskRate(), data.seqLen(), data.vocabSize(), tc.seed());
    this.checkpoints = new CheckpointStore(runDir.resolve("checkpoints"), tc.keepCheckpoints());
    Snapshot resume = resumeFrom == null ? null : CheckpointStore.read(resumeFrom); // verified before any write
    RunChecks.validate(arch, data, resume == null ? null : resume.state(), resumeFrom);
    this.manager = NDManager.newBaseManager();
    this.trainer = new MlmTrainer(arch, tc, manager);
    this.peak = PeakFlops.choose(peakFlops, trainer.precision(), manager);
    if (resume != null) {
      trainer.restore(resume, resumeFrom.toString());
      CheckpointState s = resume.state();
      rowsConsumed = s.rowsConsumed();
      resumedStep = s.step();
      clock.restore(new ClockState(s.budgetElapsedNanos(), s.step(), s.tokens()));
    }
    for (String m : RunFolder.open(runDir, checkpoints, resume == null ? -1 : resumedStep).messages()) {
      listener.onMessage(m); // crash leftovers removed, metrics.jsonl cut back to the resumed step
    }
    Files.createDirectories(runDir);
    AtomicFiles.writeString(runDir.resolve("config.conf"), config.render());
  }

  public MlmTrainer trainer() {
    return trainer;
  }

  /** Trains until the budget is spent or {@code stop} turns true; ends with a checkpoint. */
  public Summary run(BooleanSupplier stop) throws IOException {
    TrainConfig tc = config.train();
    ArchConfig arch = config.arch();
    double flopsPerToken = Flops.trainingPerToken(arch, tc.maskRate());
    long embeddingParams = trainer.model().params().all().entrySet().stream()
        .filter(e -> e.getKey().startsWith("embedding.")).mapToLong(e -> e.getValue().getShape().size()).sum();
    long params = trainer.model().params().count();
    listener.onStart(new StartInfo(arch, params, params - embeddingParams, flopsPerToken, peak.flops(),
        peak.source(), trainer.precision().name().toLowerCase(java.util.Locale.ROOT), clock.budget(), tc.microBatch(),
        tc.batchSize(), resumedStep));

    Path metricsFile = runDir.resolve(StepLogWriter.FILE_NAME);
    int seqLen = data.seqLen();
    int[] rowBuf = new int[seqLen];
    long step = resumedStep;
    long tokens = clock.tokens();
    ClockState lastCheckpointClock = clock.snapshot();
    double lastLoss = Double.NaN;
    BadSteps bad = new BadSteps(tc.maxBadSteps());
    long overflows = 0;
    Path lastCheckpoint = null;
    long windowStart = System.nanoTime();
    long windowTokens = 0;
    boolean stoppedEarly = false;

    boolean warmUp = true; // the first step of a process: TorchScript's profiling runs and the allocator's growth
    try (StepLogWriter metrics = new StepLogWriter(metricsFile)) {
      clock.start();
      while (!clock.isSpent()) {
        if (stop.getAsBoolean()) {
          stoppedEarly = true;
          break;
        }
        double t = clock.fraction();
        int micro = plan.microBatchesAt(t);
        List<MaskedBatch> batches = new ArrayList<>(micro);
        for (int i = 0; i < micro; i++) {
          int[] flat = new int[tc.microBatch() * seqLen];
          for (int r = 0; r < tc.microBatch(); r++) {
            data.read((rowsConsumed + r) % data.rows(), rowBuf);
            System.arraycopy(rowBuf, 0, flat, r * seqLen, seqLen);
          }
          batches.add(masker.mask(flat, tc.microBatch(), rowsConsumed));
          rowsConsumed += tc.microBatch();
        }
        double lr = plan.lrAt(t);
        if (warmUp) {
          clock.pause(); // a time budget counts training, not warm-up (the paper leaves out compile time too)
        }
        MlmTrainer.StepResult r = trainer.step(batches, lr);
        if (warmUp) {
          clock.resume();
          warmUp = false;
        }
        long stepTokens = (long) r.rows() * seqLen;
        step++;
        tokens += stepTokens;
        windowTokens += stepTokens;
        clock.recordStep(stepTokens);
        boolean rollBackDue = bad.record(r.bad());
        if (r.overflow()) {
          overflows++;
          listener.onMessage("step " + step + ": fp16 gradients overflowed, update skipped; loss scale now "
              + r.lossScale() / 2);
        } else if (r.skipped()) {
          listener.onMessage("step " + step + ": non-finite loss or gradient (loss " + r.loss() + ", grad norm "
              + r.gradNorm() + "), update skipped (" + (rollBackDue ? tc.maxBadSteps() : bad.inARow()) + " in a row)");
          if (rollBackDue) {
            rollBack();
          }
        } else {
          lastLoss = r.loss();
        }
        if (step % tc.logEvery() == 0 || clock.isSpent()) {
          double secs = (System.nanoTime() - windowStart) / 1e9;
          double tps = windowTokens / Math.max(secs, 1e-9);
          StepLog log = new StepLog(step, clock.fraction(), clock.elapsedSeconds(), r.loss(), r.accuracy(), lr,
              r.rows(), r.gradNorm(), tokens, tps, peak.mfu(tps * flopsPerToken),
              r.skipped(), overflows, r.lossScale());
          metrics.write(log);
          listener.onStep(log);
          windowStart = System.nanoTime();
          windowTokens = 0;
        }
        if (plan.checkpointDue(lastCheckpointClock, clock.snapshot()) && !clock.isSpent()) {
          clock.pause(); // writing a checkpoint is not training time
          try {
            lastCheckpoint = checkpoint(step, tokens, lastLoss);
          } catch (CheckpointWriteException e) {
            // Training goes on (as in the daemon): the next checkpoint may succeed, and the older ones are intact.
            listener.onMessage(e.getMessage() + "; training goes on, newest intact checkpoint: "
                + checkpoints.newestIntact().map(Path::toString).orElse("none"));
          } finally {
            clock.resume();
          }
          lastCheckpointClock = clock.snapshot();
        }
      }
      clock.pause();
    }
    try {
      lastCheckpoint = checkpoint(step, tokens, lastLoss);
    } catch (CheckpointWriteException e) {
      var intact = checkpoints.newestIntact();
      if (intact.isEmpty()) {
        throw e;
      }
      throw new FinalCheckpointFailed(e, CheckpointStore.readState(intact.get()).step(), intact.get());
    }
    return new Summary(step, tokens, clock.elapsedSeconds(), lastLoss, lastCheckpoint, stoppedEarly, bad.total());
  }

  /** After too many bad steps in a row: back to the last checkpoint's weights; the data moves on past the bad rows. */
  private void rollBack() throws IOException {
    CheckpointStore.Selection sel = checkpoints.newestValid(); // a corrupt or non-finite newest one is moved aside
    for (CheckpointStore.Rejected r : sel.rejected()) {
      listener.onMessage("skipped checkpoint " + r);
    }
    Path latest = sel.checkpoint();
    if (latest == null) {
      throw new IllegalStateException("training diverged: " + config.train().maxBadSteps()
          + " non-finite steps in a row and no checkpoint to roll back to (try a lower train.lr)");
    }
    trainer.restore(CheckpointStore.read(latest), latest.toString());
    listener.onMessage("rolled back to " + latest + " after " + config.train().maxBadSteps()
        + " non-finite steps in a row");
  }

  private Path checkpoint(long step, long tokens, double lastLoss) throws IOException {
    long start = System.nanoTime();
    CheckpointState state = plan.checkpointState(step, tokens, rowsConsumed, clock.elapsedNanos(), lastLoss, vocabHash);
    Path folder = checkpoints.write(trainer.snapshot(state));
    listener.onCheckpoint(folder, (System.nanoTime() - start) / 1e9);
    return folder;
  }

  @Override
  public void close() {
    trainer.close();
    manager.close();
  }
}
