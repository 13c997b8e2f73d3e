package dev.cramjet.testing;

import java.time.Duration;
import java.util.function.Predicate;

/**
 * Waiting in tests for something another thread or process does: polls a check until it holds or a deadline passes,
 * then fails with an {@link AssertionError} that says what was awaited, for how long, and (for the value-returning
 * form) the last value seen. Checks may throw: an exception or an {@code AssertionError} from a check ends the wait at
 * once and propagates (a check can fail fast, say, when the process it watches has died).
 *
 * <pre>{@code
 * Await.until(LONG, "the run to take 3 steps", () -> board.progress().step() >= 3);
 * JsonNode s = Await.until(LONG, "step 2 in /status", () -> ctl.status().body(), b -> b.path("step").asLong() >= 2);
 * }</pre>
 */
public final class Await {
  /** How often a check is repeated by default. */
  public static final Duration POLL = Duration.ofMillis(10);

  private Await() {}

  /** A check that holds or not yet. */
  @FunctionalInterface
  public interface Condition {
    boolean holds() throws Exception;
  }

  /** Reads the current value of what is awaited. */
  @FunctionalInterface
  public interface Sample<T> {
    T get() throws Exception;
  }

  /** Polls {@code condition} every {@link #POLL} until it holds; fails after {@code timeout} naming {@code what}. */
  public static void until(Duration timeout, String what, Condition condition) throws Exception {
    until(timeout, POLL, what, condition::holds, Boolean::booleanValue);
  }

  /**
   * Polls {@code sample} every {@link #POLL} until {@code done} accepts its value, and returns that value; fails after
   * {@code timeout} naming the last value seen.
   */
  public static <T> T until(Duration timeout, String what, Sample<T> sample, Predicate<? super T> done)
      throws Exception {
    return until(timeout, POLL, what, sample, done);
  }

  /** As above, polling every {@code every} (for checks that cost something: a query, a process). */
  public static <T> T until(Duration timeout, Duration every, String what, Sample<T> sample,
      Predicate<? super T> done) throws Exception {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    while (true) {
      T value = sample.get();
      if (done.test(value)) {
        return value;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out after " + seconds(System.nanoTime() - start) + " waiting for " + what
            + (value instanceof Boolean ? "" : "; last value: " + value));
      }
      Thread.sleep(every.toMillis());
    }
  }

  private static String seconds(long nanos) {
    return String.format(java.util.Locale.ROOT, "%.1f s", nanos / 1e9);
  }
}
