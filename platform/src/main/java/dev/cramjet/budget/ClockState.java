package dev.cramjet.budget;

/**
 * What a checkpoint saves of a {@link BudgetClock} so a resumed run continues where it stopped.
 *
 * @param elapsedNanos training wall time so far, pauses excluded
 * @param steps optimizer steps recorded
 * @param tokens tokens recorded
 */
public record ClockState(long elapsedNanos, long steps, long tokens) {
  public ClockState {
    if (elapsedNanos < 0 || steps < 0 || tokens < 0) {
      throw new IllegalArgumentException(
          "clock state must be non-negative, got elapsedNanos=" + elapsedNanos + ", steps=" + steps + ", tokens=" + tokens);
    }
  }

  /** The same state {@code nanos} of training time later (for a reader extrapolating a running clock). */
  public ClockState plusNanos(long nanos) {
    return nanos <= 0 ? this : new ClockState(elapsedNanos + nanos, steps, tokens);
  }

  /** How much of {@code budget} this state has used, in the budget's unit (seconds, steps or tokens). */
  public double used(Budget budget) {
    return switch (budget.kind()) {
      case SECONDS -> elapsedNanos / 1e9;
      case STEPS -> steps;
      case TOKENS -> tokens;
    };
  }

  /** The budget fraction t = used / budget, clamped to [0, 1]. */
  public double fraction(Budget budget) {
    return Math.min(1.0, used(budget) / budget.amount());
  }

  /** True once the whole budget is used. */
  public boolean spent(Budget budget) {
    return used(budget) >= budget.amount();
  }

  /**
   * Seconds of training left: exact for a time budget; for step and token budgets an estimate at the pace so far
   * (NaN before anything was used).
   */
  public double remainingSeconds(Budget budget) {
    double seconds = elapsedNanos / 1e9;
    if (budget.kind() == Budget.Kind.SECONDS) {
      return Math.max(0.0, budget.amount() - seconds);
    }
    double t = fraction(budget);
    return t == 0 ? Double.NaN : seconds * (1 - t) / t;
  }
}
