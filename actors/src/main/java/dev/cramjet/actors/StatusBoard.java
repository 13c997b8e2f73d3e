package dev.cramjet.actors;

import dev.cramjet.train.StepListener;
import dev.cramjet.train.StepRecord;

/**
 * The latest progress of a run: a read model. The actors that own each part write it, and anyone reads it (the
 * control API's {@code GET /status}, a CLI's summary); no actor decides anything from it. Each part is an immutable
 * record behind a volatile field, so a reader sees a consistent part without asking an actor (and never touches a
 * live NDArray). The trainer's steps arrive as a {@link StepListener}, like the metrics and the step log.
 */
public final class StatusBoard implements StepListener {
  /**
   * The run's phase and its latest step.
   *
   * @param message why the phase was entered ("budget spent", an error), or empty
   * @param last the latest step ({@link StepRecord#NONE} before the first)
   */
  public record Progress(RunPhase phase, String message, StepRecord last) {
    public static Progress starting() {
      return new Progress(RunPhase.STARTING, "", StepRecord.NONE);
    }

    public Progress withPhase(RunPhase p, String why) {
      return new Progress(p, why, last);
    }

    public Progress withStep(StepRecord r) {
      return new Progress(phase, message, r);
    }

    public long step() {
      return last.step();
    }

    public long tokens() {
      return last.tokens();
    }

    public double loss() {
      return last.loss();
    }
  }

  /**
   * The budget clock as last read.
   *
   * @param unit "seconds", "steps" or "tokens"
   * @param remainingSeconds exact for a time budget, an estimate otherwise (NaN before any step)
   */
  public record BudgetView(String budget, String unit, double amount, double used, double fraction,
      double elapsedSeconds, double remainingSeconds, boolean paused) {}

  /** The trainer's data wait: time it wanted to step but had no batch, against time spent stepping. */
  public record DataWait(double waitSeconds, double steadyWaitSeconds, double stepSeconds, long steps,
      int bufferedMicroBatches) {
    /** Steady-state wait (after the first step, so the initial pipeline fill is left out) as a share of step time. */
    public double ratio() {
      return stepSeconds > 0 ? steadyWaitSeconds / stepSeconds : 0;
    }
  }

  /** Where the assembler's rows came from, and how it recovered. */
  public record DataSource(long rowsLocal, long rowsRemote, int remoteLoaders, long retries, int readyMicroBatches) {}

  public record CheckpointInfo(String folder, long step, double seconds, long bytes) {}

  /**
   * The last checkpoint that could not be written.
   *
   * @param step the step it was for
   * @param time when it failed (ISO-8601, UTC)
   * @param error what failed, naming the step, the folder and the file ("No space left on device")
   * @param last whether it was the run's final checkpoint
   * @param intactFolder the newest intact checkpoint when the final one failed (the one to resume from), or null
   * @param intactStep its step (-1 when none)
   */
  public record CheckpointError(long step, String time, String error, boolean last, String intactFolder,
      long intactStep) {}

  /**
   * The latest evaluation.
   *
   * @param step the step whose parameters were evaluated (the snapshot's)
   * @param loss held-out MLM loss (NaN when the run holds no rows out)
   * @param accuracy held-out MLM accuracy on masked positions
   * @param rows held-out rows read
   * @param seconds how long the whole evaluation took
   * @param error what went wrong, or null
   * @param endStep the trainer's step when the evaluation ended (training goes on meanwhile)
   * @param tasks fine-tuned task scores, in report order (empty when the run names no tasks)
   * @param average mean task score in percent (NaN without tasks)
   * @param report the folder holding report.json and report.md, or null
   */
  public record EvalInfo(long step, double loss, double accuracy, int rows, double seconds, String error,
      long endStep, java.util.List<TaskScore> tasks, double average, String report) {
    public EvalInfo {
      tasks = java.util.List.copyOf(tasks);
    }

    /** An MLM-only evaluation. */
    public EvalInfo(long step, double loss, double accuracy, int rows, double seconds, String error) {
      this(step, loss, accuracy, rows, seconds, error, step, java.util.List.of(), Double.NaN, null);
    }
  }

  /**
   * One dev set's fine-tuned score.
   *
   * @param name the dev set's report name ("SST-2", "MNLI-mm")
   * @param task the task it belongs to
   * @param score mean of its metrics, in percent (the median over seeds)
   * @param metrics per metric, in percent
   */
  public record TaskScore(String name, String task, double score, java.util.Map<String, Double> metrics) {}

  private volatile Progress progress = Progress.starting();
  private volatile BudgetView budget;
  private volatile DataWait dataWait = new DataWait(0, 0, 0, 0, 0);
  private volatile DataSource dataSource = new DataSource(0, 0, 0, 0, 0);
  private volatile CheckpointInfo lastCheckpoint;
  private volatile CheckpointError lastCheckpointError;
  private volatile EvalInfo lastEvaluation;
  private volatile boolean evaluating;
  private volatile String evaluatingTask;

  public Progress progress() {
    return progress;
  }

  public void progress(Progress p) {
    progress = p;
  }

  /** The trainer's latest step (a {@link StepListener}, so one step reaches every sink the same way). */
  @Override
  public void onStep(StepRecord step) {
    progress = progress.withStep(step);
  }

  public BudgetView budget() {
    return budget;
  }

  public void budget(BudgetView b) {
    budget = b;
  }

  public DataWait dataWait() {
    return dataWait;
  }

  public void dataWait(DataWait d) {
    dataWait = d;
  }

  public DataSource dataSource() {
    return dataSource;
  }

  public void dataSource(DataSource d) {
    dataSource = d;
  }

  public CheckpointInfo lastCheckpoint() {
    return lastCheckpoint;
  }

  public void lastCheckpoint(CheckpointInfo c) {
    lastCheckpoint = c;
  }

  /** The last failed checkpoint, or null when none failed; a later success does not clear it. */
  public CheckpointError lastCheckpointError() {
    return lastCheckpointError;
  }

  public void lastCheckpointError(CheckpointError e) {
    lastCheckpointError = e;
  }

  public EvalInfo lastEvaluation() {
    return lastEvaluation;
  }

  public void lastEvaluation(EvalInfo e) {
    lastEvaluation = e;
  }

  public boolean evaluating() {
    return evaluating;
  }

  public void evaluating(boolean on) {
    evaluating = on;
  }

  /** What the running evaluation is doing now ("mlm", or a task's name); null when it is not running. */
  public String evaluatingTask() {
    return evaluatingTask;
  }

  public void evaluatingTask(String what) {
    evaluatingTask = what;
  }
}
