package dev.cramjet.data;

/** Receives fixed-length rows. The array may be reused by the caller after the call returns. */
public interface RowSink {
  void accept(int[] row);
}
