package dev.cramjet.data;

/**
 * A fixed-length sequence of token rows, addressed by index. The trainer reads pretraining rows through this:
 * prepared shards implement it, and so does the synthetic stream used before any data exists.
 */
public interface RowSource {
  /** Tokens per row. */
  int seqLen();

  /** Number of rows; indices run from 0 to rows() - 1. */
  long rows();

  /** Every token id is below this. */
  int vocabSize();

  /** Copies row {@code index} into {@code dst}, which has length {@link #seqLen()}. */
  void read(long index, int[] dst);
}
