package dev.cramjet.budget;

import java.util.function.LongSupplier;

/**
 * The budget clock: counts training wall time (not paused time), optimizer steps and tokens, and turns whichever the
 * {@link Budget} counts into the budget fraction t in [0, 1] that drives the schedules and the batch ramp.
 *
 * <p>Lifecycle: created stopped; {@link #start()} once when the training loop begins (after data preparation);
 * {@link #pause()} / {@link #resume()} around anything that must not eat the budget; {@link #snapshot()} into a
 * checkpoint and {@link #restore(ClockState)} after a resume. The time source is injected so tests control it.
 *
 * <p>It does not stop training by itself: the owner asks {@link #isSpent()}. Methods are synchronized so a metrics
 * reader may call the getters from another thread.
 */
public final class BudgetClock {
  private static final double NANOS_PER_SECOND = 1e9;

  private final Budget budget;
  private final LongSupplier nanoTime;

  private boolean started;
  private boolean paused;
  // Wall time accumulated in finished running segments, plus the start of the current segment while running.
  private long accumulatedNanos;
  private long segmentStart;
  private long steps;
  private long tokens;

  /** A clock on {@link System#nanoTime()}. */
  public BudgetClock(Budget budget) {
    this(budget, System::nanoTime);
  }

  /** A clock reading time from {@code nanoTime} (monotonic nanoseconds). */
  public BudgetClock(Budget budget, LongSupplier nanoTime) {
    if (budget == null || nanoTime == null) {
      throw new IllegalArgumentException("budget and time source are required");
    }
    this.budget = budget;
    this.nanoTime = nanoTime;
  }

  public Budget budget() {
    return budget;
  }

  /** Starts counting time. Throws if already started. */
  public synchronized void start() {
    if (started) {
      throw new IllegalStateException("budget clock already started");
    }
    started = true;
    paused = false;
    segmentStart = nanoTime.getAsLong();
  }

  /** Stops counting time until {@link #resume()}; pausing a paused clock does nothing. */
  public synchronized void pause() {
    requireStarted("pause");
    if (!paused) {
      accumulatedNanos += nanoTime.getAsLong() - segmentStart;
      paused = true;
    }
  }

  /** Counts time again after {@link #pause()}; resuming a running clock does nothing. */
  public synchronized void resume() {
    requireStarted("resume");
    if (paused) {
      segmentStart = nanoTime.getAsLong();
      paused = false;
    }
  }

  public synchronized boolean isStarted() {
    return started;
  }

  public synchronized boolean isPaused() {
    return paused;
  }

  /** Records one optimizer step that trained {@code stepTokens} tokens. */
  public synchronized void recordStep(long stepTokens) {
    if (stepTokens < 0) {
      throw new IllegalArgumentException("tokens per step must be non-negative, got " + stepTokens);
    }
    steps++;
    tokens += stepTokens;
  }

  /** Training wall time in nanoseconds: running segments only (0 before start). */
  public synchronized long elapsedNanos() {
    if (started && !paused) {
      return accumulatedNanos + (nanoTime.getAsLong() - segmentStart);
    }
    return accumulatedNanos;
  }

  /** Training wall time in seconds, pauses excluded. */
  public double elapsedSeconds() {
    return elapsedNanos() / NANOS_PER_SECOND;
  }

  public synchronized long steps() {
    return steps;
  }

  public synchronized long tokens() {
    return tokens;
  }

  /** How much of the budget is used, in the budget's unit (seconds, steps or tokens). */
  public double used() {
    return snapshot().used(budget);
  }

  /** The budget fraction t = used / budget, clamped to [0, 1]. */
  public double fraction() {
    return snapshot().fraction(budget);
  }

  /** What is left, in the budget's unit; 0 once spent. */
  public double remaining() {
    return Math.max(0.0, budget.amount() - used());
  }

  /** Seconds of training left ({@link ClockState#remainingSeconds}). */
  public double remainingSeconds() {
    return snapshot().remainingSeconds(budget);
  }

  /** True once the whole budget is used. */
  public boolean isSpent() {
    return snapshot().spent(budget);
  }

  /** The state to save in a checkpoint. */
  public synchronized ClockState snapshot() {
    return new ClockState(elapsedNanos(), steps, tokens);
  }

  /**
   * Continues from a saved state: elapsed time, steps and tokens are replaced; a running clock keeps running from
   * now, a stopped or paused one stays so.
   */
  public synchronized void restore(ClockState state) {
    accumulatedNanos = state.elapsedNanos();
    steps = state.steps();
    tokens = state.tokens();
    if (started && !paused) {
      segmentStart = nanoTime.getAsLong();
    }
  }

  private void requireStarted(String action) {
    if (!started) {
      throw new IllegalStateException("cannot " + action + " a budget clock that has not started");
    }
  }
}
