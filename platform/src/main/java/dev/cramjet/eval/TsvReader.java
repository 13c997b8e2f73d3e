package dev.cramjet.eval;

import dev.cramjet.util.BadInputException;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one labelled TSV file of a task into {@link Example}s. Lines are split on tabs only; quotes are literal (GLUE's
 * files are not CSV-quoted). A row that is too short, or whose label is not one of the task's labels (or whose score
 * is not a finite number) is malformed: by default that is a {@link BadInputException} naming the file, line and
 * field; with {@code skipBad} the row is dropped and counted instead (the real QQP train file has such rows). Extra
 * trailing fields are ignored. A header missing a needed column is always an error. Blank lines are skipped. Lines end
 * at {@code \n} (an optional {@code \r} before it is dropped); invalid UTF-8 is an error naming its line.
 */
public final class TsvReader {
  private TsvReader() {}

  /** The examples read and the number of malformed rows skipped (always 0 without {@code skipBad}). */
  public record Result(List<Example> examples, int skipped, String firstProblem) {}

  /** The longest row read, in bytes: GLUE rows are a few hundred bytes, so a longer line is not a task file. */
  static final int MAX_LINE_BYTES = 4 << 20;

  public static Result read(Path file, TaskSpec task, boolean skipBad) throws IOException {
    TsvLayout layout = task.layout();
    List<Example> out = new ArrayList<>();
    int skipped = 0;
    String firstProblem = null;
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    InputStream in;
    try {
      in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    } catch (NoSuchFileException e) {
      throw new BadInputException(file + ": file not found (task " + task.name() + ")");
    }
    try (in) {
      int lineNo = 0;
      Columns cols = null;
      if (!layout.header()) {
        cols = new Columns(layout.columnNames(), Integer.parseInt(layout.first()),
            layout.pair() ? Integer.parseInt(layout.second()) : -1, Integer.parseInt(layout.label()));
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      while (readLine(in, bytes, file, lineNo + 1)) {
        lineNo++;
        String line;
        try {
          line = decoder.decode(java.nio.ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
          throw new BadInputException(file + ": line " + lineNo + ": not valid UTF-8");
        }
        if (cols == null) {
          cols = header(file, line, layout);
          continue;
        }
        if (line.isBlank()) {
          continue;
        }
        try {
          out.add(parse(file, lineNo, line.split("\t", -1), cols, task));
        } catch (BadInputException e) {
          if (!skipBad) {
            throw e;
          }
          skipped++;
          if (firstProblem == null) {
            firstProblem = e.getMessage();
          }
        }
      }
    }
    return new Result(out, skipped, firstProblem);
  }

  /**
   * Reads one line's bytes into {@code line} (without {@code \n} and a {@code \r} before it); false at the end of
   * the file. Lines end at {@code \n} only, so a stray {@code \r} inside a field stays text and cannot make a row
   * ragged. Decoding happens per line, so an invalid UTF-8 byte is reported on its own line.
   */
  private static boolean readLine(InputStream in, ByteArrayOutputStream line, Path file, int lineNo)
      throws IOException {
    line.reset();
    int b = in.read();
    if (b < 0) {
      return false;
    }
    while (b >= 0 && b != '\n') {
      if (line.size() >= MAX_LINE_BYTES) {
        throw new BadInputException(file + ": line " + lineNo + ": longer than " + MAX_LINE_BYTES
            + " bytes; expected a task's TSV rows");
      }
      line.write(b);
      b = in.read();
    }
    byte[] raw = line.toByteArray();
    if (raw.length > 0 && raw[raw.length - 1] == '\r') {
      line.reset();
      line.write(raw, 0, raw.length - 1);
    }
    return true;
  }

  /** Column indices and names of one file. */
  private record Columns(List<String> names, int first, int second, int label) {}

  private static Columns header(Path file, String line, TsvLayout layout) {
    List<String> names = List.of(stripBom(line).split("\t", -1));
    return new Columns(names, column(file, names, layout.first()),
        layout.pair() ? column(file, names, layout.second()) : -1, column(file, names, layout.label()));
  }

  private static int column(Path file, List<String> names, String wanted) {
    int i = names.indexOf(wanted);
    if (i < 0) {
      throw new BadInputException(file + ": line 1: the header has no column '" + wanted + "' (it has " + names
          + "); is this the right task's file?");
    }
    return i;
  }

  private static String stripBom(String s) {
    return s.startsWith("\uFEFF") ? s.substring(1) : s;
  }

  private static Example parse(Path file, int lineNo, String[] f, Columns c, TaskSpec task) {
    int needed = Math.max(c.first, Math.max(c.second, c.label)) + 1;
    if (f.length < needed) {
      int missing = f.length;
      throw new BadInputException(file + ": line " + lineNo + ": field '" + c.names.get(missing) + "' (column "
          + (missing + 1) + ") is missing: the row has " + f.length + " tab-separated fields, expected at least "
          + needed);
    }
    String first = f[c.first];
    String second = c.second >= 0 ? f[c.second] : null;
    String raw = f[c.label].trim();
    String field = file + ": line " + lineNo + ": field '" + c.names.get(c.label) + "' (column " + (c.label + 1) + ")";
    if (task.regression()) {
      double score;
      try {
        score = Double.parseDouble(raw);
      } catch (NumberFormatException e) {
        throw new BadInputException(field + ": expected a number, got '" + raw + "'");
      }
      if (!Double.isFinite(score)) {
        throw new BadInputException(field + ": expected a finite number, got '" + raw + "'");
      }
      return Example.scored(first, second, score, lineNo);
    }
    int label = task.labels().indexOf(raw);
    if (label < 0) {
      throw new BadInputException(field + ": expected one of " + task.labels() + ", got '" + raw + "'");
    }
    return Example.classified(first, second, label, lineNo);
  }
}
