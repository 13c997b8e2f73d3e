package dev.cramjet.data;

/**
 * A set of 64-bit hashes in one open-addressing table with a hard size limit, so deduplication memory stays bounded
 * whatever the corpus: once {@code maxEntries} are held, {@link #add} stops remembering new hashes (it still finds
 * the ones held) and {@link #saturated()} turns true. Not thread-safe.
 */
final class LongHashSet {
  private long[] table;
  private int size;
  private final int maxEntries;
  private boolean saturated;
  private boolean hasZero;

  LongHashSet(int maxEntries) {
    this.maxEntries = maxEntries;
    this.table = new long[1024];
  }

  /** Whether the limit was hit, so later duplicates of unremembered hashes were missed. */
  boolean saturated() {
    return saturated;
  }

  int size() {
    return size;
  }

  boolean contains(long h) {
    if (h == 0) return hasZero;
    int mask = table.length - 1;
    for (int i = (int) mix(h) & mask; ; i = (i + 1) & mask) {
      long v = table[i];
      if (v == h) return true;
      if (v == 0) return false;
    }
  }

  /** Adds {@code h}; true when it was not in the set before. */
  boolean add(long h) {
    if (h == 0) {
      boolean was = hasZero;
      hasZero = true;
      return !was;
    }
    if (contains(h)) return false;
    if (size >= maxEntries) {
      saturated = true;
      return true;
    }
    if ((size + 1) * 4L > table.length * 3L) grow();
    insert(table, h);
    size++;
    return true;
  }

  private static void insert(long[] t, long h) {
    int mask = t.length - 1;
    int i = (int) mix(h) & mask;
    while (t[i] != 0) i = (i + 1) & mask;
    t[i] = h;
  }

  private void grow() {
    long[] bigger = new long[table.length * 2];
    for (long v : table) if (v != 0) insert(bigger, v);
    table = bigger;
  }

  private static long mix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return h;
  }
}
