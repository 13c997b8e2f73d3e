package dev.cramjet.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Rows held in memory, appended in order and read by global index: what raw-text mode packs into. Rows are kept in
 * chunks of {@value #CHUNK_ROWS}, so growing never copies what is already there. Appending is for one thread; reads
 * of rows appended before a safe publication (e.g. an actor message) may come from any thread once appending is done.
 */
public final class MemoryRows implements RowSource, RowSink {
  static final int CHUNK_ROWS = 4096;

  private final int seqLen;
  private final int vocabSize;
  private final List<int[]> chunks = new ArrayList<>();
  private long rows;

  public MemoryRows(int seqLen, int vocabSize) {
    if (seqLen < 1 || vocabSize < 1) {
      throw new IllegalArgumentException("seqLen and vocabSize must be positive");
    }
    this.seqLen = seqLen;
    this.vocabSize = vocabSize;
  }

  @Override
  public void accept(int[] row) {
    if (row.length != seqLen) {
      throw new IllegalArgumentException("row of " + row.length + " tokens, expected " + seqLen);
    }
    int inChunk = (int) (rows % CHUNK_ROWS);
    if (inChunk == 0) {
      chunks.add(new int[CHUNK_ROWS * seqLen]);
    }
    System.arraycopy(row, 0, chunks.get(chunks.size() - 1), inChunk * seqLen, seqLen);
    rows++;
  }

  @Override
  public int seqLen() {
    return seqLen;
  }

  @Override
  public long rows() {
    return rows;
  }

  @Override
  public int vocabSize() {
    return vocabSize;
  }

  @Override
  public void read(long index, int[] dst) {
    if (index < 0 || index >= rows) {
      throw new IndexOutOfBoundsException("row " + index + " of " + rows);
    }
    System.arraycopy(chunks.get((int) (index / CHUNK_ROWS)), (int) (index % CHUNK_ROWS) * seqLen, dst, 0, seqLen);
  }
}
