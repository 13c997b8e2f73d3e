package dev.cramjet.data;

import java.io.Closeable;

/**
 * An ordering applied to a stream of rows larger than memory: rows go in through {@link #accept}, then {@link
 * #drainTo} hands them all on in the new order. Implementations spill to temporary files and keep only bounded
 * buffers in memory.
 */
interface RowOrder extends RowSink, Closeable {
  void drainTo(RowSink out);

  @Override
  void close();
}
