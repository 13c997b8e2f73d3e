package dev.cramjet.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.github.luben.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams the documents of corpus files, one file after another, never holding a whole file in memory.
 *
 * <ul>
 *   <li>Plain text: a document is a run of non-blank lines; blank lines separate documents. A document longer than
 *       {@code maxDocumentChars} is handed on in pieces, cut at line ends.
 *   <li>JSON lines: each non-blank line is one JSON object and its string field {@code text} is the document. A line
 *       that is not such an object is an <em>unreadable</em> document, logged as {@code file:line} (the file is not
 *       abandoned, as large dumps often hold a few broken lines).
 *   <li>Any line longer than {@code maxLineBytes} is skipped and counted as one unreadable document.
 *   <li>Invalid UTF-8 becomes U+FFFD and is counted.
 *   <li>Binary files (a NUL byte in the first 8 KiB after decompression, or the magic of a known binary format) are
 *       skipped whole with a warning, as are files that are not the compression their name says.
 *   <li>A stream that breaks mid-file (truncated or corrupt .gz/.zst): documents before the break are kept, the
 *       document being read is counted unreadable, and the file's {@code damage} records the error.
 * </ul>
 *
 * It does not tokenize, filter or deduplicate; see {@link DataPreparer}.
 */
public final class CorpusReader {
  private static final Logger LOG = LoggerFactory.getLogger(CorpusReader.class);
  private static final int SNIFF_BYTES = 8192;
  private static final int MAX_WARNINGS_PER_FILE = 5;
  private static final JsonFactory JSON = new JsonFactory();

  /** Receives documents in corpus order. */
  public interface Sink {
    /** One readable document; may be blank, which the caller counts as empty. */
    void document(String text);

    /** One document that could not be read; {@code where} is {@code file:line}. */
    void unreadable(String where, String why);
  }

  /** What reading the corpus found, beyond the documents themselves. */
  public record Stats(
      List<Manifest.SourceFile> sources,
      List<Manifest.SkippedFile> skipped,
      long rawBytes,
      long invalidUtf8Replaced) {}

  private final int maxLineBytes;
  private final int maxDocumentChars;
  private final AtomicLong diskBytesRead = new AtomicLong();

  public CorpusReader(int maxLineBytes, int maxDocumentChars) {
    if (maxLineBytes <= 0 || maxDocumentChars <= 0) throw new IllegalArgumentException("limits must be positive");
    this.maxLineBytes = maxLineBytes;
    this.maxDocumentChars = maxDocumentChars;
  }

  /** Bytes of the input files consumed so far, as stored on disk (compressed where they are); for progress. */
  public long diskBytesRead() {
    return diskBytesRead.get();
  }

  /** Reads every file of {@code inputs} in order into {@code sink}. */
  public Stats read(CorpusFiles.Resolved inputs, Sink sink) {
    List<Manifest.SourceFile> sources = new ArrayList<>();
    List<Manifest.SkippedFile> skipped = new ArrayList<>(inputs.skipped());
    long raw = 0;
    long replaced = 0;
    for (Path file : inputs.files()) {
      FileResult r = readFile(file, sink);
      raw += r.rawBytes;
      replaced += r.replaced;
      if (r.skipReason != null) {
        LOG.warn("skipping {}: {}", file, r.skipReason);
        skipped.add(new Manifest.SkippedFile(file.toString(), r.skipReason));
      } else {
        sources.add(new Manifest.SourceFile(file.toString(), r.diskBytes, r.documents, r.unreadable, r.damage));
      }
    }
    return new Stats(sources, skipped, raw, replaced);
  }

  private static final class FileResult {
    long diskBytes;
    long rawBytes;
    long replaced;
    long documents;
    long unreadable;
    String damage;
    String skipReason;
    int warnings;
  }

  private FileResult readFile(Path file, Sink sink) {
    FileResult r = new FileResult();
    TextFormat format = TextFormat.of(file);
    long before = diskBytesRead.get();
    try (InputStream disk = new Counting(Files.newInputStream(file), diskBytesRead)) {
      InputStream in;
      try {
        in = switch (format.compression()) {
          case NONE -> disk;
          case GZIP -> new GZIPInputStream(disk, 1 << 16);
          case ZSTD -> new ZstdInputStream(disk);
        };
      } catch (IOException e) {
        r.skipReason = "not " + format.compression().name().toLowerCase(java.util.Locale.ROOT) + " data: " + e;
        return r;
      }
      BufferedInputStream buffered = new BufferedInputStream(in, 1 << 16);
      String binary;
      try {
        binary = sniffBinary(buffered);
      } catch (IOException e) {
        r.skipReason = "unreadable from the first bytes: " + e.getMessage();
        return r;
      }
      if (binary != null) {
        r.skipReason = "binary content (" + binary + ")";
        return r;
      }
      LineReader lines = new LineReader(buffered, maxLineBytes);
      try {
        if (format.jsonLines()) readJsonLines(file, lines, sink, r);
        else readText(file, lines, sink, r);
      } catch (IOException e) {
        // The document in progress is lost with the stream; everything before it was already handed on.
        r.damage = "stream broken after line " + lines.lineNumber() + ": " + e.getMessage();
        LOG.warn("{}: {}; the documents before it are kept", file, r.damage);
        r.unreadable++;
        r.documents++;
        sink.unreadable(file + ":" + (lines.lineNumber() + 1), "stream broken: " + e.getMessage());
      }
      r.rawBytes = lines.bytes();
      r.replaced = lines.replaced();
      if (r.replaced > 0) LOG.warn("{}: replaced {} invalid UTF-8 sequences", file, r.replaced);
    } catch (IOException e) {
      r.skipReason = "cannot open: " + e.getMessage();
    } finally {
      r.diskBytes = diskBytesRead.get() - before;
    }
    if (r.warnings > MAX_WARNINGS_PER_FILE) {
      LOG.warn("{}: {} more unreadable lines not shown", file, r.warnings - MAX_WARNINGS_PER_FILE);
    }
    return r;
  }

