package dev.cramjet.train;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cramjet.budget.ClockState;
import org.junit.jupiter.api.Test;

/** Periodic checkpoints count in the period's own unit, whatever unit the budget is in. */
class StepPlanTest {
  private static StepPlan plan(String budget, String every) {
    return new StepPlan(PretrainRunTest.config(budget, "train.checkpoint-every = \"" + every + "\""));
  }

  @Test
  void timePeriodWorksUnderAStepBudget() {
    StepPlan p = plan("1000steps", "30s");
    ClockState last = new ClockState(10_000_000_000L, 5, 640);
    assertFalse(p.checkpointDue(last, new ClockState(39_000_000_000L, 50, 6400)));
    assertTrue(p.checkpointDue(last, new ClockState(40_000_000_000L, 6, 768)));
  }

  @Test
  void stepAndTokenPeriods() {
    ClockState last = new ClockState(0, 10, 1000);
    assertFalse(plan("1h", "5steps").checkpointDue(last, new ClockState(999_000_000_000L, 14, 99_999)));
    assertTrue(plan("1h", "5steps").checkpointDue(last, new ClockState(0, 15, 1000)));
    assertFalse(plan("1h", "500tokens").checkpointDue(last, new ClockState(0, 99, 1499)));
    assertTrue(plan("1h", "500tokens").checkpointDue(last, new ClockState(0, 11, 1500)));
    assertFalse(plan("1h", "0").checkpointDue(last, new ClockState(Long.MAX_VALUE / 2, 1_000_000, 1_000_000)));
  }
}
