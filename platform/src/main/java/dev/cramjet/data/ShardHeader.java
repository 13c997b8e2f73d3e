package dev.cramjet.data;

import dev.cramjet.util.BadInputException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The fixed 64-byte header at the start of every shard file. All numbers are little-endian.
 *
 * <pre>
 * offset size field
 *      0    8 magic "CJSHARD\0"
 *      8    4 format version (1)
 *     12    4 vocabulary size: every token id is below it
 *     16    4 sequence length: tokens per row
 *     20    4 token width in bytes: 2 (unsigned) while the vocabulary fits 65536 ids, else 4
 *     24    8 row count
 *     32    4 CRC32C of the payload (all bytes after the header)
 *     36    4 CRC32C of header bytes 0..35, so a damaged header is told apart from a damaged payload
 *     40   24 reserved, zero
 * </pre>
 *
 * The payload follows: {@code rows x seqLen} token ids, row after row. This record only encodes and decodes the
 * header; it does not read or write files.
 */
public record ShardHeader(int vocabSize, int seqLen, int tokenBytes, long rows, int payloadCrc) {
  public static final int SIZE = 64;
  public static final int VERSION = 1;
  static final byte[] MAGIC = "CJSHARD\0".getBytes(StandardCharsets.US_ASCII);

  public ShardHeader {
    if (vocabSize <= 0) throw new IllegalArgumentException("vocabSize must be positive: " + vocabSize);
    if (seqLen <= 0) throw new IllegalArgumentException("seqLen must be positive: " + seqLen);
    if (tokenBytes != tokenBytesFor(vocabSize)) {
      throw new IllegalArgumentException("tokenBytes " + tokenBytes + " does not fit vocabSize " + vocabSize);
    }
    if (rows < 0) throw new IllegalArgumentException("rows must be >= 0: " + rows);
  }

  /** Token width for a vocabulary: 2 bytes (read as unsigned) up to 65536 ids, 4 bytes beyond. */
  public static int tokenBytesFor(int vocabSize) {
    return vocabSize <= 65536 ? 2 : 4;
  }

  /** Bytes of one row. */
  public long rowBytes() {
    return (long) seqLen * tokenBytes;
  }

  /** Total file size this header describes. */
  public long fileBytes() {
    return SIZE + rows * rowBytes();
  }

  /** The 64 header bytes. */
  public ByteBuffer encode() {
    ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).putInt(VERSION).putInt(vocabSize).putInt(seqLen).putInt(tokenBytes).putLong(rows).putInt(payloadCrc);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, 36);
    b.putInt((int) crc.getValue());
    b.position(0);
    return b;
  }

  /**
   * Parses and checks a header read from {@code file}; every failure is a {@link BadInputException} naming the file
   * and what is wrong.
   */
  public static ShardHeader decode(ByteBuffer src, Path file) {
    if (src.remaining() < SIZE) {
      throw bad(file, "truncated: " + src.remaining() + " bytes, but the header alone needs " + SIZE);
    }
    ByteBuffer b = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    byte[] head = new byte[SIZE];
    b.get(head);
    if (!Arrays.equals(Arrays.copyOf(head, MAGIC.length), MAGIC)) {
      throw bad(file, "not a Cramjet shard (magic bytes differ from \"CJSHARD\")");
    }
    ByteBuffer h = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
    int version = h.getInt(8);
    if (version != VERSION) {
      throw bad(file, "shard format version " + version + ", this build reads version " + VERSION);
    }
    CRC32C crc = new CRC32C();
    crc.update(head, 0, 36);
    if ((int) crc.getValue() != h.getInt(36)) {
      throw bad(file, "header checksum mismatch: the header is corrupted");
    }
    try {
      return new ShardHeader(h.getInt(12), h.getInt(16), h.getInt(20), h.getLong(24), h.getInt(32));
    } catch (IllegalArgumentException e) {
      throw bad(file, "invalid header: " + e.getMessage());
    }
  }

  static BadInputException bad(Path file, String what) {
    return new BadInputException("shard " + file + ": " + what);
  }
}