  private void readText(Path file, LineReader lines, Sink sink, FileResult r) throws IOException {
    StringBuilder doc = new StringBuilder();
    String line;
    while ((line = lines.readLine()) != null) {
      if (line == LineReader.TOO_LONG) {
        emit(doc, sink, r);
        unreadable(file, lines.lineNumber(), "line longer than " + maxLineBytes + " bytes", sink, r);
      } else if (line.isBlank()) {
        emit(doc, sink, r);
      } else {
        if (doc.length() > 0) doc.append('\n');
        doc.append(line);
        if (doc.length() >= maxDocumentChars) emit(doc, sink, r);
      }
    }
    emit(doc, sink, r);
  }

  private static void emit(StringBuilder doc, Sink sink, FileResult r) {
    if (doc.length() == 0) return;
    r.documents++;
    sink.document(doc.toString());
    doc.setLength(0);
  }

  private void readJsonLines(Path file, LineReader lines, Sink sink, FileResult r) throws IOException {
    String line;
    while ((line = lines.readLine()) != null) {
      if (line == LineReader.TOO_LONG) {
        unreadable(file, lines.lineNumber(), "line longer than " + maxLineBytes + " bytes", sink, r);
        continue;
      }
      if (line.isBlank()) continue;
      String text;
      try {
        text = textField(line);
      } catch (IOException e) {
        unreadable(file, lines.lineNumber(), "not valid JSON: " + e.getMessage().lines().findFirst().orElse(""),
            sink, r);
        continue;
      }
      if (text == null) {
        unreadable(file, lines.lineNumber(), "expected a JSON object with a string field \"text\"", sink, r);
        continue;
      }
      r.documents++;
      sink.document(text);
    }
  }

  /** The top-level string field "text" of a one-line JSON object, or null when there is none. */
  static String textField(String line) throws IOException {
    try (JsonParser p = JSON.createParser(line)) {
      if (p.nextToken() != JsonToken.START_OBJECT) return null;
      String text = null;
      boolean ok = true;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if ("text".equals(name)) {
          if (value == JsonToken.VALUE_STRING) text = p.getText();
          else ok = false;
        }
        p.skipChildren();
      }
      if (p.nextToken() != null) throw new IOException("more than one JSON value on the line");
      return ok ? text : null;
    }
  }

  private static void unreadable(Path file, long line, String why, Sink sink, FileResult r) {
    r.documents++;
    r.unreadable++;
    if (++r.warnings <= MAX_WARNINGS_PER_FILE) LOG.warn("{}:{}: {}; counted unreadable", file, line, why);
    sink.unreadable(file + ":" + line, why);
  }

  /** A short description when the stream starts like a binary file, else null. Leaves the stream unread. */
  static String sniffBinary(BufferedInputStream in) throws IOException {
    in.mark(SNIFF_BYTES);
    byte[] head = in.readNBytes(SNIFF_BYTES);
    in.reset();
    for (int i = 0; i < head.length; i++) {
      if (head[i] == 0) return "NUL byte at offset " + i;
    }
    String[][] magics = {
      {"%PDF", "PDF"}, {"PK\u0003\u0004", "zip"}, {"\u0089PNG", "PNG"}, {"\u00ff\u00d8\u00ff", "JPEG"},
      {"\u007fELF", "ELF"}, {"GIF8", "GIF"}, {"\u001f\u008b", "gzip"}, {"\u0028\u00b5\u002f\u00fd", "zstd"},
      {"BZh", "bzip2"}, {"\u00fd7zXZ", "xz"}, {"7z\u00bc\u00af", "7z"}
    };
    for (String[] m : magics) {
      String magic = m[0];
      if (head.length < magic.length()) continue;
      boolean match = true;
      for (int i = 0; i < magic.length() && match; i++) match = (head[i] & 0xff) == magic.charAt(i);
      if (match) return m[1] + " magic";
    }
    return null;
  }

  /** Counts bytes read from the file on disk, for progress. */
  private static final class Counting extends FilterInputStream {
    private final AtomicLong counter;

    Counting(InputStream in, AtomicLong counter) {
      super(in);
      this.counter = counter;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) counter.incrementAndGet();
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) counter.addAndGet(n);
      return n;
    }
  }
}
