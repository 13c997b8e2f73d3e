package dev.cramjet.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.ZstdOutputStream;
import dev.cramjet.util.BadInputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Generated hostile corpora: files built from segments of prose, random bytes, invalid UTF-8, NUL and control runs,
 * over-long lines and malformed JSON lines, written plain or gzip/zstd compressed (whole, truncated, or not really
 * compressed). Reading must never fail with anything but a clear {@link BadInputException}; every document handed on
 * is free of control bytes; every unreadable document names {@code file:line}; skipped files give a reason without a
 * Java exception name; the counts add up. A smaller share also goes through {@code data prepare}, which must either
 * write a consistent manifest or refuse with what it read and skipped, leaving nothing behind.
 */
class CorpusHostileInputTest {
  static final int TRIES = 200;
  static final AtomicInteger CASES = new AtomicInteger();
  static final AtomicInteger PREPARED = new AtomicInteger();
  private static final Pattern EXCEPTION_NAME = Pattern.compile("\\b(java|javax|com|org)\\.[\\w.]*[A-Z]\\w*|"
      + "\\b[A-Z][A-Za-z]*(Exception|Error)\\b");
  private static final int MAX_LINE = 4096;

  @AfterContainer
  static void report() {
    System.err.println("CorpusHostileInputTest: " + CASES.get() + " generated corpora, " + PREPARED.get()
        + " also through data prepare");
  }

  enum Segment { PROSE, UNICODE, RANDOM_BYTES, INVALID_UTF8, NULS, CONTROLS, LONG_LINE, BLANK_LINES, JSON_GOOD,
    JSON_BAD, JSON_NOT_TEXT }

  enum Packing { PLAIN, GZIP, ZSTD, GZIP_TRUNCATED, ZSTD_TRUNCATED, FAKE_GZIP }

  record FileCase(List<Segment> segments, boolean jsonl, Packing packing, long seed) {}

