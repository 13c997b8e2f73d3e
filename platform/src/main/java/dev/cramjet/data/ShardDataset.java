package dev.cramjet.data;

import dev.cramjet.util.BadInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The rows of one or more shard files, memory-mapped and served as one {@link RowSource}: row {@code i} of the
 * dataset is row {@code i - first} of the shard that holds it, shards taken in manifest order. Opening checks every
 * header and payload checksum, so a corrupted or truncated shard is refused before training starts. Reads are
 * thread-safe. It does not shuffle or cycle; callers keep a {@link RowCursor}.
 */
public final class ShardDataset implements RowSource {
  private final MappedByteBuffer[] maps;
  private final long[] firstRow; // firstRow[k] = global index of shard k's row 0; firstRow[n] = rows()
  private final int seqLen;
  private final int vocabSize;
  private final int tokenBytes;

  private ShardDataset(MappedByteBuffer[] maps, long[] firstRow, int seqLen, int vocabSize, int tokenBytes) {
    this.maps = maps;
    this.firstRow = firstRow;
    this.seqLen = seqLen;
    this.vocabSize = vocabSize;
    this.tokenBytes = tokenBytes;
  }

  /** Opens the shards listed in {@code dir/manifest.json}, checking that each matches its manifest entry. */
  public static ShardDataset open(Path dir) {
    Manifest manifest = Manifest.read(dir);
    List<Path> files = new ArrayList<>();
    for (ShardInfo s : manifest.shards()) files.add(dir.resolve(s.file()));
    if (files.isEmpty()) {
      throw new BadInputException(dir.resolve(Manifest.FILE_NAME) + ": lists no shards (the corpus gave no rows)");
    }
    ShardDataset ds = openFiles(files);
    for (int k = 0; k < files.size(); k++) {
      ShardInfo s = manifest.shards().get(k);
      long rows = ds.firstRow[k + 1] - ds.firstRow[k];
      if (rows != s.rows()) {
        throw ShardHeader.bad(files.get(k), "holds " + rows + " rows, the manifest says " + s.rows());
      }
    }
    if (ds.seqLen != manifest.seqLen() || ds.vocabSize != manifest.vocabSize()) {
      throw new BadInputException(
          dir.resolve(Manifest.FILE_NAME) + ": seq_len/vocab_size differ from the shard headers");
    }
    return ds;
  }

  /** Opens the given shard files in order; all must share sequence length and vocabulary size. */
  public static ShardDataset openFiles(List<Path> files) {
    if (files.isEmpty()) throw new IllegalArgumentException("no shard files");
    MappedByteBuffer[] maps = new MappedByteBuffer[files.size()];
    long[] first = new long[files.size() + 1];
    ShardHeader reference = null;
    for (int k = 0; k < files.size(); k++) {
      Path file = files.get(k);
      MappedByteBuffer map = map(file);
      ShardHeader h = ShardHeader.decode(map, file);
      if (map.capacity() != h.fileBytes()) {
        String what = map.capacity() < h.fileBytes() ? "truncated" : "too long";
        throw ShardHeader.bad(
            file,
            what + ": the header promises " + h.rows() + " rows of " + h.seqLen() + " tokens (" + h.fileBytes()
                + " bytes), the file has " + map.capacity() + " bytes");
      }
      CRC32C crc = new CRC32C();
      crc.update(map.duplicate().position(ShardHeader.SIZE));
      if ((int) crc.getValue() != h.payloadCrc()) {
        throw ShardHeader.bad(
            file,
            "payload checksum mismatch (stored " + ShardInfo.hex(h.payloadCrc()) + ", computed "
                + ShardInfo.hex((int) crc.getValue()) + "): the token data is corrupted");
      }
      if (reference == null) {
        reference = h;
      } else if (h.seqLen() != reference.seqLen() || h.vocabSize() != reference.vocabSize()) {
        throw ShardHeader.bad(
            file,
            "seq_len " + h.seqLen() + " / vocab " + h.vocabSize() + " differ from the first shard's "
                + reference.seqLen() + " / " + reference.vocabSize());
      }
      maps[k] = (MappedByteBuffer) map.order(ByteOrder.LITTLE_ENDIAN);
      first[k + 1] = first[k] + h.rows();
    }
    return new ShardDataset(maps, first, reference.seqLen(), reference.vocabSize(), reference.tokenBytes());
  }

  private static MappedByteBuffer map(Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size > Integer.MAX_VALUE) throw ShardHeader.bad(file, "larger than 2 GiB, which no writer produces");
      return ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
    } catch (NoSuchFileException e) {
      throw ShardHeader.bad(file, "file is missing");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot map shard " + file, e);
    }
  }

  @Override
  public int seqLen() {
    return seqLen;
  }

  @Override
  public long rows() {
    return firstRow[firstRow.length - 1];
  }

  @Override
  public int vocabSize() {
    return vocabSize;
  }

  /** Number of shard files. */
  public int shards() {
    return maps.length;
  }

  @Override
  public void read(long index, int[] dst) {
    if (index < 0 || index >= rows()) {
      throw new IndexOutOfBoundsException("row " + index + " of " + rows());
    }
    if (dst.length != seqLen) throw new IllegalArgumentException("dst length " + dst.length + " != " + seqLen);
    int k = Arrays.binarySearch(firstRow, index);
    if (k < 0) k = -k - 2;
    while (firstRow[k + 1] == index) k++; // skip empty shards that share this start
    MappedByteBuffer map = maps[k];
    int at = (int) (ShardHeader.SIZE + (index - firstRow[k]) * seqLen * tokenBytes);
    if (tokenBytes == 2) {
      for (int i = 0; i < seqLen; i++) dst[i] = map.getShort(at + 2 * i) & 0xffff;
    } else {
      for (int i = 0; i < seqLen; i++) dst[i] = map.getInt(at + 4 * i);
    }
  }
}
