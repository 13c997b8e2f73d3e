package dev.cramjet.train;

/**
 * One masked pretraining batch, flat and with static shapes: every row has exactly {@code k} masked positions, so the
 * sparse-prediction decoder always sees {@code rows * k} positions.
 *
 * @param rows number of rows B
 * @param seqLen tokens per row T
 * @param inputIds (B*T) the model input: the original ids with the masked positions replaced (80% [MASK], 10% a random
 *     token, 10% unchanged)
 * @param maskedPositions (B*k) flat indices into {@code inputIds} (row * T + column), ascending within each row
 * @param labels (B*k) the original ids at {@code maskedPositions}, the MLM targets
 */
public record MaskedBatch(int rows, int seqLen, int[] inputIds, int[] maskedPositions, int[] labels) {
  public MaskedBatch {
    if (rows <= 0 || seqLen <= 0) {
      throw new IllegalArgumentException("rows and seqLen must be positive, got " + rows + " x " + seqLen);
    }
    if (inputIds.length != rows * seqLen) {
      throw new IllegalArgumentException("inputIds has " + inputIds.length + " ids, expected rows * seqLen = " + rows * seqLen);
    }
    if (maskedPositions.length != labels.length || maskedPositions.length % rows != 0) {
      throw new IllegalArgumentException("maskedPositions (" + maskedPositions.length + ") and labels (" + labels.length
          + ") must have the same length, a multiple of rows (" + rows + ")");
    }
  }

  /** Masked positions per row, k. */
  public int maskedPerRow() {
    return maskedPositions.length / rows;
  }
}
