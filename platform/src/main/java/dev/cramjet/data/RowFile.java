package dev.cramjet.data;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A headerless temporary file of rows (little-endian ids, 2 or 4 bytes each), used by the external orderings. Rows
 * are appended through {@link #append} and read back in order with {@link #drainTo}. Not thread-safe.
 */
final class RowFile implements Closeable {
  private final Path path;
  private final int seqLen;
  private final int tokenBytes;
  private OutputStream out;
  private long rows;
  private byte[] rowBytes;

  RowFile(Path path, int seqLen, int tokenBytes) {
    this.path = path;
    this.seqLen = seqLen;
    this.tokenBytes = tokenBytes;
  }

  long rows() {
    return rows;
  }

  long bytes() {
    return rows * seqLen * tokenBytes;
  }

  Path path() {
    return path;
  }

  void append(int[] row) {
    try {
      if (out == null) out = new BufferedOutputStream(Files.newOutputStream(path), 1 << 15);
      if (rowBytes == null) rowBytes = new byte[seqLen * tokenBytes];
      int p = 0;
      for (int id : row) {
        rowBytes[p++] = (byte) id;
        rowBytes[p++] = (byte) (id >>> 8);
        if (tokenBytes == 4) {
          rowBytes[p++] = (byte) (id >>> 16);
          rowBytes[p++] = (byte) (id >>> 24);
        }
      }
      out.write(rowBytes);
      rows++;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write temporary rows " + path, e);
    }
  }

  /** Closes the writing side and streams every row, in order, into {@code sink}; then deletes the file. */
  void drainTo(RowSink sink) {
    closeOutput();
    if (rows == 0) return;
    int[] row = new int[seqLen];
    byte[] buf = new byte[seqLen * tokenBytes];
    try (InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
      for (long r = 0; r < rows; r++) {
        readRow(in, buf, row);
        sink.accept(row);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read temporary rows " + path, e);
    }
    delete();
  }

  /** Reads all rows as raw bytes (the caller has checked they fit in memory). */
  byte[] readAllBytes() {
    closeOutput();
    try {
      return rows == 0 ? new byte[0] : Files.readAllBytes(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read temporary rows " + path, e);
    }
  }

  void readRow(InputStream in, byte[] buf, int[] row) throws IOException {
    if (in.readNBytes(buf, 0, buf.length) != buf.length) throw new IOException("temporary row file cut short");
    decode(buf, 0, row);
  }

  void decode(byte[] buf, int off, int[] row) {
    for (int i = 0, p = off; i < seqLen; i++) {
      if (tokenBytes == 2) {
        row[i] = (buf[p] & 0xff) | (buf[p + 1] & 0xff) << 8;
        p += 2;
      } else {
        row[i] = (buf[p] & 0xff) | (buf[p + 1] & 0xff) << 8 | (buf[p + 2] & 0xff) << 16 | (buf[p + 3] & 0xff) << 24;
        p += 4;
      }
    }
  }

  private void closeOutput() {
    if (out == null) return;
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write temporary rows " + path, e);
    }
    out = null;
  }

  void delete() {
    try {
      closeOutput();
    } finally {
      try {
        Files.deleteIfExists(path);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @Override
  public void close() {
    delete();
  }
}
