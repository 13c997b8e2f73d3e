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
}
