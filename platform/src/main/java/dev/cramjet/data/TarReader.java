package dev.cramjet.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads the regular files of an uncompressed tar stream (ustar, with GNU long names and pax {@code path} records),
 * one after another. Folders, links and other entry types are skipped. It does not extract anything to disk and does
 * not decompress: wrap the stream in a {@link java.util.zip.GZIPInputStream} for a {@code .tgz}.
 */
public final class TarReader {
  private static final int BLOCK = 512;

  /** Receives each regular file; {@code content} holds exactly {@code size} bytes and must not be closed. */
  public interface Visitor {
    void file(String name, long size, InputStream content) throws IOException;
  }

  private TarReader() {}

  public static void read(InputStream in, Visitor visitor) throws IOException {
    byte[] header = new byte[BLOCK];
    String longName = null;
    while (true) {
      if (in.readNBytes(header, 0, BLOCK) != BLOCK) throw new IOException("tar stream ends inside a header");
      if (isZero(header)) return;
      if (!checksumOk(header)) throw new IOException("tar header checksum mismatch");
      String name = string(header, 0, 100);
      String prefix = string(header, 345, 155);
      if (!prefix.isEmpty() && header[257] == 'u') name = prefix + "/" + name;
      long size = octal(header, 124, 12);
      char type = (char) header[156];
      if (type == 'L' || type == 'x') {
        byte[] body = in.readNBytes((int) size);
        skip(in, padding(size));
        String text = new String(body, StandardCharsets.UTF_8);
        longName = type == 'L' ? text.replace("\0", "") : paxPath(text, longName);
        continue;
      }
      if (longName != null) {
        name = longName;
        longName = null;
      }
      if (type == '0' || type == '\0') {
        Bounded content = new Bounded(in, size);
        visitor.file(name, size, content);
        skip(in, content.remaining);
      } else {
        skip(in, size);
      }
      skip(in, padding(size));
    }
  }

  private static String paxPath(String records, String fallback) {
    for (String rec : records.split("\n")) {
      int sp = rec.indexOf(' ');
      if (sp > 0 && rec.startsWith("path=", sp + 1)) return rec.substring(sp + 6);
    }
    return fallback;
  }

  private static long padding(long size) {
    return (BLOCK - size % BLOCK) % BLOCK;
  }

  private static void skip(InputStream in, long n) throws IOException {
    while (n > 0) {
      long k = in.skip(n);
      if (k <= 0) {
        if (in.read() < 0) throw new IOException("tar stream ends inside an entry");
        k = 1;
      }
      n -= k;
    }
  }

  private static boolean isZero(byte[] b) {
    for (byte x : b) if (x != 0) return false;
    return true;
  }

  private static boolean checksumOk(byte[] h) {
    long stored = octal(h, 148, 8);
    long sum = 0;
    for (int i = 0; i < BLOCK; i++) sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xff);
    return sum == stored;
  }

  private static String string(byte[] b, int off, int len) {
    int end = off;
    while (end < off + len && b[end] != 0) end++;
    return new String(b, off, end - off, StandardCharsets.UTF_8);
  }

  private static long octal(byte[] b, int off, int len) {
    long v = 0;
    for (int i = off; i < off + len; i++) {
      byte c = b[i];
      if (c == 0 || c == ' ') {
        if (v > 0) break;
        continue;
      }
      if (c < '0' || c > '7') break;
      v = v * 8 + (c - '0');
    }
    return v;
  }

  /** The bytes of one entry. */
  private static final class Bounded extends InputStream {
    private final InputStream in;
    long remaining;

    Bounded(InputStream in, long size) {
      this.in = in;
      this.remaining = size;
    }

    @Override
    public int read() throws IOException {
      if (remaining <= 0) return -1;
      int b = in.read();
      if (b < 0) throw new IOException("tar stream ends inside an entry");
      remaining--;
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      if (remaining <= 0) return -1;
      int n = in.read(buf, off, (int) Math.min(len, remaining));
      if (n < 0) throw new IOException("tar stream ends inside an entry");
      remaining -= n;
      return n;
    }

    @Override
    public void close() {}
  }
}
