package dev.cramjet.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cramjet.util.BadInputException;
import org.junit.jupiter.api.Test;

class LrScheduleTest {
  private static final double TOL = 1e-12;

  @Test
  void budgetTriangleHasRecipeValues() {
    LrSchedule s = LrSchedule.of("budget-triangle", 0);
    assertEquals(0.25, s.multiplier(0), TOL);
    assertEquals(0.75, s.multiplier(0.5), TOL);
    assertEquals(1.0, s.multiplier(0.75), TOL);
    assertEquals(0.4, s.multiplier(0.9), TOL); // 4 * (1 - 0.9)
    assertEquals(0.0, s.multiplier(1), TOL);
  }

  @Test
  void otherCurvesAtKeyPoints() {
    LrSchedule cosine = LrSchedule.of("budget-cosine", 0);
    assertEquals(1.0, cosine.multiplier(0), TOL);
    assertEquals(0.5, cosine.multiplier(0.5), TOL);
    assertEquals(0.0, cosine.multiplier(1), TOL);

    LrSchedule linear = LrSchedule.of("budget-linear", 0);
    assertEquals(1.0, linear.multiplier(0), TOL);
    assertEquals(0.7, linear.multiplier(0.3), TOL);
    assertEquals(0.0, linear.multiplier(1), TOL);

    LrSchedule triangular = LrSchedule.of("one-cycle-triangular", 0);
    assertEquals(0.0, triangular.multiplier(0), TOL);
    assertEquals(0.5, triangular.multiplier(0.25), TOL);
    assertEquals(1.0, triangular.multiplier(0.5), TOL);
    assertEquals(0.5, triangular.multiplier(0.75), TOL);
    assertEquals(0.0, triangular.multiplier(1), TOL);

    LrSchedule trapezoid = LrSchedule.of("one-cycle-trapezoidal", 0);
    assertEquals(0.0, trapezoid.multiplier(0), TOL);
    assertEquals(0.5, trapezoid.multiplier(0.05), TOL);
    assertEquals(1.0, trapezoid.multiplier(0.1), TOL);
    assertEquals(1.0, trapezoid.multiplier(0.5), TOL);
    assertEquals(1.0, trapezoid.multiplier(0.8), TOL);
    assertEquals(0.5, trapezoid.multiplier(0.9), TOL);
    assertEquals(0.0, trapezoid.multiplier(1), TOL);

    LrSchedule constant = LrSchedule.of("constant", 0);
    assertEquals(1.0, constant.multiplier(0), TOL);
    assertEquals(1.0, constant.multiplier(1), TOL);
  }

  @Test
  void everyCurveStaysInUnitRangeAndIsContinuous() {
    for (LrSchedule.Curve curve : LrSchedule.Curve.values()) {
      LrSchedule s = new LrSchedule(curve, 0.05);
      double previous = s.multiplier(0);
      for (int i = 1; i <= 10_000; i++) {
        double value = s.multiplier(i / 10_000.0);
        assertTrue(value >= 0 && value <= 1, curve + " at " + i);
        // Slopes are at most 20 per unit t (warmup over 0.05), so a step of 1e-4 moves at most 2e-3.
        assertTrue(Math.abs(value - previous) <= 2e-3 + TOL, curve + " jumps at " + i);
        previous = value;
      }
    }
  }

  @Test
  void triangleRisesThenFalls() {
    LrSchedule s = LrSchedule.of("budget-triangle", 0);
    for (double t = 0; t < 0.75 - 0.01; t += 0.01) {
      assertTrue(s.multiplier(t + 0.01) > s.multiplier(t), "rising at " + t);
    }
    for (double t = 0.75; t < 0.99; t += 0.01) {
      assertTrue(s.multiplier(t + 0.01) < s.multiplier(t), "falling at " + t);
    }
  }

  @Test
  void warmupRampsLinearlyToTheCurveValue() {
    LrSchedule s = LrSchedule.of("budget-triangle", 0.1);
    assertEquals(0.0, s.multiplier(0), TOL);
    // At t = w the triangle is 0.35; halfway through warmup half of it.
    assertEquals(0.175, s.multiplier(0.05), TOL);
    assertEquals(0.35, s.multiplier(0.1), TOL);
    assertEquals(0.45, s.multiplier(0.2), TOL);
    assertEquals(1.0, s.multiplier(0.75), TOL);

    LrSchedule constant = LrSchedule.of("constant", 0.2);
    assertEquals(0.25, constant.multiplier(0.05), TOL);
    assertEquals(1.0, constant.multiplier(0.2), TOL);
  }

  @Test
  void clampsTOutsideTheBudget() {
    LrSchedule s = LrSchedule.of("budget-linear", 0);
    assertEquals(1.0, s.multiplier(-0.5), TOL);
    assertEquals(0.0, s.multiplier(1.5), TOL);
  }

  @Test
  void unknownNameListsTheValidOnes() {
    BadInputException e = assertThrows(BadInputException.class, () -> LrSchedule.of("budget-triangel", 0));
    assertTrue(e.getMessage().contains("budget-triangel"), e.getMessage());
    for (String valid : new String[] {"budget-triangle", "budget-cosine", "budget-linear", "one-cycle-triangular",
        "one-cycle-trapezoidal", "constant"}) {
      assertTrue(e.getMessage().contains(valid), e.getMessage());
    }
    assertThrows(BadInputException.class, () -> LrSchedule.of("constant", 1.0));
    assertThrows(BadInputException.class, () -> LrSchedule.of("constant", -0.1));
  }
}
