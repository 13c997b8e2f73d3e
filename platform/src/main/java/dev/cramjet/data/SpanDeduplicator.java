package dev.cramjet.data;

/**
 * The optional repeated-span pass: drops stretches of a document's tokens that already appeared in an earlier
 * document. Every window of {@code window} tokens is hashed; a window whose hash was stored before is dropped. To keep
 * memory bounded only windows starting at multiples of {@code window / 2} are stored, so any repeat of at least
 * {@code window + window / 2 - 1} tokens is caught, and shorter ones may be. What is dropped is the union of the
 * matching windows, so up to {@code window / 2 - 1} tokens at each end of a repeat may survive. Repeats inside one
 * document are not looked for. Not thread-safe; feed documents in corpus order.
 */
final class SpanDeduplicator {
  private static final long BASE = 0x9E3779B97F4A7C15L;

  private final int window;
  private final int stride;
  private final LongHashSet seen;
  private final long basePow; // BASE^(window-1)
  private long droppedTokens;

  SpanDeduplicator(int window, int maxEntries) {
    this.window = window;
    this.stride = Math.max(1, window / 2);
    this.seen = new LongHashSet(maxEntries);
    long p = 1;
    for (int i = 1; i < window; i++) p *= BASE;
    this.basePow = p;
  }

  long droppedTokens() {
    return droppedTokens;
  }

  boolean saturated() {
    return seen.saturated();
  }

  /** The tokens of {@code doc} not covered by a repeated window; the same array when nothing is dropped. */
  int[] filter(int[] doc) {
    int n = doc.length - window + 1;
    if (n <= 0) return doc;
    long[] hashes = new long[n];
    long h = 0;
    for (int i = 0; i < window; i++) h = h * BASE + doc[i] + 1;
    hashes[0] = h;
    for (int i = 1; i < n; i++) {
      h = (h - (doc[i - 1] + 1L) * basePow) * BASE + doc[i + window - 1] + 1;
      hashes[i] = h;
    }
    boolean[] drop = null;
    int dropUntil = -1;
    for (int i = 0; i < n; i++) {
      if (seen.contains(TextHash.fmix(hashes[i]))) {
        if (drop == null) drop = new boolean[doc.length];
        for (int k = Math.max(i, dropUntil); k < i + window; k++) drop[k] = true;
        dropUntil = i + window;
      }
    }
    for (int i = 0; i < n; i += stride) seen.add(TextHash.fmix(hashes[i]));
    if (drop == null) return doc;
    int kept = 0;
    for (boolean d : drop) if (!d) kept++;
    int[] out = new int[kept];
    int j = 0;
    for (int i = 0; i < doc.length; i++) if (!drop[i]) out[j++] = doc[i];
    droppedTokens += doc.length - kept;
    return out;
  }
}
