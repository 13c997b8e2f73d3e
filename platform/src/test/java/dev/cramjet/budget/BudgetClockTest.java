package dev.cramjet.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BudgetClockTest {
  private static final long SECOND = 1_000_000_000L;
  private final AtomicLong now = new AtomicLong(1_000 * SECOND); // arbitrary origin: nanoTime has none

  private BudgetClock clock(String budget) {
    return new BudgetClock(Budget.parse(budget), now::get);
  }

  private void advance(long seconds) {
    now.addAndGet(seconds * SECOND);
  }

  @Test
  void timeBeforeStartDoesNotCount() {
    BudgetClock c = clock("100s");
    advance(30);
    assertEquals(0.0, c.fraction());
    c.start();
    advance(25);
    assertEquals(25.0, c.elapsedSeconds(), 1e-9);
    assertEquals(0.25, c.fraction(), 1e-12);
    assertEquals(75.0, c.remainingSeconds(), 1e-9);
  }

  @Test
  void pausedTimeDoesNotCount() {
    BudgetClock c = clock("100s");
    c.start();
    advance(10);
    c.pause();
    assertTrue(c.isPaused());
    advance(1000);
    assertEquals(10.0, c.elapsedSeconds(), 1e-9);
    c.pause(); // a second pause is harmless
    advance(5);
    c.resume();
    assertFalse(c.isPaused());
    advance(20);
    assertEquals(30.0, c.elapsedSeconds(), 1e-9);
    assertFalse(c.isSpent());
    advance(70);
    assertTrue(c.isSpent());
    advance(50);
    assertEquals(1.0, c.fraction(), "clamped to 1");
    assertEquals(0.0, c.remaining());
  }

  @Test
  void stepBudgetIgnoresTime() {
    BudgetClock c = clock("4steps");
    c.start();
    advance(1_000_000);
    assertEquals(0.0, c.fraction());
    c.recordStep(256);
    c.recordStep(256);
    assertEquals(0.5, c.fraction(), 1e-12);
    assertEquals(2.0, c.remaining(), 1e-12);
    c.recordStep(256);
    assertFalse(c.isSpent());
    c.recordStep(256);
    assertTrue(c.isSpent());
    assertEquals(1024, c.tokens());
  }

  @Test
  void tokenBudgetCountsTokens() {
    BudgetClock c = clock("1000tokens");
    c.start();
    c.recordStep(300);
    assertEquals(0.3, c.fraction(), 1e-12);
    c.recordStep(300);
    c.recordStep(300);
    assertFalse(c.isSpent());
    c.recordStep(300);
    assertTrue(c.isSpent());
    assertEquals(1.0, c.fraction());
    assertEquals(4, c.steps());
  }

  @Test
  void snapshotAndRestoreContinueTheClock() {
    BudgetClock first = clock("100s");
    first.start();
    advance(40);
    first.recordStep(128);
    ClockState saved = first.snapshot();
    assertEquals(new ClockState(40 * SECOND, 1, 128), saved);

    advance(500); // the gap between runs does not count
    BudgetClock resumed = clock("100s");
    resumed.restore(saved);
    assertEquals(0.4, resumed.fraction(), 1e-12);
    resumed.start();
    advance(10);
    assertEquals(50.0, resumed.elapsedSeconds(), 1e-9);
    assertEquals(1, resumed.steps());
    assertEquals(128, resumed.tokens());
  }

  @Test
  void misuseIsRejected() {
    BudgetClock c = clock("10s");
    assertThrows(IllegalStateException.class, c::pause);
    c.start();
    assertThrows(IllegalStateException.class, c::start);
    assertThrows(IllegalArgumentException.class, () -> c.recordStep(-1));
  }
}
