package dev.cramjet.actors;

/**
 * The latest progress of a run, published by the actors that own each part and read by anyone: the control API's
 * {@code GET /status} and the metrics endpoint. Each part is an immutable record behind a volatile field, so a reader
 * sees a consistent part without asking an actor (and never touches a live NDArray). Writers are the owning actors
 * only; it carries no commands.
 */
public final class StatusBoard {
  /** Trainer progress after the latest step. */
  public record Progress(RunPhase phase, long step, long tokens, double loss, double accuracy, double lr,
      int batchRows, double gradNorm, long skippedSteps, long rollbacks, long rowsConsumed, String message) {
    public static Progress starting() {
      return new Progress(RunPhase.STARTING, 0, 0, Double.NaN, Double.NaN, 0, 0, Double.NaN, 0, 0, 0, "");
    }

    public Progress withPhase(RunPhase p, String why) {
      return new Progress(p, step, tokens, loss, accuracy, lr, batchRows, gradNorm, skippedSteps, rollbacks,
          rowsConsumed, why);
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

  public record EvalInfo(long step, double loss, double accuracy, int rows, double seconds, String error) {}

  private volatile Progress progress = Progress.starting();
  private volatile BudgetView budget;
  private volatile DataWait dataWait = new DataWait(0, 0, 0, 0, 0);
  private volatile DataSource dataSource = new DataSource(0, 0, 0, 0, 0);
  private volatile CheckpointInfo lastCheckpoint;
  private volatile EvalInfo lastEvaluation;
  private volatile boolean evaluating;

  public Progress progress() {
    return progress;
  }

  public void progress(Progress p) {
    progress = p;
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
}
