package dev.cramjet.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cramjet.util.BadInputException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Generated GLUE TSV files with hostile rows, checked against an oracle built with them: ragged rows, bad labels and
 * scores, quotes, extra and reordered columns, blank lines, a BOM, CRLF endings, invalid UTF-8, empty files. The
 * reader either returns exactly the good rows (with the right texts, labels and line numbers), or fails with a
 * {@link BadInputException} naming the file and the first bad line (and field) — nothing else.
 */
class TsvHostileInputTest {
  static final int TRIES = 300;
  static final AtomicInteger CASES = new AtomicInteger();

  @AfterContainer
  static void report() {
    System.err.println("TsvHostileInputTest: " + CASES.get() + " generated files");
  }

  enum Kind { GOOD, EXTRA_FIELDS, SHORT, BAD_LABEL, INVALID_UTF8, BLANK }

  /** A generated file: the task, the seed that draws its texts, and the kinds of its rows. */
  record Case(String task, long seed, List<Kind> rows, boolean bom, boolean crlf, boolean shuffleHeader,
      boolean skipBad) {}

  @Provide
  Arbitrary<Case> files() {
    Arbitrary<Kind> kind = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(12, Arbitraries.just(Kind.GOOD)),
        net.jqwik.api.Tuple.of(2, Arbitraries.just(Kind.EXTRA_FIELDS)),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.SHORT)),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.BAD_LABEL)),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.INVALID_UTF8)),
        net.jqwik.api.Tuple.of(2, Arbitraries.just(Kind.BLANK)));
    return net.jqwik.api.Combinators.combine(
        Arbitraries.of("CoLA", "SST-2", "MRPC", "STS-B", "MNLI", "QNLI"),
        Arbitraries.longs(),
        kind.list().ofMaxSize(300),
        Arbitraries.of(true, false),
        Arbitraries.of(true, false),
        Arbitraries.of(true, false),
        Arbitraries.of(true, false)).as(Case::new);
  }

  @Property(tries = TRIES)
  void readerReturnsTheGoodRowsOrNamesTheFirstBadLine(@ForAll("files") Case c) throws Exception {
    CASES.incrementAndGet();
    Path root = Files.createTempDirectory("cramjet-tsv");
    try {
      check(root, c);
    } finally {
      try (Stream<Path> s = Files.walk(root)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void check(Path root, Case c) throws Exception {
    TaskSpec task = GlueTasks.all(root).stream().filter(t -> t.name().equals(c.task())).findFirst().orElseThrow();
    TsvLayout layout = task.layout();
    Random r = new Random(c.seed());
    // Columns: for headed files the needed ones plus extras, in a random order; CoLA's four fixed ones.
    List<String> columns = new ArrayList<>();
    if (layout.header()) {
      columns.add(layout.first());
      if (layout.pair()) columns.add(layout.second());
      columns.add(layout.label());
      columns.add("index");
      columns.add("genre \"quoted\"");
      if (c.shuffleHeader()) Collections.shuffle(columns, r);
    } else {
      columns.addAll(layout.columnNames());
    }
    int firstCol = layout.header() ? columns.indexOf(layout.first()) : Integer.parseInt(layout.first());
    int secondCol = !layout.pair() ? -1 : layout.header() ? columns.indexOf(layout.second())
        : Integer.parseInt(layout.second());
    int labelCol = layout.header() ? columns.indexOf(layout.label()) : Integer.parseInt(layout.label());
    int needed = Math.max(firstCol, Math.max(secondCol, labelCol)) + 1;

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    String eol = c.crlf() ? "\r\n" : "\n";
    if (c.bom()) out.writeBytes("\uFEFF".getBytes(StandardCharsets.UTF_8));
    int line = 0;
    if (layout.header()) {
      out.writeBytes((String.join("\t", columns) + eol).getBytes(StandardCharsets.UTF_8));
      line++;
    } else if (c.bom()) {
      // a BOM only means something before a header; CoLA has none, so start clean
      out.reset();
    }
    List<Example> expected = new ArrayList<>();
    int expectedSkipped = 0;
    Integer firstBadLine = null;
    String firstBadWhy = null;
    Integer firstUtf8Line = null;
    for (Kind k : c.rows()) {
      line++;
      if (k == Kind.BLANK) {
        out.writeBytes((r.nextBoolean() ? "" : " \t ").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(eol.getBytes(StandardCharsets.UTF_8));
        continue;
      }
      String[] f = new String[columns.size() + (k == Kind.EXTRA_FIELDS ? 1 + r.nextInt(3) : 0)];
      for (int i = 0; i < f.length; i++) f[i] = text(r);
      String label;
      int labelIndex = -1;
      double score = Double.NaN;
      if (task.regression()) {
        score = Math.round(r.nextDouble() * 5000) / 1000.0;
        label = Double.toString(score);
      } else {
        labelIndex = r.nextInt(task.labels().size());
        label = task.labels().get(labelIndex);
      }
      if (k == Kind.BAD_LABEL) {
        label = badLabel(r, task);
      }
      f[labelCol] = (r.nextInt(4) == 0 ? " " : "") + label;
      int fields = k == Kind.SHORT ? r.nextInt(needed) : f.length; // 0..needed-1 fields
      String row = String.join("\t", java.util.Arrays.copyOf(f, fields));
      if (k == Kind.SHORT && row.isBlank()) row = "x"; // a blank line is skipped, not short
      byte[] bytes = row.getBytes(StandardCharsets.UTF_8);
      if (k == Kind.INVALID_UTF8) {
        byte[] bad = new byte[bytes.length + 1];
        int at = r.nextInt(bytes.length + 1);
        System.arraycopy(bytes, 0, bad, 0, at);
        bad[at] = (byte) (0x80 + r.nextInt(0x40)); // a lone continuation byte
        System.arraycopy(bytes, at, bad, at + 1, bytes.length - at);
        bytes = bad;
        if (firstUtf8Line == null) firstUtf8Line = line;
      }
      out.writeBytes(bytes);
      out.writeBytes(eol.getBytes(StandardCharsets.UTF_8));
      if (k == Kind.GOOD || k == Kind.EXTRA_FIELDS) {
        String second = layout.pair() ? f[secondCol] : null;
        expected.add(task.regression() ? Example.scored(f[firstCol], second, score, line)
            : Example.classified(f[firstCol], second, labelIndex, line));
      } else if (k == Kind.SHORT || k == Kind.BAD_LABEL) {
        expectedSkipped++;
        if (firstBadLine == null) {
          firstBadLine = line;
          firstBadWhy = k == Kind.SHORT ? "is missing" : "field '" + columns.get(labelCol) + "' (column "
              + (labelCol + 1) + "): expected ";
        }
      }
    }
    Path file = Files.createDirectories(task.folder()).resolve("train.tsv");
    Files.write(file, out.toByteArray());

    TsvReader.Result result;
    try {
      result = TsvReader.read(file, task, c.skipBad());
    } catch (BadInputException e) {
      String m = e.getMessage();
      if (firstUtf8Line != null && (c.skipBad() || firstBadLine == null || firstUtf8Line < firstBadLine)) {
        assertEquals(file + ": line " + firstUtf8Line + ": not valid UTF-8", m);
      } else if (!c.skipBad() && firstBadLine != null) {
        assertTrue(m.startsWith(file + ": line " + firstBadLine + ": "), m);
        assertTrue(m.contains(firstBadWhy), firstBadWhy + " in " + m);
      } else {
        fail("unexpected refusal: " + m);
      }
      return;
    } catch (RuntimeException e) {
      throw new AssertionError("not a clear error: " + e, e);
    }
    assertTrue(firstUtf8Line == null, "invalid UTF-8 on line " + firstUtf8Line + " went unnoticed");
    assertTrue(c.skipBad() || firstBadLine == null, "bad line " + firstBadLine + " went unnoticed");
    assertEquals(expected, result.examples());
    assertEquals(c.skipBad() ? expectedSkipped : 0, result.skipped());
  }

  /** A text field: words, quotes, unicode, stray spaces; never a tab or a line break. */
  static String text(Random r) {
    String[] parts = {"the", "\"quoted\"", "'single'", "\"unbalanced", "caf\u00e9", "\u4e2d\u6587", "\uD83D\uDE00",
        "a,b", "x;y", "\\t", "  ", "", "NULL", "#1", "-"};
    StringBuilder sb = new StringBuilder();
    int n = r.nextInt(6);
    for (int i = 0; i < n; i++) sb.append(i == 0 ? "" : " ").append(parts[r.nextInt(parts.length)]);
    return sb.toString();
  }

  static String badLabel(Random r, TaskSpec task) {
    String[] bad = {"yes", "entail", "2", "-1", "0.5", "label", "", "\"1\"", "1 1", "NaN", "Infinity", "1e400", "x"};
    while (true) {
      String b = bad[r.nextInt(bad.length)];
      if (task.regression()) {
        try {
          if (Double.isFinite(Double.parseDouble(b.trim()))) continue;
        } catch (NumberFormatException e) {
          return b;
        }
        return b;
      }
      if (!task.labels().contains(b.trim())) return b;
    }
  }
}
