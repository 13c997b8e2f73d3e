package dev.cramjet.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads UTF-8 lines from a byte stream with a cap on line length, so one enormous line never fills the heap: a line
 * longer than the cap is consumed and reported as {@link #TOO_LONG} without being kept. Malformed UTF-8 becomes
 * U+FFFD and is counted. Control bytes ({@link #isStrippedControl}) are left out of the lines and counted. Line ends
 * are {@code \n} with an optional preceding {@code \r}. Not thread-safe.
 */
final class LineReader {
  /** Returned by {@link #readLine()} for a line longer than the cap. */
  static final String TOO_LONG = new String("<line too long>");

  private final InputStream in;
  private final int maxLineBytes;
  private final byte[] buf = new byte[1 << 16];
  private int pos;
  private int end;
  private byte[] line = new byte[256];
  private final CharsetDecoder decoder =
      StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
  private long lineNumber;
  private long bytes;
  private long replaced;
  private long stripped;

  LineReader(InputStream in, int maxLineBytes) {
    this.in = in;
    this.maxLineBytes = maxLineBytes;
  }

  /** Number of the line last returned, from 1. */
  long lineNumber() {
    return lineNumber;
  }

  /** Bytes consumed so far (after decompression). */
  long bytes() {
    return bytes;
  }

  /** Malformed UTF-8 sequences replaced so far. */
  long replaced() {
    return replaced;
  }

  /** Control bytes left out of the lines returned so far. */
  long stripped() {
    return stripped;
  }

  /**
   * Whether a byte is a control byte that no text needs: NUL, the C0 controls other than tab, line feed, form feed
   * and carriage return, and DEL. (Bytes of multi-byte UTF-8 sequences are all 0x80 or above, so never match.)
   */
  static boolean isStrippedControl(byte b) {
    return (b >= 0 && b < 0x20 && b != '\t' && b != '\n' && b != '\f' && b != '\r') || b == 0x7f;
  }

  /** The next line without its terminator, {@link #TOO_LONG}, or null at the end of the stream. */
  String readLine() throws IOException {
    int len = 0;
    boolean tooLong = false;
    boolean any = false;
    while (true) {
      if (pos == end) {
        int n = in.read(buf, 0, buf.length);
        if (n < 0) {
          if (!any) return null;
          break;
        }
        pos = 0;
        end = n;
        bytes += n;
      }
      any = true;
      int start = pos;
      int nl = -1;
      boolean controls = false;
      for (int i = pos; i < end; i++) {
        byte b = buf[i];
        if (b == '\n') {
          nl = i;
          break;
        }
        if ((b >= 0 && b < 0x20) || b == 0x7f) controls |= isStrippedControl(b);
      }
      int stop = nl < 0 ? end : nl;
      int chunk = stop - start;
      if (!tooLong) {
        if (len + chunk > maxLineBytes) {
          tooLong = true;
        } else {
          if (len + chunk > line.length) line = Arrays.copyOf(line, Math.max(len + chunk, line.length * 2));
          if (!controls) {
            System.arraycopy(buf, start, line, len, chunk);
            len += chunk;
          } else {
            for (int i = start; i < stop; i++) {
              if (isStrippedControl(buf[i])) stripped++;
              else line[len++] = buf[i];
            }
          }
        }
      }
      if (nl >= 0) {
        pos = nl + 1;
        break;
      }
      pos = end;
    }
    lineNumber++;
    if (tooLong) return TOO_LONG;
    if (len > 0 && line[len - 1] == '\r') len--;
    return decode(line, len);
  }

  private String decode(byte[] b, int len) {
    boolean ascii = true;
    for (int i = 0; i < len; i++) {
      if (b[i] < 0) {
        ascii = false;
        break;
      }
    }
    // ASCII is valid UTF-8 and Latin-1 alike; Latin-1 builds the compact string without a decoder pass.
    if (ascii) return new String(b, 0, len, StandardCharsets.ISO_8859_1);
    ByteBuffer src = ByteBuffer.wrap(b, 0, len);
    CharBuffer out = CharBuffer.allocate(len + 1);
    decoder.reset();
    while (true) {
      CoderResult r = decoder.decode(src, out, true);
      if (r.isUnderflow()) break;
      if (r.isOverflow()) {
        out = CharBuffer.allocate(out.capacity() * 2).put(out.flip());
        continue;
      }
      if (!out.hasRemaining()) out = CharBuffer.allocate(out.capacity() * 2).put(out.flip());
      out.put('\uFFFD');
      src.position(src.position() + r.length());
      replaced++;
    }
    decoder.flush(out);
    return out.flip().toString();
  }
}
