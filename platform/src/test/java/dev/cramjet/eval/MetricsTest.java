package dev.cramjet.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MetricsTest {
  // Shared binary example: tp = 2 (0, 4), fp = 1 (1), fn = 1 (3), tn = 2 (2, 5).
  static final int[] PRED = {1, 1, 0, 0, 1, 0};
  static final int[] GOLD = {1, 0, 0, 1, 1, 0};

  @Test
  void accuracyCountsMatches() {
    assertEquals(4.0 / 6, Metrics.accuracy(PRED, GOLD), 1e-12);
  }

  @Test
  void matthewsOfBinaryCounts() {
    // (tp tn - fp fn) / sqrt((tp+fp)(tp+fn)(tn+fp)(tn+fn)) = (4 - 1) / sqrt(3 * 3 * 3 * 3) = 1/3
    assertEquals(1.0 / 3, Metrics.matthews(PRED, GOLD), 1e-12);
    assertEquals(1.0, Metrics.matthews(GOLD, GOLD), 1e-12);
    assertEquals(-1.0, Metrics.matthews(new int[] {0, 1, 1, 0}, new int[] {1, 0, 0, 1}), 1e-12);
  }

  @Test
  void matthewsIsZeroForASinglePredictedClass() {
    assertEquals(0.0, Metrics.matthews(new int[] {1, 1, 1, 1}, new int[] {1, 0, 1, 0}), 0);
    assertEquals(0.0, Metrics.matthews(new int[] {0, 1, 0, 1}, new int[] {1, 1, 1, 1}), 0);
  }

  @Test
  void matthewsMultiClass() {
    // correct 2 of n 4; predicted counts (2, 1, 1), gold counts (1, 2, 1):
    // (2*4 - (2+2+1)) / (sqrt(16 - 6) sqrt(16 - 6)) = 3 / 10
    assertEquals(0.3, Metrics.matthews(new int[] {0, 1, 2, 0}, new int[] {0, 1, 1, 2}), 1e-12);
  }

  @Test
  void f1OfClassOne() {
    // 2 tp / (2 tp + fp + fn) = 4 / 6
    assertEquals(2.0 / 3, Metrics.f1(PRED, GOLD), 1e-12);
    assertEquals(0.0, Metrics.f1(new int[] {0, 0, 0}, new int[] {1, 0, 1}), 0);
    assertEquals(0.0, Metrics.f1(new int[] {1, 1}, new int[] {0, 0}), 0);
  }

  @Test
  void pearsonByHand() {
    // means 2 and 7/3; sxy = 3, sxx = 2, syy = 14/3 -> r = 3 / sqrt(28/3) = sqrt(27/28)
    assertEquals(Math.sqrt(27.0 / 28), Metrics.pearson(new double[] {1, 2, 3}, new double[] {1, 2, 4}), 1e-12);
    assertEquals(-1.0, Metrics.pearson(new double[] {1, 2, 3}, new double[] {3, 2, 1}), 1e-12);
  }

  @Test
  void correlationsOfAConstantAreZero() {
    double[] constant = {0.5, 0.5, 0.5};
    double[] gold = {1, 2, 3};
    assertEquals(0.0, Metrics.pearson(constant, gold), 0);
    assertEquals(0.0, Metrics.spearman(constant, gold), 0);
  }

  @Test
  void spearmanAveragesTiedRanks() {
    assertArrayEquals(new double[] {1, 2.5, 2.5, 4}, Metrics.ranks(new double[] {1, 2, 2, 3}), 0);
    assertArrayEquals(new double[] {3, 1, 2}, Metrics.ranks(new double[] {9, -1, 0}), 0);
    // ranks (1, 2.5, 2.5, 4) vs (1, 2, 3, 4): sxy = 4.5, sxx = 4.5, syy = 5 -> 4.5 / sqrt(22.5) = sqrt(0.9)
    assertEquals(Math.sqrt(0.9), Metrics.spearman(new double[] {1, 2, 2, 3}, new double[] {10, 20, 30, 40}), 1e-12);
    // monotone but far from linear: rank correlation 1
    assertEquals(1.0, Metrics.spearman(new double[] {1, 2, 3, 4}, new double[] {1, 4, 9, 100}), 1e-12);
  }

  @Test
  void rejectsMismatchedOrEmptyInputs() {
    assertThrows(IllegalArgumentException.class, () -> Metrics.accuracy(new int[] {1}, new int[] {1, 0}));
    assertThrows(IllegalArgumentException.class, () -> Metrics.pearson(new double[0], new double[0]));
  }
}
