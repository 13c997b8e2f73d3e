package dev.cramjet.data;

import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A seeded random permutation of rows larger than memory: each row goes to one of {@value #FANOUT} temporary buckets
 * at random; each bucket is then shuffled in memory (Fisher-Yates) if it fits {@code maxBucketBytes}, or split again
 * the same way if not. Random assignment followed by uniform shuffles within buckets gives a uniform permutation. The
 * same seed and input give the same order.
 */
final class ShuffleOrder implements RowOrder {
  static final int FANOUT = 64;

  private final Path tempDir;
  private final int seqLen;
  private final int tokenBytes;
  private final long maxBucketBytes;
  private final SplittableRandom random;
  private final RowFile[] buckets;
  private int fileCounter;

  ShuffleOrder(Path tempDir, int seqLen, int tokenBytes, long seed, long maxBucketBytes) {
    this.tempDir = tempDir;
    this.seqLen = seqLen;
    this.tokenBytes = tokenBytes;
    this.maxBucketBytes = Math.max(maxBucketBytes, (long) seqLen * tokenBytes);
    this.random = new SplittableRandom(seed);
    this.buckets = newBuckets();
  }

  private RowFile[] newBuckets() {
    RowFile[] b = new RowFile[FANOUT];
    for (int i = 0; i < FANOUT; i++) {
      b[i] = new RowFile(tempDir.resolve("shuffle-" + (fileCounter++) + ".rows"), seqLen, tokenBytes);
    }
    return b;
  }

  @Override
  public void accept(int[] row) {
    buckets[random.nextInt(FANOUT)].append(row);
  }

  @Override
  public void drainTo(RowSink out) {
    for (RowFile b : buckets) drain(b, out);
  }

  private void drain(RowFile bucket, RowSink out) {
    if (bucket.bytes() > maxBucketBytes) {
      RowFile[] sub = newBuckets();
      bucket.drainTo(row -> sub[random.nextInt(FANOUT)].append(row));
      for (RowFile s : sub) drain(s, out);
      return;
    }
    byte[] all = bucket.readAllBytes();
    bucket.delete();
    int n = (int) bucket.rows();
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) perm[i] = i;
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    int[] row = new int[seqLen];
    int rowBytes = seqLen * tokenBytes;
    for (int i : perm) {
      bucket.decode(all, i * rowBytes, row);
      out.accept(row);
    }
  }

  @Override
  public void close() {
    for (RowFile b : buckets) b.delete();
  }
}
