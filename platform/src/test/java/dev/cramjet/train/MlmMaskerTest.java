package dev.cramjet.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cramjet.text.SpecialTokens;
import dev.cramjet.util.BadInputException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MlmMaskerTest {
  private static final int T = 128;
  private static final int VOCAB = 32768;

  /** Rows of ordinary ids (never [MASK]), from an independent generator. */
  private static int[] randomRows(int rows, long seed) {
    Random r = new Random(seed);
    int[] tokens = new int[rows * T];
    for (int i = 0; i < tokens.length; i++) {
      tokens[i] = SpecialTokens.COUNT + r.nextInt(VOCAB - SpecialTokens.COUNT);
    }
    return tokens;
  }

  @Test
  void masksExactlyRoundRateTimesTPositions() {
    assertEquals(32, new MlmMasker(0.25, T, VOCAB, 0).maskedPerRow());
    assertEquals(19, new MlmMasker(0.15, T, VOCAB, 0).maskedPerRow()); // round(19.2)
    MaskedBatch batch = new MlmMasker(0.25, T, VOCAB, 1).mask(randomRows(8, 1), 8, 0);
    assertEquals(8 * 32, batch.maskedPositions().length);
    assertEquals(8 * 32, batch.labels().length);
    assertEquals(32, batch.maskedPerRow());
  }

  @Test
  void positionsAreDistinctSortedAndInTheirRow() {
    int rows = 50;
    MaskedBatch batch = new MlmMasker(0.25, T, VOCAB, 2).mask(randomRows(rows, 2), rows, 0);
    int k = batch.maskedPerRow();
    for (int r = 0; r < rows; r++) {
      int[] pos = Arrays.copyOfRange(batch.maskedPositions(), r * k, (r + 1) * k);
      for (int j = 0; j < k; j++) {
        assertTrue(pos[j] >= r * T && pos[j] < (r + 1) * T, "row " + r);
        if (j > 0) {
          assertTrue(pos[j] > pos[j - 1], "ascending and distinct in row " + r);
        }
      }
    }
  }

  @Test
  void labelsAreTheOriginalsAndOtherPositionsAreUntouched() {
    int rows = 20;
    int[] original = randomRows(rows, 3);
    int[] copy = original.clone();
    MaskedBatch batch = new MlmMasker(0.25, T, VOCAB, 3).mask(original, rows, 0);
    assertArrayEquals(copy, original, "input array not modified");
    boolean[] masked = new boolean[rows * T];
    for (int j = 0; j < batch.maskedPositions().length; j++) {
      int p = batch.maskedPositions()[j];
      masked[p] = true;
      assertEquals(original[p], batch.labels()[j]);
    }
    for (int i = 0; i < rows * T; i++) {
      if (!masked[i]) {
        assertEquals(original[i], batch.inputIds()[i], "unmasked position " + i);
      }
    }
  }

  @Test
  void splitIsEightyTenTenAndPositionsAreUniform() {
    int rows = 2000;
    int[] original = randomRows(rows, 4);
    MaskedBatch batch = new MlmMasker(0.25, T, VOCAB, 4).mask(original, rows, 0);
    int maskCount = 0;
    int unchanged = 0;
    int replaced = 0;
    int[] perColumn = new int[T];
    for (int p : batch.maskedPositions()) {
      perColumn[p % T]++;
      int now = batch.inputIds()[p];
      if (now == SpecialTokens.MASK_ID) {
        maskCount++;
      } else if (now == original[p]) {
        unchanged++;
      } else {
        replaced++;
        assertTrue(now >= SpecialTokens.COUNT && now < VOCAB, "random token is an ordinary id: " + now);
      }
    }
    double n = batch.maskedPositions().length; // 64000: sd of a 0.1 share is about 0.0012
    assertEquals(0.8, maskCount / n, 0.01);
    assertEquals(0.1, replaced / n, 0.01);
    assertEquals(0.1, unchanged / n, 0.01);
    for (int c = 0; c < T; c++) {
      // Each column is chosen with probability 32/128 per row; sd over 2000 rows is about 0.0097.
      assertEquals(0.25, perColumn[c] / (double) rows, 0.05, "column " + c);
    }
  }

  @Test
  void randomReplacementsCoverTheOrdinaryIdsOnly() {
    int vocab = 9; // ordinary ids 5..8
    int rows = 500;
    int[] tokens = new int[rows * T];
    Arrays.fill(tokens, 5);
    MaskedBatch batch = new MlmMasker(0.5, T, vocab, 5).mask(tokens, rows, 0);
    boolean[] seen = new boolean[vocab];
    for (int p : batch.maskedPositions()) {
      seen[batch.inputIds()[p]] = true;
    }
    assertTrue(seen[SpecialTokens.MASK_ID] && seen[5] && seen[6] && seen[7] && seen[8]);
    assertFalse(seen[0] || seen[1] || seen[2] || seen[3], "no other special token is ever drawn");
  }

  @Test
  void maskingDependsOnlyOnSeedAndGlobalRowIndex() {
    MlmMasker masker = new MlmMasker(0.25, T, VOCAB, 77);
    int[] rows = randomRows(4, 6);
    MaskedBatch whole = masker.mask(rows, 4, 100);
    // Row 102 masked alone (as after a resume) matches its masking inside the batch.
    MaskedBatch alone = masker.mask(Arrays.copyOfRange(rows, 2 * T, 3 * T), new long[] {102});
    int k = masker.maskedPerRow();
    assertArrayEquals(Arrays.copyOfRange(whole.inputIds(), 2 * T, 3 * T), alone.inputIds());
    assertArrayEquals(Arrays.copyOfRange(whole.labels(), 2 * k, 3 * k), alone.labels());
    int[] shifted = Arrays.stream(Arrays.copyOfRange(whole.maskedPositions(), 2 * k, 3 * k)).map(p -> p - 2 * T).toArray();
    assertArrayEquals(shifted, alone.maskedPositions());

    MaskedBatch otherSeed = new MlmMasker(0.25, T, VOCAB, 78).mask(rows, 4, 100);
    assertFalse(Arrays.equals(whole.maskedPositions(), otherSeed.maskedPositions()));
    MaskedBatch otherRows = masker.mask(rows, 4, 101);
    assertFalse(Arrays.equals(whole.maskedPositions(), otherRows.maskedPositions()));
  }

  @Test
  void badInputIsRejected() {
    MlmMasker masker = new MlmMasker(0.25, T, VOCAB, 0);
    // Only masked positions are checked, so make the whole row out of vocabulary.
    int[] tokens = new int[T];
    Arrays.fill(tokens, VOCAB);
    BadInputException e = assertThrows(BadInputException.class, () -> masker.mask(tokens, 1, 0));
    assertTrue(e.getMessage().contains(String.valueOf(VOCAB)), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> masker.mask(new int[T + 1], 1, 0));
    assertThrows(BadInputException.class, () -> new MlmMasker(0, T, VOCAB, 0));
    assertThrows(BadInputException.class, () -> new MlmMasker(0.25, T, 5, 0));
    assertThrows(BadInputException.class, () -> new MlmMasker(0.001, T, VOCAB, 0));
  }
}
