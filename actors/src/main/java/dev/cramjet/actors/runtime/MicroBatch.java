package dev.cramjet.actors.runtime;

import dev.cramjet.actors.CrossNode;
import dev.cramjet.train.MaskedBatch;

/**
 * One masked micro-batch on its way to the trainer: consecutive rows starting at global row index {@code firstRow},
 * as packed primitive arrays (see {@link MaskedBatch} for their layout).
 *
 * @param loadedBy the address of the node whose loader read the rows ("local" for this node)
 */
public record MicroBatch(long firstRow, int rows, int seqLen, int[] inputIds, int[] maskedPositions, int[] labels,
    String loadedBy) implements CrossNode {
  public MicroBatch {
    if (firstRow < 0) {
      throw new IllegalArgumentException("firstRow must be >= 0, got " + firstRow);
    }
    new MaskedBatch(rows, seqLen, inputIds, maskedPositions, labels); // same shape checks
  }

  public static MicroBatch of(long firstRow, MaskedBatch b, String loadedBy) {
    return new MicroBatch(firstRow, b.rows(), b.seqLen(), b.inputIds(), b.maskedPositions(), b.labels(), loadedBy);
  }

  public MaskedBatch masked() {
    return new MaskedBatch(rows, seqLen, inputIds, maskedPositions, labels);
  }
}
