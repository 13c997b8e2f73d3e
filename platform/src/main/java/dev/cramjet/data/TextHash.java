package dev.cramjet.data;


/** Fast 64-bit hashes for deduplication (provenance hashes are SHA-256, in {@link dev.cramjet.util.Hashing}). */
final class TextHash {
  private TextHash() {}

  /**
   * 64-bit hash of a document after normalisation: leading and trailing whitespace dropped and every run of
   * whitespace read as one space, so re-wrapped copies of a text collide.
   */
  static long normalizedTextHash(String text) {
    long h = dev.cramjet.util.Hashing.FNV_OFFSET;
    boolean pendingSpace = false;
    boolean started = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c)) {
        pendingSpace = started;
        continue;
      }
      if (pendingSpace) {
        h = dev.cramjet.util.Hashing.fnv1a(h, ' ');
        pendingSpace = false;
      }
      started = true;
      h = dev.cramjet.util.Hashing.fnv1a(h, c);
    }
    return fmix(h);
  }

  static long fmix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }
}
