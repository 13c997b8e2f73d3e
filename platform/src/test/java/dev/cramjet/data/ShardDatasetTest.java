package dev.cramjet.data;

import static org.junit.jupiter.api.Assertions.*;

import dev.cramjet.util.BadInputException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardDatasetTest {
  @TempDir Path dir;

  private static int[] row(int seqLen, int seed, int vocab) {
    Random r = new Random(seed);
    int[] row = new int[seqLen];
    for (int i = 0; i < seqLen; i++) row[i] = r.nextInt(vocab);
    return row;
  }

  private ShardInfo writeShard(String name, int vocab, int seqLen, int firstSeed, int rows) {
    try (ShardWriter w = ShardWriter.create(dir.resolve(name), vocab, seqLen)) {
      for (int i = 0; i < rows; i++) w.write(row(seqLen, firstSeed + i, vocab));
      return w.finish();
    }
  }

  static Manifest manifest(int seqLen, int vocab, List<ShardInfo> shards) {
    long rows = shards.stream().mapToLong(ShardInfo::rows).sum();
    return new Manifest(Manifest.FORMAT, 1, seqLen, vocab, ShardHeader.tokenBytesFor(vocab), "curriculum",
        List.of(), List.of(), new DocumentCounts(0, 0, 0, 0, 0, 0), 0, 0, 0, 0, 0, 0, rows, 0, "t", "c", Map.of(),
        shards, 0);
  }

  @Test
  void readsRowsAcrossShardBoundariesInManifestOrder() {
    ShardInfo a = writeShard("b.bin", 32768, 16, 0, 3);
    ShardInfo empty = writeShard("c.bin", 32768, 16, 100, 0);
    ShardInfo b = writeShard("a.bin", 32768, 16, 3, 4);
    manifest(16, 32768, List.of(a, empty, b)).write(dir);
    ShardDataset ds = ShardDataset.open(dir);
    assertEquals(7, ds.rows());
    assertEquals(16, ds.seqLen());
    assertEquals(32768, ds.vocabSize());
    int[] dst = new int[16];
    for (int i = 0; i < 7; i++) {
      ds.read(i, dst);
      assertArrayEquals(row(16, i, 32768), dst, "row " + i);
    }
    assertThrows(IndexOutOfBoundsException.class, () -> ds.read(7, dst));
  }

  @Test
  void wideVocabularyUsesFourByteTokens() throws IOException {
    ShardInfo s = writeShard("w.bin", 100_000, 8, 7, 2);
    assertEquals(ShardHeader.SIZE + 2 * 8 * 4, Files.size(dir.resolve("w.bin")));
    ShardDataset ds = ShardDataset.openFiles(List.of(dir.resolve(s.file())));
    int[] dst = new int[8];
    ds.read(1, dst);
    assertArrayEquals(row(8, 8, 100_000), dst);
  }

  @Test
  void largestUint16IdSurvives() {
    try (ShardWriter w = ShardWriter.create(dir.resolve("x.bin"), 65536, 2)) {
      w.write(new int[] {65535, 0});
      w.finish();
    }
    int[] dst = new int[2];
    ShardDataset.openFiles(List.of(dir.resolve("x.bin"))).read(0, dst);
    assertArrayEquals(new int[] {65535, 0}, dst);
  }

  @Test
  void corruptedPayloadByteIsRefusedNamingTheFile() throws IOException {
    writeShard("s.bin", 1000, 16, 0, 5);
    Path file = dir.resolve("s.bin");
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(ShardHeader.SIZE + 37);
      int b = raf.read();
      raf.seek(ShardHeader.SIZE + 37);
      raf.write(b ^ 0x10);
    }
    BadInputException e = assertThrows(BadInputException.class, () -> ShardDataset.openFiles(List.of(file)));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("checksum"), e.getMessage());
  }

  @Test
  void corruptedHeaderIsRefused() throws IOException {
    writeShard("h.bin", 1000, 16, 0, 5);
    Path file = dir.resolve("h.bin");
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(24); // row count
      raf.write(9);
    }
    BadInputException e = assertThrows(BadInputException.class, () -> ShardDataset.openFiles(List.of(file)));
    assertTrue(e.getMessage().contains("header checksum"), e.getMessage());
  }

  @Test
  void truncatedFileIsRefused() throws IOException {
    writeShard("t.bin", 1000, 16, 0, 5);
    Path file = dir.resolve("t.bin");
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(raf.length() - 3);
    }
    BadInputException e = assertThrows(BadInputException.class, () -> ShardDataset.openFiles(List.of(file)));
    assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains(file.toString()), e.getMessage());

    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(10);
    }
    e = assertThrows(BadInputException.class, () -> ShardDataset.openFiles(List.of(file)));
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  void manifestRowCountMustMatchShard() {
    ShardInfo s = writeShard("m.bin", 1000, 4, 0, 3);
    manifest(4, 1000, List.of(new ShardInfo(s.file(), 3, s.crc32c()))).write(dir);
    assertEquals(3, ShardDataset.open(dir).rows());
    writeShard("m.bin", 1000, 4, 0, 2);
    BadInputException e = assertThrows(BadInputException.class, () -> ShardDataset.open(dir));
    assertTrue(e.getMessage().contains("manifest"), e.getMessage());
  }

  @Test
  void missingManifestIsAClearError() {
    BadInputException e = assertThrows(BadInputException.class, () -> ShardDataset.open(dir));
    assertTrue(e.getMessage().contains("manifest.json"), e.getMessage());
  }

  @Test
  void unfinishedWriterLeavesNothingBehind() throws IOException {
    try (ShardWriter w = ShardWriter.create(dir.resolve("u.bin"), 1000, 4)) {
      w.write(new int[] {1, 2, 3, 4});
    }
    try (var files = Files.list(dir)) {
      assertEquals(0, files.count());
    }
  }

  @Test
  void cursorWrapsAndCountsEpochs() {
    RowCursor c = RowCursor.start().advance(7, 5);
    assertEquals(new RowCursor(2, 1), c);
    assertEquals(new RowCursor(0, 2), c.advance(3, 5));
    assertEquals(new RowCursor(3, 1), c.next(5));
  }
}
