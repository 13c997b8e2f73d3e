package dev.cramjet.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cramjet.util.BadInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors file format, read and written without any ML library: an 8-byte little-endian header length, a
 * JSON header mapping each tensor name to its dtype, shape and byte range, then the raw little-endian data. Used for
 * checkpoints (parameters and optimizer moments) and for export, so other tools can read Cramjet weights.
 */
public final class SafeTensors {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MAX_HEADER = 100L << 20;

  private SafeTensors() {}

  /** One tensor: dtype as safetensors spells it ("F32", "F64", "I64"), shape, and little-endian bytes. */
  public record Tensor(String dtype, long[] shape, ByteBuffer data) {
    public Tensor {
      long expected = elementSize(dtype);
      for (long d : shape) {
        expected *= d;
      }
      if (data.remaining() != expected) {
        throw new IllegalArgumentException("tensor of " + dtype + " " + java.util.Arrays.toString(shape) + " needs "
            + expected + " bytes, got " + data.remaining());
      }
    }

    /** The values as floats (F32 only). */
    public float[] toFloats() {
      if (!dtype.equals("F32")) {
        throw new IllegalStateException("not F32: " + dtype);
      }
      float[] out = new float[data.remaining() / 4];
      data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
      return out;
    }
  }

  public static int elementSize(String dtype) {
    return switch (dtype) {
      case "F64", "I64" -> 8;
      case "F32", "I32" -> 4;
      case "F16", "BF16", "I16" -> 2;
      case "U8", "I8", "BOOL" -> 1;
      default -> throw new IllegalArgumentException("unsupported safetensors dtype " + dtype);
    };
  }

  /** Opens the file that tensors are written to: a seam for fault injection (see {@code CheckpointStore}). */
  @FunctionalInterface
  public interface Opener {
    /** The default: creates or truncates {@code file} for writing. */
    Opener FILES = file -> FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE);

    FileChannel open(Path file) throws IOException;
  }

  /**
   * Writes {@code tensors} in order, with optional string metadata, to {@code file} (not atomically: callers do). The
   * metadata is written sorted by key, so equal inputs give equal bytes whatever map the caller passed.
   */
  public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
    write(file, tensors, metadata, Opener.FILES);
  }

  /** As above, opening the file through {@code opener}. */
  public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata, Opener opener)
      throws IOException {
    ObjectNode header = JSON.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode meta = header.putObject("__metadata__");
      new java.util.TreeMap<>(metadata).forEach(meta::put); // a fixed order: Map.of iterates differently per JVM
    }
    long offset = 0;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      Tensor t = e.getValue();
      ObjectNode entry = header.putObject(e.getKey());
      entry.put("dtype", t.dtype());
      var shape = entry.putArray("shape");
      for (long d : t.shape()) {
        shape.add(d);
      }
      long end = offset + t.data().remaining();
      entry.putArray("data_offsets").add(offset).add(end);
      offset = end;
    }
    byte[] json = JSON.writeValueAsBytes(header);
    int padded = (json.length + 7) / 8 * 8; // data starts 8-byte aligned; the header is padded with spaces
    ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
    head.putLong(padded).put(json);
    while (head.hasRemaining()) {
      head.put((byte) ' ');
    }
    head.flip();
    try (FileChannel ch = opener.open(file)) {
      writeFully(ch, head);
      for (Tensor t : tensors.values()) {
        writeFully(ch, t.data().duplicate());
      }
      ch.force(true);
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  /** A read file: its tensors (memory-mapped slices, in file order) and its metadata. */
  public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

  /** Reads and validates {@code file}; every structural problem is reported with the file name. */
  public static Contents read(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < 8) {
        throw bad(file, "too short for a safetensors header (" + size + " bytes)");
      }
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(lenBuf, 0);
      long headerLen = lenBuf.flip().getLong();
      if (headerLen <= 0 || headerLen > MAX_HEADER || 8 + headerLen > size) {
        throw bad(file, "header length " + headerLen + " does not fit a file of " + size + " bytes");
      }
      ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
      ch.read(hb, 8);
      JsonNode header;
      try {
        header = JSON.readTree(new String(hb.array(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw bad(file, "header is not valid JSON: " + e.getMessage());
      }
      long dataStart = 8 + headerLen;
      ByteBuffer data = ch.map(FileChannel.MapMode.READ_ONLY, dataStart, size - dataStart).order(ByteOrder.LITTLE_ENDIAN);
      Map<String, Tensor> tensors = new LinkedHashMap<>();
      Map<String, String> metadata = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getKey().equals("__metadata__")) {
          e.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
          continue;
        }
        JsonNode n = e.getValue();
        JsonNode off = n.get("data_offsets");
        JsonNode shapeNode = n.get("shape");
        if (n.get("dtype") == null || off == null || off.size() != 2 || shapeNode == null) {
          throw bad(file, "tensor '" + e.getKey() + "' lacks dtype, shape or data_offsets");
        }
        long begin = off.get(0).asLong();
        long end = off.get(1).asLong();
        if (begin < 0 || end < begin || end > data.capacity()) {
          throw bad(file, "tensor '" + e.getKey() + "' has data_offsets [" + begin + ", " + end + "] outside the "
              + data.capacity() + " data bytes");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
          shape[i] = shapeNode.get(i).asLong();
        }
        ByteBuffer slice = data.duplicate().position((int) begin).limit((int) end).slice().order(ByteOrder.LITTLE_ENDIAN);
        try {
          tensors.put(e.getKey(), new Tensor(n.get("dtype").asText(), shape, slice));
        } catch (IllegalArgumentException ex) {
          throw bad(file, "tensor '" + e.getKey() + "': " + ex.getMessage());
        }
      }
      return new Contents(tensors, metadata);
    }
  }

  private static BadInputException bad(Path file, String what) {
    return new BadInputException(file + ": not a valid safetensors file: " + what);
  }

  /** Helper for callers holding float arrays. */
  public static Tensor f32(float[] values, long... shape) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return new Tensor("F32", shape, b);
  }

  /** Names in a file, for error messages. */
  public static List<String> names(Contents c) {
    return List.copyOf(c.tensors().keySet());
  }
}
