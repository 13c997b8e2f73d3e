package dev.cramjet.data;

import dev.cramjet.util.AtomicFiles;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Writes one shard file (see {@link ShardHeader}) row by row. Rows go to a temporary file beside the target; {@link
 * #finish()} writes the header, forces the file to disk and renames it into place atomically, so a reader never sees
 * a half-written shard. Closing an unfinished writer deletes the temporary file. Not thread-safe.
 */
public final class ShardWriter implements Closeable {
  /** Largest payload one shard may hold: the reader maps each shard as one buffer. */
  public static final long MAX_PAYLOAD_BYTES = Integer.MAX_VALUE - ShardHeader.SIZE;

  private final Path target;
  private final Path temp;
  private final FileChannel channel;
  private final int vocabSize;
  private final int seqLen;
  private final int tokenBytes;
  private final ByteBuffer buffer;
  private final CRC32C crc = new CRC32C();
  private long rows;
  private boolean finished;

  private ShardWriter(Path target, int vocabSize, int seqLen) throws IOException {
    this.target = target;
    this.vocabSize = vocabSize;
    this.seqLen = seqLen;
    this.tokenBytes = ShardHeader.tokenBytesFor(vocabSize);
    this.temp = target.resolveSibling(target.getFileName() + ".tmp");
    this.channel =
        FileChannel.open(
            temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    channel.position(ShardHeader.SIZE);
    int rowBytes = seqLen * tokenBytes;
    this.buffer = ByteBuffer.allocateDirect(Math.max(rowBytes, (1 << 20) / rowBytes * rowBytes))
        .order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Starts a shard that will be renamed to {@code target} on {@link #finish()}. */
  public static ShardWriter create(Path target, int vocabSize, int seqLen) {
    if (seqLen <= 0 || vocabSize <= 0) {
      throw new IllegalArgumentException("seqLen and vocabSize must be positive");
    }
    try {
      return new ShardWriter(target, vocabSize, seqLen);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create shard " + target, e);
    }
  }

  /** Rows written so far. */
  public long rows() {
    return rows;
  }

  /** Appends one row of exactly {@code seqLen} ids, each in {@code [0, vocabSize)}. */
  public void write(int[] row) {
    if (finished) throw new IllegalStateException("shard already finished: " + target);
    if (row.length != seqLen) {
      throw new IllegalArgumentException("row has " + row.length + " tokens, shard rows have " + seqLen);
    }
    if ((rows + 1) * seqLen * (long) tokenBytes > MAX_PAYLOAD_BYTES) {
      throw new IllegalStateException("shard " + target + " would exceed " + MAX_PAYLOAD_BYTES + " bytes");
    }
    if (buffer.remaining() < seqLen * tokenBytes) flush();
    for (int id : row) {
      if (id < 0 || id >= vocabSize) {
        throw new IllegalArgumentException("token id " + id + " outside vocabulary of " + vocabSize);
      }
      if (tokenBytes == 2) buffer.putShort((short) id);
      else buffer.putInt(id);
    }
    rows++;
  }

  private void flush() {
    buffer.flip();
    crc.update(buffer.duplicate());
    try {
      while (buffer.hasRemaining()) channel.write(buffer);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write shard " + temp, e);
    }
    buffer.clear();
  }

  /** Writes the header, syncs, renames the file into place and returns its manifest entry. */
  public ShardInfo finish() {
    if (finished) throw new IllegalStateException("shard already finished: " + target);
    flush();
    ShardHeader header = new ShardHeader(vocabSize, seqLen, tokenBytes, rows, (int) crc.getValue());
    try {
      ByteBuffer h = header.encode();
      int at = 0;
      while (h.hasRemaining()) at += channel.write(h, at);
      channel.force(true);
      channel.close();
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      AtomicFiles.fsyncDir(target.toAbsolutePath().getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot finish shard " + target, e);
    }
    finished = true;
    return new ShardInfo(target.getFileName().toString(), rows, ShardInfo.hex(header.payloadCrc()));
  }

  @Override
  public void close() {
    if (finished) return;
    finished = true;
    try {
      channel.close();
      Files.deleteIfExists(temp);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove unfinished shard " + temp, e);
    }
  }
}
