package dev.cramjet.data;

import static org.junit.jupiter.api.Assertions.*;

import dev.cramjet.text.SpecialTokens;
import dev.cramjet.util.BadInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataPreparerTest {
  @TempDir Path dir;
  final TestEncoder enc = new TestEncoder();

  private void write(String name, String text) throws IOException {
    Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
  }

  /** Settings that keep hand-made answers simple: no filter to speak of, no dedup, corpus order (no "."). */
  private PrepareConfig plain(int seqLen, String... inputs) {
    return PrepareConfig.defaults(List.of(inputs)).withSeqLen(seqLen).withCutoff(100)
        .withDedup(PrepareConfig.Dedup.NONE, false, 50).withThreads(2);
  }

  private Manifest prepare(PrepareConfig c, String out) {
    return new DataPreparer(c, enc, "test-vocab").prepare(dir, dir.resolve(out), null);
  }

  private List<String> rows(String out) {
    ShardDataset ds = ShardDataset.open(dir.resolve(out));
    List<String> rows = new ArrayList<>();
    int[] row = new int[ds.seqLen()];
    for (long i = 0; i < ds.rows(); i++) {
      ds.read(i, row);
      StringBuilder sb = new StringBuilder();
      for (int id : row) sb.append(sb.length() == 0 ? "" : " ").append(id == SpecialTokens.SEP_ID ? "|" : enc.token(id));
      rows.add(sb.toString());
    }
    return rows;
  }

  private static void assertAddsUp(Manifest m) {
    DocumentCounts d = m.documents();
    assertEquals(d.read(), d.kept() + d.filtered() + d.duplicate() + d.empty() + d.unreadable());
    assertEquals(d.read(), m.sources().stream().mapToLong(Manifest.SourceFile::documents).sum());
    assertEquals(m.tokens(), m.rows() * m.seqLen() + m.droppedRemainderTokens());
  }

  @Test
  void packsDocumentsWithSepAndDropsTheRemainder() throws IOException {
    write("c.txt", "a b c\n\nd e\n\nf g h i j\n");
    Manifest m = prepare(plain(4, "c.txt"), "out");
    // a b c | d e | f g h i j | -> 13 tokens: three rows of 4, one left over
    assertEquals(List.of("a b c |", "d e | f", "g h i j"), rows("out"));
    assertEquals(3, m.rows());
    assertEquals(13, m.tokens());
    assertEquals(1, m.droppedRemainderTokens());
    assertEquals(3, m.documents().kept());
    assertAddsUp(m);
  }

  @Test
  void curriculumPutsRowsWithMorePeriodsFirstAndKeepsTiesInOrder() throws IOException {
    // Rows of 4: [a . b |] [c d e |] [f . . |] [g h i |] [j . k |]
    write("c.txt", "a. b\n\nc d e\n\nf..\n\ng h i\n\nj. k\n");
    prepare(plain(4, "c.txt").withOrder(PrepareConfig.Order.CURRICULUM, 0), "out");
    assertEquals(List.of("f . . |", "a . b |", "j . k |", "c d e |", "g h i |"), rows("out"));
  }

  @Test
  void compressionFilterKeepsOnlyTextWithFewTokensPerCharacter() throws IOException {
    // "a b c d": 4 tokens, 7 chars: 4 < 0.25 * 7 fails -> filtered.
    // "abcdefghijkl": 1 token ([UNK]), 12 chars: 1 < 3 -> kept. "abcd": 1 token, 4 chars: 1 < 1 fails -> filtered.
    write("c.txt", "a b c d\n\nabcdefghijkl\n\nabcd\n");
    Manifest m = prepare(plain(2, "c.txt").withCutoff(0.25), "out");
    assertEquals(1, m.documents().kept());
    assertEquals(2, m.documents().filtered());
    assertEquals(List.of("[UNK] |"), rows("out"));
    assertAddsUp(m);
  }

  @Test
  void exactDedupDropsRepeatsUpToWhitespace() throws IOException {
    write("c.txt", "x  y\n\nx y z\n\n x\ty \n\nx y\nz\n");
    Manifest m = prepare(plain(2, "c.txt").withDedup(PrepareConfig.Dedup.EXACT, false, 50), "out");
    assertEquals(2, m.documents().kept());
    assertEquals(2, m.documents().duplicate());
    assertEquals(List.of("x y", "| x", "y z"), rows("out"));
    assertAddsUp(m);
  }

  @Test
  void countsAddUpWithUnreadableEmptyAndSkippedInputs() throws IOException {
    write("a.jsonl", "{\"text\":\"a b\"}\n{\"text\":\"   \"}\n{broken\n{\"text\":\"a b\"}\n{\"text\":\"!!!!\"}\n");
    Files.write(dir.resolve("bin.txt"), new byte[] {1, 0, 2, 0});
    write("b.txt", "w1 w2 w3\n");
    Manifest m = prepare(plain(2, "a.jsonl", "bin.txt", "b.txt").withCutoff(0.7)
        .withDedup(PrepareConfig.Dedup.EXACT, false, 50), "out");
    DocumentCounts d = m.documents();
    assertEquals(new DocumentCounts(6, 2, 1, 1, 1, 1), d);
    assertEquals(1, m.skippedFiles().size());
    assertTrue(m.skippedFiles().get(0).path().endsWith("bin.txt"));
    assertAddsUp(m);
    Manifest back = Manifest.read(dir.resolve("out"));
    assertEquals(m.documents(), back.documents());
    assertEquals(m.sources(), back.sources());
    assertEquals(m.shards(), back.shards());
  }

  @Test
  void spanDedupDropsARepeatedLongSpan() throws IOException {
    StringBuilder shared = new StringBuilder();
    for (int i = 0; i < 80; i++) shared.append(" w").append(i);
    String doc2 = "w900 w901" + shared + " w902";
    write("c.txt", "w100" + shared + "\n\n" + doc2 + "\n");
    PrepareConfig c = plain(2, "c.txt").withDedup(PrepareConfig.Dedup.NONE, true, 20);
    Manifest m = prepare(c, "out");
    // Windows of 20 are stored every 10 tokens, so at most 9 tokens at each end of the repeat can survive.
    long dropped = m.spanDuplicateTokens();
    assertTrue(dropped >= 80 - 2 * 9 && dropped <= 80, "dropped " + dropped);
    List<String> tail = new ArrayList<>();
    for (String row : rows("out").subList(41, (int) m.rows())) tail.addAll(List.of(row.split(" ")));
    // The first document fills 41 rows (81 tokens + [SEP]); what is left of the second follows.
    assertEquals(List.of("w900", "w901"), tail.subList(0, 2));
    assertEquals(3 + 1 + (80 - dropped), tail.size() + m.droppedRemainderTokens());
    assertTrue(tail.contains("w902"));
    assertEquals(2, m.documents().kept());
  }

  private String corpus(int docs) {
    StringBuilder sb = new StringBuilder();
    java.util.Random r = new java.util.Random(5);
    for (int i = 0; i < docs; i++) {
      int words = 3 + r.nextInt(40);
      for (int w = 0; w < words; w++) sb.append('w').append(r.nextInt(1000)).append(r.nextInt(8) == 0 ? ". " : " ");
      sb.append("\n\n");
    }
    return sb.toString();
  }

  @Test
  void shuffleIsASeededPermutationOfTheSameRows() throws IOException {
    write("c.txt", corpus(3000));
    PrepareConfig base = plain(16, "c.txt").withShardRows(500);
    prepare(base.withOrder(PrepareConfig.Order.CURRICULUM, 0), "cur");
    Manifest s1 = prepare(base.withOrder(PrepareConfig.Order.SHUFFLE, 7), "s1");
    prepare(base.withOrder(PrepareConfig.Order.SHUFFLE, 7), "s2");
    prepare(base.withOrder(PrepareConfig.Order.SHUFFLE, 8), "s3");
    assertTrue(s1.shards().size() > 1);
    List<String> cur = rows("cur");
    List<String> a = rows("s1");
    assertEquals(a, rows("s2"));
    assertNotEquals(a, rows("s3"));
    assertNotEquals(cur, a);
    List<String> sortedA = new ArrayList<>(a);
    List<String> sortedCur = new ArrayList<>(cur);
    sortedA.sort(null);
    sortedCur.sort(null);
    assertEquals(sortedCur, sortedA);
  }

  @Test
  void outputDoesNotDependOnThreadCount() throws IOException {
    write("c.txt", corpus(2000));
    Manifest one = prepare(plain(32, "c.txt").withThreads(1).withDedup(PrepareConfig.Dedup.EXACT, true, 8), "t1");
    Manifest four = prepare(plain(32, "c.txt").withThreads(4).withDedup(PrepareConfig.Dedup.EXACT, true, 8), "t4");
    assertEquals(one.shards(), four.shards());
    assertEquals(one.configHash(), four.configHash());
    assertTrue(one.rows() > 10);
  }

  @Test
  void refusesANonEmptyOutputAndLeavesNoPartialFolderOnFailure() throws IOException {
    write("c.txt", "a b\n");
    Files.createDirectories(dir.resolve("full"));
    Files.writeString(dir.resolve("full/x"), "x");
    BadInputException e = assertThrows(BadInputException.class, () -> prepare(plain(2, "c.txt"), "full"));
    assertTrue(e.getMessage().contains("not empty"), e.getMessage());
    write("empty.txt", "\n\n   \n");
    e = assertThrows(BadInputException.class, () -> prepare(plain(2, "empty.txt"), "none"));
    assertTrue(e.getMessage().contains("no usable documents"), e.getMessage());
    assertFalse(Files.exists(dir.resolve("none.partial")));
    assertFalse(Files.exists(dir.resolve("none")));
  }

  @Test
  void manifestRecordsHashesAndShardChecksums() throws IOException {
    write("c.txt", corpus(200));
    Manifest m = prepare(plain(8, "c.txt").withShardRows(100), "out");
    assertEquals("test-vocab", m.tokenizerHash());
    assertEquals(64, m.configHash().length());
    assertNotEquals(m.configHash(), DataPreparer.configHash(plain(8, "c.txt").withShardRows(101)));
    for (ShardInfo s : m.shards()) assertTrue(Files.exists(dir.resolve("out").resolve(s.file())));
    assertEquals(m.rows(), ShardDataset.open(dir.resolve("out")).rows());
    assertArrayEquals(new long[] {}, Arrays.stream(m.shards().toArray(new ShardInfo[0]))
        .mapToLong(ShardInfo::rows).filter(r -> r > 100).toArray());
  }
}