  @Provide
  Arbitrary<List<FileCase>> corpora() {
    Arbitrary<Segment> segment = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, Arbitraries.just(Segment.PROSE)),
        net.jqwik.api.Tuple.of(2, Arbitraries.just(Segment.UNICODE)),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(Segment.RANDOM_BYTES)),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(Segment.INVALID_UTF8)),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(Segment.NULS)),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(Segment.CONTROLS)),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(Segment.LONG_LINE)),
        net.jqwik.api.Tuple.of(2, Arbitraries.just(Segment.BLANK_LINES)),
        net.jqwik.api.Tuple.of(3, Arbitraries.just(Segment.JSON_GOOD)),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(Segment.JSON_BAD)),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(Segment.JSON_NOT_TEXT)));
    Arbitrary<FileCase> file = Combinators.combine(segment.list().ofMaxSize(12), Arbitraries.of(true, false),
        Arbitraries.frequency(net.jqwik.api.Tuple.of(5, Packing.PLAIN), net.jqwik.api.Tuple.of(1, Packing.GZIP),
            net.jqwik.api.Tuple.of(1, Packing.ZSTD), net.jqwik.api.Tuple.of(1, Packing.GZIP_TRUNCATED),
            net.jqwik.api.Tuple.of(1, Packing.ZSTD_TRUNCATED), net.jqwik.api.Tuple.of(1, Packing.FAKE_GZIP)),
        Arbitraries.longs()).as(FileCase::new);
    return file.list().ofMinSize(1).ofMaxSize(4);
  }

  @Property(tries = TRIES)
  void readingEndsInDocumentsOrClearReasons(@ForAll("corpora") List<FileCase> files) throws Exception {
    CASES.incrementAndGet();
    Path dir = Files.createTempDirectory("cramjet-corpus");
    try {
      List<String> names = new ArrayList<>();
      for (int i = 0; i < files.size(); i++) names.add(write(dir, i, files.get(i)));
      checkReader(dir, names);
      if (CASES.get() % 4 == 0) {
        PREPARED.incrementAndGet();
        checkPrepare(dir, names);
      }
    } finally {
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void checkReader(Path dir, List<String> names) {
    List<String> docs = new ArrayList<>();
    List<String> unreadable = new ArrayList<>();
    CorpusReader.Stats st;
    try {
      st = new CorpusReader(MAX_LINE, 1 << 16).read(CorpusFiles.resolve(names, dir), new CorpusReader.Sink() {
        @Override
        public void document(String text) {
          docs.add(text);
        }

        @Override
        public void unreadable(String where, String why) {
          unreadable.add(where + " " + why);
          assertTrue(where.matches(Pattern.quote(dir.toString()) + "/f\\d\\.[a-z.]+:\\d+"), where);
          assertFalse(EXCEPTION_NAME.matcher(why).find(), "no exception names: " + why);
        }
      });
    } catch (RuntimeException e) {
      throw new AssertionError("reading must not fail: " + e, e);
    }
    for (String d : docs) {
      for (int i = 0; i < d.length(); i++) {
        char c = d.charAt(i);
        assertFalse(c < 0x20 && c != '\t' && c != '\n' && c != '\f' && c != '\r' || c == 0x7f,
            "a control char U+" + Integer.toHexString(c) + " was handed on");
      }
    }
    assertEquals(st.documents(), docs.size() + unreadable.size());
    assertEquals(st.unreadable(), unreadable.size());
    assertEquals(st.unreadable(), st.unreadableReasons().values().stream().mapToLong(Long::longValue).sum());
    assertEquals(st.documents(), st.sources().stream().mapToLong(Manifest.SourceFile::documents).sum());
    assertEquals(names.size(), st.sources().size() + st.skipped().size());
    for (Manifest.SkippedFile f : st.skipped()) {
      assertFalse(f.reason().isBlank());
      assertFalse(EXCEPTION_NAME.matcher(f.reason()).find(), "no exception names: " + f.reason());
    }
    for (Manifest.SourceFile f : st.sources()) {
      if (f.damage() != null) assertFalse(EXCEPTION_NAME.matcher(f.damage()).find(), f.damage());
    }
    assertFalse(EXCEPTION_NAME.matcher(st.summary()).find(), st.summary());
  }

  private static void checkPrepare(Path dir, List<String> names) throws IOException {
    Path out = dir.resolve("out");
    PrepareConfig config = new PrepareConfig(names, 16, 100, PrepareConfig.Dedup.EXACT, false, 50,
        PrepareConfig.Order.CURRICULUM, 0, 1, PrepareConfig.DEFAULT_SHARD_ROWS, MAX_LINE, 1 << 16);
    try {
      Manifest m = new DataPreparer(config, new TestEncoder(), "test").prepare(dir, out, null);
      DocumentCounts d = m.documents();
      assertEquals(d.read(), m.sources().stream().mapToLong(Manifest.SourceFile::documents).sum());
      assertEquals(m.tokens(), m.rows() * m.seqLen() + m.droppedRemainderTokens());
      Manifest back = Manifest.read(out);
      assertEquals(m.documents(), back.documents());
      assertEquals(m.sources(), back.sources());
      assertEquals(m.skippedFiles(), back.skippedFiles());
      assertEquals(m.controlBytesStripped(), back.controlBytesStripped());
      assertEquals(m.shards(), back.shards());
    } catch (BadInputException e) {
      assertTrue(e.getMessage().startsWith("corpus " + names + " gave no usable documents: "), e.getMessage());
      assertTrue(e.getMessage().contains(" read, ") && e.getMessage().contains(" skipped"), e.getMessage());
      assertFalse(EXCEPTION_NAME.matcher(e.getMessage()).find(), e.getMessage());
      assertFalse(Files.exists(out), "nothing written");
    }
    assertFalse(Files.exists(dir.resolve("out.partial")), "no partial folder left");
  }

  private static String write(Path dir, int index, FileCase c) throws IOException {
    Random r = new Random(c.seed());
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    for (Segment s : c.segments()) raw.writeBytes(segment(s, r));
    byte[] bytes = raw.toByteArray();
    String ext = c.jsonl() ? ".jsonl" : ".txt";
    byte[] packed;
    switch (c.packing()) {
      case PLAIN -> packed = bytes;
      case GZIP, GZIP_TRUNCATED -> {
        ext += ".gz";
        packed = compress(bytes, true);
      }
      case ZSTD, ZSTD_TRUNCATED -> {
        ext += ".zst";
        packed = compress(bytes, false);
      }
      default -> {
        ext += ".gz"; // named gzip, but plain bytes
        packed = bytes;
      }
    }
    if (c.packing() == Packing.GZIP_TRUNCATED || c.packing() == Packing.ZSTD_TRUNCATED) {
      packed = java.util.Arrays.copyOf(packed, packed.length == 0 ? 0 : r.nextInt(packed.length));
    }
    String name = "f" + index + ext;
    Files.write(dir.resolve(name), packed);
    return name;
  }

  private static byte[] compress(byte[] b, boolean gzip) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (OutputStream o = gzip ? new GZIPOutputStream(bos) : new ZstdOutputStream(bos)) {
      o.write(b);
    }
    return bos.toByteArray();
  }

  private static byte[] segment(Segment s, Random r) {
    return switch (s) {
      case PROSE -> ascii(ControlBytesPolicyTest.prose(50 + r.nextInt(3000), r.nextLong()));
      case UNICODE -> utf8("caf\u00e9 na\u00efve \u4e2d\u6587 \uD83D\uDE00 \u0645\u0631\u062d\u0628\u0627 "
          .repeat(1 + r.nextInt(40)) + "\n");
      case RANDOM_BYTES -> {
        byte[] b = new byte[1 + r.nextInt(r.nextBoolean() ? 200 : 80_000)];
        r.nextBytes(b);
        yield b;
      }
      case INVALID_UTF8 -> new byte[] {'x', (byte) 0xff, (byte) 0xc3, 'y', (byte) 0xe2, (byte) 0x82, ' ', (byte) 0xed,
        (byte) 0xa0, (byte) 0x80, '\n'};
      case NULS -> new byte[1 + r.nextInt(r.nextBoolean() ? 3 : 70_000)];
      case CONTROLS -> {
        byte[] b = new byte[1 + r.nextInt(50)];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (r.nextBoolean() ? r.nextInt(0x20) : 0x7f);
        yield b;
      }
      case LONG_LINE -> ascii("w1 ".repeat(MAX_LINE / 3 + 1 + r.nextInt(3000)) + (r.nextBoolean() ? "\n" : ""));
      case BLANK_LINES -> ascii("\n \n\t\n\r\n".repeat(1 + r.nextInt(3)));
      case JSON_GOOD -> utf8("{\"text\":\"w1 w2 \\u00e9 \\\"q\\\" w" + r.nextInt(999) + "\",\"id\":" + r.nextInt()
          + "}\n");
      case JSON_BAD -> utf8(List.of("{\"text\":\"unterminated\n", "{text: 1}\n", "[\"text\"]\n", "{\"text\":\"a\"} x\n",
          "{\"text\":\"a\",}\n", "\"just a string\"\n", "{\"text\":\"\\uZZZZ\"}\n", "{\"a\":" + "[".repeat(2000) + "\n")
          .get(r.nextInt(8)));
      case JSON_NOT_TEXT -> utf8(List.of("{\"text\":5}\n", "{\"text\":null}\n", "{\"text\":[\"a\"]}\n", "{}\n",
          "{\"text\":\"\"}\n", "{\"text\":\"   \"}\n").get(r.nextInt(6)));
    };
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
