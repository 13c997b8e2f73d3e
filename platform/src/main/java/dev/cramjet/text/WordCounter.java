package dev.cramjet.text;

import java.util.Arrays;

/**
 * Counts of distinct words, in an open-addressing table keyed on chars so counting a word already seen allocates
 * nothing. Its size is bounded: {@link #pruneTo} drops the rarest words (all those at or below a count threshold),
 * so a corpus larger than memory can be counted; words rarer than the threshold then go uncounted, which changes
 * only the rare tail the trainer would barely use. Not thread-safe; counters are merged instead.
 */
final class WordCounter {
  private String[] keys;
  private int[] hashes;
  private long[] counts;
  private int size;
  private int mask;

  WordCounter() {
    allocate(1 << 12);
  }

  private void allocate(int capacity) {
    keys = new String[capacity];
    hashes = new int[capacity];
    counts = new long[capacity];
    mask = capacity - 1;
    size = 0;
  }

  int size() {
    return size;
  }

  void add(char[] buf, int start, int len, long n) {
    int h = Vocabulary.hash(buf, start, len);
    int slot = spread(h) & mask;
    String k;
    while ((k = keys[slot]) != null) {
      if (hashes[slot] == h && k.length() == len && sameChars(k, buf, start, len)) {
        counts[slot] += n;
        return;
      }
      slot = (slot + 1) & mask;
    }
    insert(slot, new String(buf, start, len), h, n);
  }

  void add(String key, long n) {
    int h = key.hashCode(); // String.hashCode is the same polynomial as Vocabulary.hash
    int slot = spread(h) & mask;
    String k;
    while ((k = keys[slot]) != null) {
      if (hashes[slot] == h && k.equals(key)) {
        counts[slot] += n;
        return;
      }
      slot = (slot + 1) & mask;
    }
    insert(slot, key, h, n);
  }

  /** Adds every count of {@code other} to this one. */
  void addAll(WordCounter other) {
    for (int i = 0; i < other.keys.length; i++) {
      if (other.keys[i] != null) {
        add(other.keys[i], other.counts[i]);
      }
    }
  }

  private void insert(int slot, String key, int h, long n) {
    keys[slot] = key;
    hashes[slot] = h;
    counts[slot] = n;
    size++;
    if (size * 2 > keys.length) {
      rehash(keys.length * 2, 0);
    }
  }

  /**
   * Drops the words with the lowest counts until at most {@code target} remain: everything at or below the
   * smallest threshold that achieves it. Deterministic: it depends only on the counts.
   */
  void pruneTo(int target) {
    if (size <= target) {
      return;
    }
    long[] live = new long[size];
    int j = 0;
    for (int i = 0; i < keys.length; i++) {
      if (keys[i] != null) {
        live[j++] = counts[i];
      }
    }
    Arrays.sort(live);
    long threshold = live[size - target - 1];
    int capacity = keys.length;
    rehash(capacity, threshold);
  }

  private void rehash(int capacity, long dropAtOrBelow) {
    String[] oldKeys = keys;
    int[] oldHashes = hashes;
    long[] oldCounts = counts;
    allocate(capacity);
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != null && oldCounts[i] > dropAtOrBelow) {
        int slot = spread(oldHashes[i]) & mask;
        while (keys[slot] != null) {
          slot = (slot + 1) & mask;
        }
        keys[slot] = oldKeys[i];
        hashes[slot] = oldHashes[i];
        counts[slot] = oldCounts[i];
        size++;
      }
    }
  }

  /** Words and counts, sorted by word so the result does not depend on insertion order. */
  String[] sortedWords() {
    String[] out = new String[size];
    int j = 0;
    for (String k : keys) {
      if (k != null) {
        out[j++] = k;
      }
    }
    Arrays.sort(out);
    return out;
  }

  long count(String key) {
    int h = key.hashCode();
    int slot = spread(h) & mask;
    String k;
    while ((k = keys[slot]) != null) {
      if (hashes[slot] == h && k.equals(key)) {
        return counts[slot];
      }
      slot = (slot + 1) & mask;
    }
    return 0;
  }

  private static boolean sameChars(String k, char[] buf, int start, int len) {
    for (int i = 0; i < len; i++) {
      if (k.charAt(i) != buf[start + i]) {
        return false;
      }
    }
    return true;
  }

  private static int spread(int h) {
    int x = h * 0x9E3779B1;
    return x ^ (x >>> 15);
  }
}
