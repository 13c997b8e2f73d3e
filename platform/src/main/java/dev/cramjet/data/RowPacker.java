package dev.cramjet.data;

import dev.cramjet.text.SpecialTokens;

/**
 * Packs documents into rows the way the recipe does: each document's tokens followed by [SEP], all concatenated, cut
 * into rows of {@code seqLen}; no padding and no [CLS]. A document may span rows. What is left at the end, less than
 * a row, is dropped and counted. Not thread-safe.
 */
public final class RowPacker {
  private final int[] row;
  private final RowSink sink;
  private int fill;
  private long rows;
  private long tokens;

  public RowPacker(int seqLen, RowSink sink) {
    this.row = new int[seqLen];
    this.sink = sink;
  }

  /** Appends one document and its [SEP]. */
  public void add(int[] doc) {
    for (int id : doc) put(id);
    put(SpecialTokens.SEP_ID);
  }

  private void put(int id) {
    row[fill++] = id;
    tokens++;
    if (fill == row.length) {
      sink.accept(row);
      rows++;
      fill = 0;
    }
  }

  /** Rows emitted so far. */
  public long rows() {
    return rows;
  }

  /** Tokens packed so far, [SEP]s included, whether or not their row is complete yet. */
  public long tokens() {
    return tokens;
  }

  /** Drops the incomplete last row and returns how many tokens it held. */
  public int finish() {
    int dropped = fill;
    fill = 0;
    return dropped;
  }
}
