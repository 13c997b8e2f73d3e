package dev.cramjet.train;

import dev.cramjet.budget.Budget;
import dev.cramjet.budget.ClockState;
import dev.cramjet.budget.LrSchedule;
import dev.cramjet.checkpoint.CheckpointState;
import dev.cramjet.config.RunConfig;
import dev.cramjet.config.TrainConfig;
import dev.cramjet.util.Provenance;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The rules of the training loop that do not touch tensors, shared by the foreground {@link PretrainRun} and the
 * actor runtime's trainer so both train identically: how many micro-batches and which learning rate a step at budget
 * fraction t gets, when a periodic checkpoint is due, and what a checkpoint's state holds. It holds no mutable state.
 */
public final class StepPlan {
  private final RunConfig config;
  private final Budget budget;
  private final LrSchedule schedule;
  private final BatchRamp ramp;
  private final Optional<Budget> checkpointEvery; // empty: only at the end

  public StepPlan(RunConfig config) {
    TrainConfig tc = config.train();
    this.config = config;
    this.budget = tc.budget();
    this.schedule = tc.lrSchedule();
    this.ramp = new BatchRamp(tc.batchSize(), tc.microBatch(), tc.rampFraction());
    this.checkpointEvery = tc.checkpointEvery();
  }

  /** The run's budget, {@code train.budget}. */
  public Budget budget() {
    return budget;
  }

  /** Micro-batches of {@code train.micro-batch} rows in a step at budget fraction {@code t} (the batch ramp). */
  public int microBatchesAt(double t) {
    return ramp.microBatchesAt(t);
  }

  /** The most micro-batches any step takes (the ramp's target). */
  public int maxMicroBatches() {
    return ramp.targetMicroBatches();
  }

  /** The learning rate of a step at budget fraction {@code t}. */
  public double lrAt(double t) {
    return config.train().lr() * schedule.multiplier(t);
  }

  /**
   * Whether a periodic checkpoint is due, given the budget clock at the last checkpoint and now. The period is
   * measured in its own unit whatever the budget's: training seconds (pauses excluded), optimizer steps or tokens.
   */
  public boolean checkpointDue(ClockState last, ClockState now) {
    if (checkpointEvery.isEmpty()) {
      return false;
    }
    Budget every = checkpointEvery.get();
    return switch (every.kind()) {
      case STEPS -> now.steps() - last.steps() >= every.amount();
      case SECONDS -> (now.elapsedNanos() - last.elapsedNanos()) / 1e9 >= every.amount();
      case TOKENS -> now.tokens() - last.tokens() >= every.amount();
    };
  }

  /** The state of a checkpoint taken now, with provenance (git commit, config hash, vocabulary hash). */
  public CheckpointState checkpointState(long step, long tokens, long rowsConsumed, long budgetElapsedNanos,
      double lastLoss, String vocabHash) {
    return new CheckpointState(CheckpointState.FORMAT_VERSION, config.arch(), step, tokens, rowsConsumed,
        budgetElapsedNanos, config.train().seed(), lastLoss, config.hash(), config.render(), Provenance.gitCommit(),
        vocabHash, config.arch().vocabSize(), Instant.now().toString(), Map.of());
  }
}
