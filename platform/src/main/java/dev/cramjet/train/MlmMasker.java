package dev.cramjet.train;

import dev.cramjet.text.SpecialTokens;
import dev.cramjet.util.BadInputException;
import dev.cramjet.util.SplitMix64;
import java.util.Arrays;

/**
 * Masks pretraining rows for the MLM objective, on plain int arrays ahead of time (a data actor does it, not the GPU).
 *
 * <p>Per row of T tokens: exactly {@code k = round(rate * T)} positions (32 for T = 128 at rate 0.25, 19 at BERT's
 * 0.15) are chosen uniformly without replacement, by a partial Fisher-Yates shuffle. Each chosen position then draws
 * independently, as BERT does: with probability 0.8 it becomes [MASK], 0.1 a token drawn uniformly from the ordinary
 * ids [{@link SpecialTokens#COUNT}, vocabSize) (it may equal the original), 0.1 it stays. So the 80/10/10 split holds in
 * expectation, not exactly per row; the number of positions is exact, which keeps shapes static.
 *
 * <p>The randomness of a row depends only on (seed, global row index), through {@link SplitMix64#forStream}: a resumed
 * run masks every row exactly as the uninterrupted run would, with no RNG state to save.
 *
 * <p>Pretraining rows are full (packed, no [PAD]), so every position is eligible; this class does not skip special
 * tokens such as [SEP], matching the reference recipe, and does not handle padded fine-tuning rows.
 */
public final class MlmMasker {
  /** Probability that a chosen position becomes [MASK]. */
  public static final double MASK_PROBABILITY = 0.8;
  /** Probability that a chosen position becomes a random ordinary token (the remaining 0.1 stays unchanged). */
  public static final double RANDOM_PROBABILITY = 0.1;

  private final int seqLen;
  private final int vocabSize;
  private final int maskedPerRow;
  private final long seed;

  /**
   * @param rate fraction of each row to mask, in (0, 1]
   * @param seqLen tokens per row T
   * @param vocabSize ids are below this; random replacements come from [5, vocabSize)
   * @param seed the masking seed; with the row index it fixes each row's masking
   */
  public MlmMasker(double rate, int seqLen, int vocabSize, long seed) {
    if (!(rate > 0 && rate <= 1)) {
      throw new BadInputException("masking rate must be in (0, 1], got " + rate);
    }
    if (seqLen <= 0) {
      throw new BadInputException("seqLen must be positive, got " + seqLen);
    }
    if (vocabSize <= SpecialTokens.COUNT) {
      throw new BadInputException("vocabSize must exceed the " + SpecialTokens.COUNT + " special tokens, got " + vocabSize);
    }
    this.seqLen = seqLen;
    this.vocabSize = vocabSize;
    this.maskedPerRow = (int) Math.round(rate * seqLen);
    if (maskedPerRow < 1) {
      throw new BadInputException("masking rate " + rate + " masks no position of a " + seqLen + "-token row");
    }
    this.seed = seed;
  }

  /** T: tokens per row this masker expects. */
  public int seqLen() {
    return seqLen;
  }

  /** k: masked positions per row. */
  public int maskedPerRow() {
    return maskedPerRow;
  }

  /**
   * Masks {@code rows} consecutive rows whose global indices start at {@code firstRowIndex}.
   *
   * @param tokens (rows*T) the original ids, row-major; not modified
   */
  public MaskedBatch mask(int[] tokens, int rows, long firstRowIndex) {
    long[] indices = new long[rows];
    for (int r = 0; r < rows; r++) {
      indices[r] = firstRowIndex + r;
    }
    return mask(tokens, indices);
  }

  /**
   * Masks rows with the given global row indices (one per row, in order).
   *
   * @param tokens (rows*T) the original ids, row-major; not modified
   */
  public MaskedBatch mask(int[] tokens, long[] rowIndices) {
    int rows = rowIndices.length;
    if (rows == 0 || tokens.length != rows * seqLen) {
      throw new IllegalArgumentException(
          "tokens has " + tokens.length + " ids, expected " + rows + " rows x " + seqLen + " (and at least one row)");
    }
    int[] input = tokens.clone();
    int[] positions = new int[rows * maskedPerRow];
    int[] labels = new int[rows * maskedPerRow];
    int[] order = new int[seqLen];
    for (int r = 0; r < rows; r++) {
      maskRow(input, r, rowIndices[r], order, positions, labels);
    }
    return new MaskedBatch(rows, seqLen, input, positions, labels);
  }

  private void maskRow(int[] input, int row, long rowIndex, int[] order, int[] positions, int[] labels) {
    SplitMix64 rng = SplitMix64.forStream(seed, rowIndex);
    // Partial Fisher-Yates: after j swaps, order[0..j) is a uniform sample of j distinct columns.
    for (int i = 0; i < seqLen; i++) {
      order[i] = i;
    }
    for (int j = 0; j < maskedPerRow; j++) {
      int pick = j + rng.nextInt(seqLen - j);
      int tmp = order[j];
      order[j] = order[pick];
      order[pick] = tmp;
    }
    Arrays.sort(order, 0, maskedPerRow);

    int rowStart = row * seqLen;
    int outStart = row * maskedPerRow;
    for (int j = 0; j < maskedPerRow; j++) {
      int flat = rowStart + order[j];
      int original = input[flat];
      if (original < 0 || original >= vocabSize) {
        throw new BadInputException("token id " + original + " at row " + rowIndex + ", column " + order[j]
            + " is outside the vocabulary [0, " + vocabSize + ")");
      }
      positions[outStart + j] = flat;
      labels[outStart + j] = original;
      double u = rng.nextDouble();
      if (u < MASK_PROBABILITY) {
        input[flat] = SpecialTokens.MASK_ID;
      } else if (u < MASK_PROBABILITY + RANDOM_PROBABILITY) {
        input[flat] = SpecialTokens.COUNT + rng.nextInt(vocabSize - SpecialTokens.COUNT);
      } // else: left unchanged, but still predicted
    }
  }
}
