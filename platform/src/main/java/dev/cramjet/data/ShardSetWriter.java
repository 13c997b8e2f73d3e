package dev.cramjet.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a row stream into shard files {@code shard-00000.bin}, {@code shard-00001.bin}, ... of at most {@code
 * shardRows} rows each, in a folder. Not thread-safe.
 */
final class ShardSetWriter implements RowSink, AutoCloseable {
  private final Path dir;
  private final int vocabSize;
  private final int seqLen;
  private final int shardRows;
  private final List<ShardInfo> done = new ArrayList<>();
  private ShardWriter current;

  ShardSetWriter(Path dir, int vocabSize, int seqLen, int shardRows) {
    this.dir = dir;
    this.vocabSize = vocabSize;
    this.seqLen = seqLen;
    this.shardRows = shardRows;
  }

  static String name(int index) {
    return String.format("shard-%05d.bin", index);
  }

  @Override
  public void accept(int[] row) {
    if (current == null) current = ShardWriter.create(dir.resolve(name(done.size())), vocabSize, seqLen);
    current.write(row);
    if (current.rows() == shardRows) {
      done.add(current.finish());
      current = null;
    }
  }

  /** Finishes the last shard and returns all of them in order. */
  List<ShardInfo> finish() {
    if (current != null) {
      done.add(current.finish());
      current = null;
    }
    return List.copyOf(done);
  }

  @Override
  public void close() {
    if (current != null) current.close();
  }
}
