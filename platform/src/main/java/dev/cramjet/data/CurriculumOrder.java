package dev.cramjet.data;

import java.nio.file.Path;

/**
 * The recipe's curriculum: rows sorted by how many "." tokens they hold, most first; rows with the same count keep
 * their corpus order. A stable bucket sort with one temporary file per count (0 to seqLen), so it is linear and its
 * memory is one small buffer per bucket. Without a "." in the vocabulary every row has count 0 and corpus order
 * stays.
 */
final class CurriculumOrder implements RowOrder {
  private final RowFile[] buckets;
  private final int periodId;

  CurriculumOrder(Path tempDir, int seqLen, int tokenBytes, int periodId) {
    this.periodId = periodId;
    this.buckets = new RowFile[seqLen + 1];
    for (int k = 0; k <= seqLen; k++) {
      buckets[k] = new RowFile(tempDir.resolve("curriculum-" + k + ".rows"), seqLen, tokenBytes);
    }
  }

  /** The sort key of a row. */
  static int periods(int[] row, int periodId) {
    int n = 0;
    for (int id : row) if (id == periodId) n++;
    return n;
  }

  @Override
  public void accept(int[] row) {
    buckets[periodId < 0 ? 0 : periods(row, periodId)].append(row);
  }

  @Override
  public void drainTo(RowSink out) {
    for (int k = buckets.length - 1; k >= 0; k--) buckets[k].drainTo(out);
  }

  @Override
  public void close() {
    for (RowFile b : buckets) b.delete();
  }
}
