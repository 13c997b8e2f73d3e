package dev.cramjet.train;

/**
 * The policy for steps whose loss or gradient is not finite: the update is skipped and counted, and after {@code
 * limit} such steps in a row the run rolls back to its last checkpoint. Shared by both training loops.
 */
public final class BadSteps {
  private final int limit;
  private int inARow;
  private long total;

  public BadSteps(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be >= 1");
    }
    this.limit = limit;
  }

  /** Records one step; true when it was the {@code limit}-th skipped step in a row and a roll-back is due. */
  public boolean record(boolean skipped) {
    if (!skipped) {
      inARow = 0;
      return false;
    }
    total++;
    if (++inARow >= limit) {
      inARow = 0;
      return true;
    }
    return false;
  }

  /** Skipped steps in a row so far (0 after a good step or a roll-back). */
  public int inARow() {
    return inARow;
  }

  /** Skipped steps over the run. */
  public long total() {
    return total;
  }
}
