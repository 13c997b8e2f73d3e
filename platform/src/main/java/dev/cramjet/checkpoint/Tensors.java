package dev.cramjet.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.cramjet.checkpoint.SafeTensors.Tensor;
import dev.cramjet.util.BadInputException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;

/** Copies between named NDArrays and host tensors, with the checks a resume or an export needs. */
public final class Tensors {
  private Tensors() {}

  /** Host copies (little-endian) of {@code arrays}, in order; the arrays stay untouched and usable. */
  public static Map<String, Tensor> toHost(Map<String, NDArray> arrays) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
      out.put(e.getKey(), toHost(e.getValue()));
    }
    return out;
  }

  public static Tensor toHost(NDArray a) {
    String dtype = switch (a.getDataType()) {
      case FLOAT32 -> "F32";
      case FLOAT64 -> "F64";
      case INT64 -> "I64";
      case INT32 -> "I32";
      default -> throw new IllegalArgumentException("cannot store " + a.getDataType());
    };
    ByteBuffer src = a.toByteBuffer().order(ByteOrder.nativeOrder());
    ByteBuffer copy = ByteBuffer.allocate(src.remaining()).order(ByteOrder.LITTLE_ENDIAN);
    if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
      copy.put(src);
    } else {
      throw new UnsupportedOperationException("big-endian hosts are not supported");
    }
    return new Tensor(dtype, a.getShape().getShape(), copy.flip());
  }

  /**
   * Copies {@code from} into the same-named arrays of {@code into}, in place. Every name of {@code into} must be
   * present with the same shape; anything else is reported, naming {@code what} (e.g. the checkpoint folder) and the
   * first offending tensor. Nothing is copied unless everything matches.
   */
  public static void copyInto(Map<String, NDArray> into, Map<String, Tensor> from, String what) {
    for (Map.Entry<String, NDArray> e : into.entrySet()) {
      Tensor t = from.get(e.getKey());
      if (t == null) {
        throw new BadInputException(what + ": has no tensor '" + e.getKey() + "' (it holds " + from.size()
            + " tensors; is it from another architecture?)");
      }
      long[] want = e.getValue().getShape().getShape();
      if (!java.util.Arrays.equals(want, t.shape())) {
        throw new BadInputException(what + ": tensor '" + e.getKey() + "' has shape " + java.util.Arrays.toString(t.shape())
            + " but the model needs " + java.util.Arrays.toString(want) + " (another architecture?)");
      }
      if (!t.dtype().equals(dtypeOf(e.getValue().getDataType()))) {
        throw new BadInputException(what + ": tensor '" + e.getKey() + "' is " + t.dtype() + ", expected "
            + dtypeOf(e.getValue().getDataType()));
      }
    }
    for (String name : from.keySet()) {
      if (!into.containsKey(name)) {
        throw new BadInputException(what + ": has tensor '" + name + "' that the model lacks (another architecture?)");
      }
    }
    for (Map.Entry<String, NDArray> e : into.entrySet()) {
      // NDArray.set(direct buffer) makes the tensor borrow that memory instead of copying it; a memory-mapped,
      // read-only checkpoint would then crash the first in-place update. A heap buffer makes DJL copy into memory
      // the array owns.
      ByteBuffer src = from.get(e.getKey()).data().duplicate();
      ByteBuffer heap = ByteBuffer.allocate(src.remaining()).order(ByteOrder.nativeOrder());
      heap.put(src).flip();
      e.getValue().set(heap);
    }
  }

  private static String dtypeOf(DataType d) {
    return switch (d) {
      case FLOAT32 -> "F32";
      case FLOAT64 -> "F64";
      case INT64 -> "I64";
      case INT32 -> "I32";
      default -> d.toString();
    };
  }
}
