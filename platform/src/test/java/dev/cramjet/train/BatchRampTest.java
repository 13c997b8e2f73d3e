package dev.cramjet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cramjet.util.BadInputException;
import org.junit.jupiter.api.Test;

class BatchRampTest {
  // The recipe: 8192 rows per step from micro-batches of 128, ramped over the first 60% of the budget.
  private final BatchRamp recipe = new BatchRamp(8192, 128, 0.6);

  @Test
  void startsAtOneMicroBatch() {
    assertEquals(1, recipe.microBatchesAt(0));
    assertEquals(128, recipe.rowsAt(0));
  }

  @Test
  void reachesTheTargetExactlyAtTheRampFraction() {
    assertEquals(64, recipe.microBatchesAt(0.6));
    assertEquals(8192, recipe.rowsAt(0.6));
    // 1 + floor(63 * 0.59 / 0.6) = 1 + floor(61.95) = 62
    assertEquals(62, recipe.microBatchesAt(0.59));
    assertTrue(recipe.rowsAt(0.59) < 8192);
    assertEquals(63, recipe.microBatchesAt(Math.nextDown(0.6)), "never the target before t = r");
    assertEquals(64, recipe.microBatchesAt(0.9));
    assertEquals(64, recipe.microBatchesAt(1));
  }

  @Test
  void midwayValues() {
    // 1 + floor(63 * 0.3 / 0.6) = 1 + 31
    assertEquals(32, recipe.microBatchesAt(0.3));
    assertEquals(4096, recipe.rowsAt(0.3));
  }

  @Test
  void neverDecreases() {
    int previous = 1;
    for (int i = 0; i <= 1000; i++) {
      int now = recipe.microBatchesAt(i / 1000.0);
      assertTrue(now >= previous && now >= 1 && now <= 64, "at " + i);
      previous = now;
    }
  }

  @Test
  void noRampAndSingleMicroBatchCases() {
    assertEquals(4, new BatchRamp(64, 16, 0).microBatchesAt(0));
    BatchRamp single = new BatchRamp(32, 32, 0.6);
    assertEquals(1, single.microBatchesAt(0.1));
    assertEquals(1, single.microBatchesAt(0.7));
  }

  @Test
  void batchMustBeAMultipleOfTheMicroBatch() {
    BadInputException e = assertThrows(BadInputException.class, () -> new BatchRamp(1000, 128, 0.6));
    assertTrue(e.getMessage().contains("128") && e.getMessage().contains("1000"), e.getMessage());
    assertThrows(BadInputException.class, () -> new BatchRamp(128, 0, 0.6));
    assertThrows(BadInputException.class, () -> new BatchRamp(256, 128, 1.5));
  }
}
