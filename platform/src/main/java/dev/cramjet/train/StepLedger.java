package dev.cramjet.train;

import dev.cramjet.budget.BudgetClock;
import dev.cramjet.budget.ClockState;
import dev.cramjet.checkpoint.CheckpointState;
import dev.cramjet.checkpoint.CheckpointStore;
import dev.cramjet.checkpoint.Snapshot;
import dev.cramjet.config.RunConfig;
import dev.cramjet.config.TrainConfig;
import dev.cramjet.model.ArchConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The bookkeeping of a training loop, written once for both loops: the foreground {@link PretrainRun} and the actor
 * runtime's trainer each bring their batches and call {@link #step}; everything else about a step is here. It owns
 * the run's {@link BudgetClock} and counts steps, rows and tokens; picks each step's learning rate and number of
 * micro-batches from the {@link StepPlan}; leaves the first step of a process (TorchScript's profiling runs) out of a
 * time budget; applies the non-finite-step policy ({@link BadSteps}: skip and count, and after
 * {@code train.max-bad-steps} in a row roll back to the newest valid checkpoint while the data moves on); measures
 * throughput and MFU; says when a periodic checkpoint is due; and turns each step into one {@link StepRecord} for the
 * {@link StepListener}.
 *
 * <p>Not thread-safe: one training thread owns it (the clock alone may be read from others).
 */
public final class StepLedger {
  private final RunConfig config;
  private final TrainConfig tc;
  private final StepPlan plan;
  private final BudgetClock clock;
  private final MlmTrainer trainer;
  private final CheckpointStore store;
  private final PeakFlops peak;
  private final double flopsPerToken;
  private final int seqLen;
  private final StepListener listener;
  private final BadSteps bad;
  private final long resumedStep;

  private long step;
  private long tokens;
  private long rows;
  private double lastLoss = Double.NaN;
  private long rollbacks;
  private long overflows;
  private boolean warmedUp;
  private ClockState lastCheckpointClock;
  private long windowStart;
  private long windowTokens;
  private StepRecord last = StepRecord.NONE;

  /**
   * @param seqLen tokens per training row
   * @param trainer the model and optimizer that steps (its parameters are restored from {@code resumed} by the caller)
   * @param store where roll-backs find the newest valid checkpoint
   * @param peak what MFU is measured against
   * @param resumed the state of the checkpoint the run resumes from, or null for a fresh run
   */
  public StepLedger(RunConfig config, int seqLen, MlmTrainer trainer, CheckpointStore store, PeakFlops peak,
      CheckpointState resumed, StepListener listener) {
    this.config = config;
    this.tc = config.train();
    this.plan = new StepPlan(config);
    this.clock = new BudgetClock(plan.budget());
    this.trainer = trainer;
    this.store = store;
    this.peak = peak;
    this.flopsPerToken = Flops.trainingPerToken(config.arch(), tc.maskRate());
    this.seqLen = seqLen;
    this.listener = listener;
    this.bad = new BadSteps(tc.maxBadSteps());
    if (resumed != null) {
      step = resumed.step();
      tokens = resumed.tokens();
      rows = resumed.rowsConsumed();
      lastLoss = resumed.lastLoss();
      clock.restore(new ClockState(resumed.budgetElapsedNanos(), resumed.step(), resumed.tokens()));
      last = new StepRecord(step, rows, tokens, Double.NaN, Double.NaN, 0, 0, Double.NaN, false, 0, 0, 0, 1, 0,
          Double.NaN, Double.NaN, clock.fraction(), clock.elapsedSeconds(), clock.remainingSeconds(), false);
    }
    this.resumedStep = step;
  }

  /** Starts the budget clock and tells the listener what is being trained. */
  public void start() {
    ArchConfig arch = config.arch();
    long embedding = trainer.model().params().all().entrySet().stream()
        .filter(e -> e.getKey().startsWith("embedding.")).mapToLong(e -> e.getValue().getShape().size()).sum();
    long params = trainer.model().params().count();
    listener.onStart(new StepListener.StartInfo(arch, params, params - embedding, flopsPerToken, peak.flops(),
        peak.source(), trainer.precision().name().toLowerCase(Locale.ROOT), clock.budget(), tc.microBatch(),
        tc.batchSize(), resumedStep));
    clock.start();
    lastCheckpointClock = clock.snapshot();
    windowStart = System.nanoTime();
    windowTokens = 0;
  }

  /** True once the budget is used up: no further step. */
  public boolean spent() {
    return clock.isSpent();
  }

  /** Micro-batches of {@code train.micro-batch} rows the next step takes (the batch ramp at the current t). */
  public int microBatchesDue() {
    return plan.microBatchesAt(clock.fraction());
  }

  /** The most micro-batches any step takes. */
  public int maxMicroBatches() {
    return plan.maxMicroBatches();
  }

  /** Rows consumed so far: the global index of the next step's first row. */
  public long rowsConsumed() {
    return rows;
  }

  /**
   * Takes one optimizer step on {@code batches} (consecutive rows from {@link #rowsConsumed()}), does its
   * bookkeeping, tells the listener, and returns its record.
   *
   * @throws IllegalStateException when the run diverged and there is no checkpoint to roll back to
   */
  public StepRecord step(List<MaskedBatch> batches) {
    double lr = plan.lrAt(clock.fraction());
    boolean warmUp = !warmedUp;
    if (warmUp) {
      clock.pause(); // a time budget counts training, not warm-up (the paper leaves out compile time too)
    }
    long s0 = System.nanoTime();
    MlmTrainer.StepResult r = trainer.step(batches, lr);
    long took = System.nanoTime() - s0;
    if (warmUp) {
      clock.resume();
      warmedUp = true;
    }
    long stepTokens = (long) r.rows() * seqLen;
    step++;
    tokens += stepTokens;
    rows += r.rows();
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
    long now = System.nanoTime();
    double tps = windowTokens / Math.max((now - windowStart) / 1e9, 1e-9);
    ClockState c = clock.snapshot();
    boolean logged = step % tc.logEvery() == 0 || c.spent(clock.budget());
    last = new StepRecord(step, rows, tokens, r.loss(), r.accuracy(), lr, r.rows(), r.gradNorm(), r.skipped(),
        bad.total(), rollbacks, overflows, r.lossScale(), took / 1e9, tps, peak.mfu(tps * flopsPerToken),
        c.fraction(clock.budget()), c.elapsedNanos() / 1e9, c.remainingSeconds(clock.budget()), logged);
    if (logged) {
      windowStart = now;
      windowTokens = 0;
    }
    listener.onStep(last);
    return last;
  }

  /** The latest step's record ({@link StepRecord#NONE} before the first step of a fresh run). */
  public StepRecord last() {
    return last;
  }

  /** Whether a periodic checkpoint is due now (never once the budget is spent: the final one follows). */
  public boolean checkpointDue() {
    return plan.checkpointDue(lastCheckpointClock, clock.snapshot()) && !clock.isSpent();
  }

  /**
   * A host copy of the parameters and optimizer with the run's state, for a checkpoint; the copy's time is not
   * training time, and the period to the next periodic checkpoint starts here.
   */
  public Snapshot snapshot(String vocabHash) {
    try (ClockPause p = pauseClock()) {
      CheckpointState state = plan.checkpointState(step, tokens, rows, clock.elapsedNanos(), lastLoss, vocabHash);
      Snapshot s = trainer.snapshot(state);
      lastCheckpointClock = clock.snapshot();
      return s;
    }
  }

  /** Stops the budget clock until the returned handle is closed (a pause, a checkpoint write); nests safely. */
  public ClockPause pauseClock() {
    boolean running = clock.isStarted() && !clock.isPaused();
    if (running) {
      clock.pause();
    }
    return () -> {
      if (running) {
        clock.resume();
        windowStart = System.nanoTime(); // paused time is not throughput
        windowTokens = 0;
      }
    };
  }

  /** Stops the budget clock for good: training has ended. */
  public void stopClock() {
    if (clock.isStarted() && !clock.isPaused()) {
      clock.pause();
    }
  }

  /** A pause of the budget clock; closing it lets the clock run again if the pause stopped it. */
  public interface ClockPause extends AutoCloseable {
    @Override
    void close();
  }

  /** The clock as it reads now. */
  public ClockState clockState() {
    return clock.snapshot();
  }

  /** Whether the clock is counting time now (started and not paused). */
  public boolean clockRunning() {
    return clock.isStarted() && !clock.isPaused();
  }

  /** Training seconds counted so far (pauses and warm-up excluded). */
  public double elapsedSeconds() {
    return clock.elapsedSeconds();
  }

  /** Loss of the latest step that was not skipped (NaN before any). */
  public double lastLoss() {
    return lastLoss;
  }

  public long steps() {
    return step;
  }

  public long tokens() {
    return tokens;
  }

  /** Non-finite steps skipped in this process. */
  public long skippedSteps() {
    return bad.total();
  }

  /** After too many bad steps in a row: back to the newest valid checkpoint; the data moves on past the bad rows. */
  private void rollBack() {
    Path latest;
    try {
      CheckpointStore.Selection sel = store.newestValid(); // a corrupt or non-finite newest one is moved aside
      for (CheckpointStore.Rejected r : sel.rejected()) {
        listener.onMessage("skipped checkpoint " + r);
      }
      latest = sel.checkpoint();
      if (latest == null) {
        throw new IllegalStateException("training diverged: " + tc.maxBadSteps()
            + " non-finite steps in a row and no checkpoint to roll back to (try a lower train.lr)");
      }
      trainer.restore(CheckpointStore.read(latest), latest.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("rolling back: " + e.getMessage(), e);
    }
    rollbacks++;
    listener.onMessage("rolled back to " + latest + " after " + tc.maxBadSteps() + " non-finite steps in a row");
  }
}
