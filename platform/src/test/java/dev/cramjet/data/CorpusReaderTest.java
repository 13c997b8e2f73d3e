package dev.cramjet.data;

import static org.junit.jupiter.api.Assertions.*;

import com.github.luben.zstd.ZstdOutputStream;
import dev.cramjet.util.BadInputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusReaderTest {
  @TempDir Path dir;

  /** Collects what the reader hands on. */
  static final class Collect implements CorpusReader.Sink {
    final List<String> docs = new ArrayList<>();
    final List<String> unreadable = new ArrayList<>();

    @Override
    public void document(String text) {
      docs.add(text);
    }

    @Override
    public void unreadable(String where, String why) {
      unreadable.add(where + " " + why);
    }
  }

  private Collect read(CorpusReader reader, String... inputs) {
    Collect c = new Collect();
    last = reader.read(CorpusFiles.resolve(List.of(inputs), dir), c);
    return c;
  }

  private Collect read(String... inputs) {
    return read(new CorpusReader(1 << 20, 1 << 20), inputs);
  }

  private CorpusReader.Stats last;

  private Path write(String name, byte[] bytes) throws IOException {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    Files.write(p, bytes);
    return p;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] gzip(byte[] b) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (OutputStream o = new GZIPOutputStream(bos)) {
      o.write(b);
    }
    return bos.toByteArray();
  }

  private static byte[] zstd(byte[] b) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (OutputStream o = new ZstdOutputStream(bos)) {
      o.write(b);
    }
    return bos.toByteArray();
  }

  private static String jsonl(String... texts) {
    StringBuilder sb = new StringBuilder();
    for (String t : texts) sb.append("{\"id\":1,\"text\":\"").append(t).append("\",\"meta\":{\"a\":[1,2]}}\n");
    return sb.toString();
  }

  @Test
  void plainTextSplitsDocumentsOnBlankLines() throws IOException {
    write("a.txt", utf8("First line.\r\nsame doc.\r\n\r\n   \nSecond doc.\n\n\n"));
    Collect c = read("a.txt");
    assertEquals(List.of("First line.\nsame doc.", "Second doc."), c.docs);
    assertEquals(1, last.sources().size());
    assertEquals(2, last.sources().get(0).documents());
  }

  @Test
  void gzippedTextReadsLikePlainText() throws IOException {
    write("a.txt.gz", gzip(utf8("one\n\ntwo\n")));
    assertEquals(List.of("one", "two"), read("a.txt.gz").docs);
  }

  @Test
  void jsonLinesTakeTheTextFieldInEveryCompression() throws IOException {
    write("p.jsonl", utf8(jsonl("a b", "c\\nd")));
    write("p.jsonl.gz", gzip(utf8(jsonl("gz"))));
    write("p.jsonl.zst", zstd(utf8(jsonl("zst", "\\u00e9t\\u00e9"))));
    assertEquals(List.of("a b", "c\nd"), read("p.jsonl").docs);
    assertEquals(List.of("gz"), read("p.jsonl.gz").docs);
    assertEquals(List.of("zst", "été"), read("p.jsonl.zst").docs);
  }

  @Test
  void wrongJsonIsCountedUnreadableWithItsLineNumber() throws IOException {
    write("bad.jsonl", utf8("{\"text\":\"ok\"}\n{\"text\": nope}\n\n[1,2]\n{\"text\":5}\n{\"text\":\"x\"} {}\n{\"text\":\"end\"}\n"));
    Collect c = read("bad.jsonl");
    assertEquals(List.of("ok", "end"), c.docs);
    assertEquals(4, c.unreadable.size());
    assertTrue(c.unreadable.get(0).contains("bad.jsonl:2 "), c.unreadable.get(0));
    assertTrue(c.unreadable.get(1).contains("bad.jsonl:4 "), c.unreadable.get(1));
    assertEquals(6, last.sources().get(0).documents());
    assertEquals(4, last.sources().get(0).unreadable());
  }

  @Test
  void invalidUtf8IsReplacedAndCounted() throws IOException {
    byte[] bytes = {'a', (byte) 0xff, 'b', ' ', (byte) 0xc3, (byte) 0xa9, ' ', (byte) 0xe2, (byte) 0x82, '\n'};
    write("u.txt", bytes);
    Collect c = read("u.txt");
    assertEquals(List.of("a\uFFFDb é \uFFFD"), c.docs);
    assertEquals(2, last.invalidUtf8Replaced());
  }

  @Test
  void randomBytesAreSkippedAsBinaryWithTheFileNamed() throws IOException {
    byte[] noise = new byte[50_000];
    new Random(1).nextBytes(noise);
    Path bin = write("noise.txt", noise);
    write("fine.txt", utf8("kept\n"));
    Collect c = read("noise.txt", "fine.txt");
    assertEquals(List.of("kept"), c.docs);
    assertEquals(1, last.skipped().size());
    assertEquals(bin.toString(), last.skipped().get(0).path());
    assertTrue(last.skipped().get(0).reason().contains("binary"));
  }

  @Test
  void binaryMagicIsSkipped() throws IOException {
    write("doc.txt", utf8("%PDF-1.4 pretend text without NULs\n"));
    write("ok.txt", utf8("kept\n"));
    assertEquals(List.of("kept"), read("doc.txt", "ok.txt").docs);
    assertTrue(last.skipped().get(0).reason().contains("PDF"));
  }

  @Test
  void hugeLineIsSkippedWithoutLosingTheRest() throws IOException {
    String huge = "x".repeat(200_000);
    write("h.txt", utf8("before\n" + huge + "\nafter\n"));
    write("h.jsonl", utf8("{\"text\":\"" + huge + "\"}\n{\"text\":\"fine\"}\n"));
    CorpusReader small = new CorpusReader(10_000, 1 << 20);
    Collect t = read(small, "h.txt");
    assertEquals(List.of("before", "after"), t.docs);
    assertEquals(1, t.unreadable.size());
    assertTrue(t.unreadable.get(0).contains("h.txt:2"));
    Collect j = read(small, "h.jsonl");
    assertEquals(List.of("fine"), j.docs);
    assertEquals(1, j.unreadable.size());
  }

  @Test
  void longDocumentIsCutAtLineEnds() throws IOException {
    write("l.txt", utf8("aaaa\nbbbb\ncccc\ndddd\n"));
    Collect c = read(new CorpusReader(1000, 9), "l.txt");
    assertEquals(List.of("aaaa\nbbbb", "cccc\ndddd"), c.docs);
  }

  private static byte[] manyDocs() {
    StringBuilder sb = new StringBuilder();
    Random r = new Random(3);
    for (int i = 0; i < 5000; i++) sb.append("doc ").append(i).append(' ').append(r.nextLong()).append("\n\n");
    return utf8(sb.toString());
  }

  private static byte[] manyJsonDocs() {
    StringBuilder sb = new StringBuilder();
    Random r = new Random(4);
    for (int i = 0; i < 5000; i++) sb.append("{\"text\":\"doc ").append(i).append(' ').append(r.nextLong()).append("\"}\n");
    return utf8(sb.toString());
  }

  @Test
  void truncatedGzipKeepsEarlierDocumentsAndRecordsTheDamage() throws IOException {
    byte[] gz = gzip(manyDocs());
    write("t.txt.gz", Arrays.copyOf(gz, gz.length / 2));
    Collect c = read("t.txt.gz");
    assertTrue(c.docs.size() > 100 && c.docs.size() < 5000, "docs " + c.docs.size());
    assertEquals(1, c.unreadable.size());
    Manifest.SourceFile s = last.sources().get(0);
    assertNotNull(s.damage());
    assertEquals(c.docs.size() + 1, s.documents());
  }

  @Test
  void truncatedZstdKeepsEarlierDocumentsAndRecordsTheDamage() throws IOException {
    byte[] z = zstd(manyJsonDocs());
    write("t.jsonl.zst", Arrays.copyOf(z, z.length * 2 / 3));
    Collect c = read("t.jsonl.zst");
    assertTrue(c.docs.size() > 100 && c.docs.size() < 5000, "docs " + c.docs.size());
    assertEquals(1, c.unreadable.size());
    assertNotNull(last.sources().get(0).damage());
  }

  @Test
  void fileThatIsNotTheNamedCompressionIsSkipped() throws IOException {
    write("fake.txt.gz", utf8("plain text pretending\n"));
    write("ok.txt", utf8("kept\n"));
    assertEquals(List.of("kept"), read("fake.txt.gz", "ok.txt").docs);
    assertTrue(last.skipped().get(0).reason().contains("gzip"), last.skipped().get(0).reason());
  }

  @Test
  void foldersAreWalkedRecursivelyInSortedOrderAndGlobsMatch() throws IOException {
    write("c/z.txt", utf8("z\n"));
    write("c/a/b.txt", utf8("b\n"));
    write("c/a.jsonl", utf8(jsonl("j")));
    write("c/readme.md", utf8("not read\n"));
    write("c/.hidden.txt", utf8("not read\n"));
    Collect c = read("c");
    // Byte order of the full path: "c/a.jsonl" < "c/a/b.txt" because '.' < '/'.
    assertEquals(List.of("j", "b", "z"), c.docs);
    assertEquals(1, last.skipped().size());
    assertTrue(last.skipped().get(0).path().endsWith("readme.md"));
    assertEquals(List.of("b", "z"), read("c/**.txt").docs);
    assertEquals(List.of("z"), read("c/*.txt").docs);
  }

  @Test
  void missingPathAndEmptyCorpusAreClearErrors() throws IOException {
    BadInputException e = assertThrows(BadInputException.class, () -> read("nope.txt"));
    assertTrue(e.getMessage().contains("nope.txt") && e.getMessage().contains("does not exist"));
    Files.createDirectories(dir.resolve("empty"));
    e = assertThrows(BadInputException.class, () -> read("empty"));
    assertTrue(e.getMessage().contains("empty"), e.getMessage());
    e = assertThrows(BadInputException.class, () -> read("*.nothing"));
    assertTrue(e.getMessage().contains("matches no file"), e.getMessage());
  }
}
