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
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
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
 *   <li>Control bytes (NUL, the other C0 controls except tab, line feed, form feed and carriage return, and DEL) are
 *       stripped from the text and counted: real corpora carry stray ones, and one must not cost a whole file.
 *   <li>Binary files are skipped whole with a warning, as are files that are not the compression their name says. A
 *       file is binary when it starts with the magic of a known binary format, or when its first {@value
 *       #SNIFF_BYTES} bytes (after decompression) are not text: at least {@value #BINARY_CONTROL_PERCENT}% control
 *       bytes, or at least {@value #BINARY_INVALID_PERCENT}% (and {@value #BINARY_INVALID_MIN} or more) bytes of
 *       invalid UTF-8. See {@link #sniffBinary}.
 *   <li>A stream that breaks mid-file (truncated or corrupt .gz/.zst): documents before the break are kept, the
 *       document being read is counted unreadable, and the file's {@code damage} records the error.
 * </ul>
 *
 * It does not tokenize, filter or deduplicate; see {@link DataPreparer}.
 */
public final class CorpusReader {
  private static final Logger LOG = LoggerFactory.getLogger(CorpusReader.class);
  /** The leading sample that decides whether a file is text: 64 KiB, a few pages of prose. */
  static final int SNIFF_BYTES = 64 * 1024;

  /**
   * Control bytes in the sample that make a file binary. Text has none but strays; executables, images, UTF-16 and
   * packed numbers are full of NULs; random or compressed bytes hold about 11% (29 of 256 values).
   */
  static final int BINARY_CONTROL_PERCENT = 10;

  /**
   * Bytes of invalid UTF-8 in the sample that make a file binary. Latin-1 prose stays well under 10%; random or
   * compressed bytes are about half invalid; text in another 8-bit encoding would be all U+FFFD, useless to learn.
   */
  static final int BINARY_INVALID_PERCENT = 30;

  /** ... and at least this many, so that a short file with a few bad bytes is still read. */
  static final int BINARY_INVALID_MIN = 32;

  private static final int MAX_WARNINGS_PER_FILE = 5;
  private static final JsonFactory JSON = new JsonFactory();

  /** Receives documents in corpus order. */
  public interface Sink {
    /** One readable document; may be blank, which the caller counts as empty. */
    void document(String text);

    /** One document that could not be read; {@code where} is {@code file:line}. */
    void unreadable(String where, String why);
  }

  /**
   * What reading the corpus found, beyond the documents themselves.
   *
   * @param documents documents handed on, unreadable ones included
   * @param blank readable documents with no text but whitespace
   * @param unreadable documents that could not be read
   * @param unreadableReasons the unreadable documents counted by reason ("not valid JSON", ...), in first-seen order
   */
  public record Stats(
      List<Manifest.SourceFile> sources,
      List<Manifest.SkippedFile> skipped,
      long rawBytes,
      long invalidUtf8Replaced,
      long controlBytesStripped,
      long documents,
      long blank,
      long unreadable,
      Map<String, Long> unreadableReasons) {
    public Stats {
      sources = List.copyOf(sources);
      skipped = List.copyOf(skipped);
      unreadableReasons = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(unreadableReasons));
    }

    /** Readable documents with some text: what a tokenizer can learn from. */
    public long withText() {
      return documents - blank - unreadable;
    }

    /**
     * One sentence for people: files read and skipped, and why; documents read, blank and unreadable, and why; bytes
     * stripped or replaced. E.g. {@code "1 file read, 1 skipped (binary content: 1); 3 documents: 0 with text, 0
     * blank, 3 unreadable (not valid JSON: 3)"}.
     */
    public String summary() {
      StringBuilder sb = new StringBuilder();
      sb.append(plural(sources.size(), "file")).append(" read, ").append(skipped.size()).append(" skipped");
      Map<String, Long> skipReasons = new LinkedHashMap<>();
      for (Manifest.SkippedFile f : skipped) skipReasons.merge(reasonKind(f.reason()), 1L, Long::sum);
      appendReasons(sb, skipReasons);
      sb.append("; ").append(plural(documents, "document")).append(": ").append(withText()).append(" with text, ")
          .append(blank).append(" blank, ").append(unreadable).append(" unreadable");
      appendReasons(sb, unreadableReasons);
      if (controlBytesStripped > 0) sb.append("; ").append(controlBytesStripped).append(" control bytes stripped");
      if (invalidUtf8Replaced > 0) {
        sb.append("; ").append(invalidUtf8Replaced).append(" invalid UTF-8 sequences replaced");
      }
      return sb.toString();
    }

    private static void appendReasons(StringBuilder sb, Map<String, Long> reasons) {
      if (reasons.isEmpty()) return;
      StringJoiner j = new StringJoiner(", ", " (", ")");
      reasons.forEach((why, n) -> j.add(why + ": " + n));
      sb.append(j);
    }

    private static String plural(long n, String noun) {
      return n + " " + noun + (n == 1 ? "" : "s");
    }
  }

  /**
   * The kind of a skip or unreadable reason, for counting: the reason up to its first detail (" (" or ": "). E.g.
   * "binary content (NUL ...)" is "binary content", "not valid JSON: Unexpected ..." is "not valid JSON".
   */
  static String reasonKind(String reason) {
    int cut = reason.length();
    for (String sep : new String[] {" (", ": "}) {
      int i = reason.indexOf(sep);
      if (i > 0) cut = Math.min(cut, i);
    }
    return reason.substring(0, cut);
  }

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
    long stripped = 0;
    long documents = 0;
    long blank = 0;
    long unreadable = 0;
    Map<String, Long> reasons = new LinkedHashMap<>();
    for (Path file : inputs.files()) {
      FileResult r = readFile(file, sink);
      raw += r.rawBytes;
      replaced += r.replaced;
      stripped += r.stripped;
      documents += r.documents;
      blank += r.blank;
      unreadable += r.unreadable;
      r.reasons.forEach((k, v) -> reasons.merge(k, v, Long::sum));
      if (r.skipReason != null) {
        LOG.warn("skipping {}: {}", file, r.skipReason);
        skipped.add(new Manifest.SkippedFile(file.toString(), r.skipReason));
      } else {
        sources.add(new Manifest.SourceFile(file.toString(), r.diskBytes, r.documents, r.unreadable, r.damage,
            r.stripped));
      }
    }
    return new Stats(sources, skipped, raw, replaced, stripped, documents, blank, unreadable, reasons);
  }

  private static final class FileResult {
    long diskBytes;
    long rawBytes;
    long replaced;
    long stripped;
    long documents;
    long blank;
    long unreadable;
    final Map<String, Long> reasons = new LinkedHashMap<>();
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
        r.skipReason = "not " + format.compression().name().toLowerCase(java.util.Locale.ROOT) + " data: " + why(e);
        return r;
      }
      BufferedInputStream buffered = new BufferedInputStream(in, 1 << 16);
      String binary;
      try {
        binary = sniffBinary(buffered);
      } catch (IOException e) {
        r.skipReason = "unreadable from the first bytes: " + why(e);
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
        r.damage = "stream broken after line " + lines.lineNumber() + ": " + why(e);
        LOG.warn("{}: {}; the documents before it are kept", file, r.damage);
        r.unreadable++;
        r.documents++;
        r.reasons.merge("stream broken", 1L, Long::sum);
        sink.unreadable(file + ":" + (lines.lineNumber() + 1), "stream broken: " + why(e));
      }
      r.rawBytes = lines.bytes();
      r.replaced = lines.replaced();
      r.stripped = lines.stripped();
      if (r.replaced > 0) LOG.warn("{}: replaced {} invalid UTF-8 sequences", file, r.replaced);
      if (r.stripped > 0) LOG.warn("{}: stripped {} control bytes (NUL and the like)", file, r.stripped);
    } catch (IOException e) {
      r.skipReason = "cannot open: " + why(e);
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
    if (doc.toString().isBlank()) r.blank++;
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
      if (text.isBlank()) r.blank++;
      sink.document(text);
    }
  }

  /** What went wrong with a stream, for people: the first line of the message, never a Java class name. */
  static String why(IOException e) {
    if (e instanceof java.io.EOFException) return "the data ends early (truncated)";
    if (e instanceof java.nio.file.NoSuchFileException) return "no such file";
    if (e instanceof java.nio.file.AccessDeniedException) return "permission denied";
    String m = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("").trim();
    if (m.isEmpty()) return "an I/O error";
    return m.replaceAll("\\b(?:[a-z]+\\.)+[A-Z]\\w*(?:Exception|Error)\\b:?\\s*", "").trim();
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
    r.reasons.merge(reasonKind(why), 1L, Long::sum);
    if (++r.warnings <= MAX_WARNINGS_PER_FILE) LOG.warn("{}:{}: {}; counted unreadable", file, line, why);
    sink.unreadable(file + ":" + line, why);
  }

  /**
   * A short description when the stream starts like a binary file, else null. Leaves the stream unread. Looks at
   * the first {@value #SNIFF_BYTES} bytes: a known magic, or too many control bytes or bytes of invalid UTF-8 (see
   * the class comment). A few stray control bytes or bad sequences do not make a file binary; the reader strips or
   * replaces them and counts them.
   */
  static String sniffBinary(BufferedInputStream in) throws IOException {
    in.mark(SNIFF_BYTES + 1);
    byte[] head = new byte[SNIFF_BYTES];
    int n = 0;
    boolean whole = false; // the sample is the whole stream: a sequence cut at its end is invalid
    try {
      while (n < SNIFF_BYTES && !whole) {
        int k = in.read(head, n, SNIFF_BYTES - n);
        if (k < 0) whole = true;
        else n += k;
      }
      if (!whole) whole = in.read() < 0;
    } catch (IOException e) {
      if (n == 0) throw e;
      // a stream broken early: judge what came; the reader meets the break again and records the damage
    }
    in.reset();
    head = java.util.Arrays.copyOf(head, n);
    String magic = magic(head);
    if (magic != null) return magic + " magic";
    if (head.length == 0) return null;
    long controls = 0;
    long nuls = 0;
    for (byte b : head) {
      if (LineReader.isStrippedControl(b)) {
        controls++;
        if (b == 0) nuls++;
      }
    }
    if (controls * 100 >= (long) BINARY_CONTROL_PERCENT * head.length) {
      return String.format(java.util.Locale.ROOT, "%d%% of the first %d bytes are control bytes, %d of them NUL",
          controls * 100 / head.length, head.length, nuls);
    }
    long invalid = invalidUtf8Bytes(head, whole);
    if (invalid >= BINARY_INVALID_MIN && invalid * 100 >= (long) BINARY_INVALID_PERCENT * head.length) {
      return String.format(java.util.Locale.ROOT, "%d%% of the first %d bytes are not valid UTF-8",
          invalid * 100 / head.length, head.length);
    }
    return null;
  }

  /** Bytes of {@code b} in malformed UTF-8 sequences; a sequence cut by the end counts only when {@code whole}. */
  static long invalidUtf8Bytes(byte[] b, boolean whole) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer src = ByteBuffer.wrap(b);
    CharBuffer out = CharBuffer.allocate(b.length + 1);
    long invalid = 0;
    while (true) {
      CoderResult r = decoder.decode(src, out, whole);
      if (r.isUnderflow()) break;
      if (r.isOverflow()) throw new IllegalStateException("a UTF-8 sample decodes to no more chars than bytes");
      invalid += r.length();
      src.position(src.position() + r.length());
    }
    return invalid;
  }

  private static String magic(byte[] head) {
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
      if (match) return m[1];
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
