package dev.cramjet.text;

import java.util.Arrays;

/** A growable array of ints with no boxing; not thread-safe. */
final class IntList {
  int[] data;
  int size;

  IntList(int capacity) {
    data = new int[Math.max(4, capacity)];
  }

  void add(int v) {
    if (size == data.length) {
      data = Arrays.copyOf(data, size * 2);
    }
    data[size++] = v;
  }

  int[] toArray() {
    return Arrays.copyOf(data, size);
  }
}
