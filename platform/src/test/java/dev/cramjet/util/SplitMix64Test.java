package dev.cramjet.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SplitMix64Test {
  @Test
  void matchesPublishedReferenceSequenceForSeedZero() {
    // The first outputs of Vigna's splitmix64.c with x = 0.
    SplitMix64 rng = new SplitMix64(0);
    assertEquals(0xE220A8397B1DCDAFL, rng.nextLong());
    assertEquals(0x6E789E6AA1B965F4L, rng.nextLong());
    assertEquals(0x06C45D188009454FL, rng.nextLong());
  }

  @Test
  void stateRoundTripContinuesTheSequence() {
    SplitMix64 a = new SplitMix64(42);
    a.nextLong();
    SplitMix64 b = new SplitMix64(a.state());
    for (int i = 0; i < 10; i++) {
      assertEquals(a.nextLong(), b.nextLong());
    }
  }

  @Test
  void streamsDependOnlyOnSeedAndIndex() {
    assertEquals(SplitMix64.forStream(7, 3).nextLong(), SplitMix64.forStream(7, 3).nextLong());
    assertNotEquals(SplitMix64.forStream(7, 3).nextLong(), SplitMix64.forStream(7, 4).nextLong());
    assertNotEquals(SplitMix64.forStream(7, 3).nextLong(), SplitMix64.forStream(8, 3).nextLong());
  }

  @Test
  void nextIntIsInRangeAndRoughlyUniform() {
    SplitMix64 rng = new SplitMix64(1);
    int[] counts = new int[7];
    int n = 70_000;
    for (int i = 0; i < n; i++) {
      counts[rng.nextInt(7)]++;
    }
    for (int c : counts) {
      // expected 10000, sd about 93
      assertTrue(Math.abs(c - 10_000) < 600, "bucket count " + c);
    }
    assertThrows(IllegalArgumentException.class, () -> rng.nextInt(0));
  }

  @Test
  void floatsAndDoublesAreInUnitInterval() {
    SplitMix64 rng = new SplitMix64(2);
    double sum = 0;
    for (int i = 0; i < 10_000; i++) {
      float f = rng.nextFloat();
      double d = rng.nextDouble();
      assertTrue(f >= 0 && f < 1);
      assertTrue(d >= 0 && d < 1);
      sum += d;
    }
    assertEquals(0.5, sum / 10_000, 0.02);
  }

  @Test
  void gaussianHasUnitMoments() {
    SplitMix64 rng = new SplitMix64(3);
    int n = 40_000;
    double sum = 0;
    double sumSq = 0;
    for (int i = 0; i < n; i++) {
      double x = rng.nextGaussian();
      sum += x;
      sumSq += x * x;
    }
    assertEquals(0.0, sum / n, 0.03);
    assertEquals(1.0, sumSq / n, 0.05);
  }
}
