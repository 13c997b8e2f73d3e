package dev.cramjet.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The hashes the data pipeline records or compares: SHA-256 for provenance, a fast 64-bit hash for dedup. */
public final class Hashing {
  private Hashing() {}

  /** SHA-256 of a file, lower-case hex. */
  public static String sha256(Path file) {
    MessageDigest md = sha256();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /** SHA-256 of a string's UTF-8 bytes, lower-case hex. */
  public static String sha256(String text) {
    return HexFormat.of().formatHex(sha256().digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * 64-bit hash of a document after normalisation: leading and trailing whitespace dropped and every run of
   * whitespace read as one space, so re-wrapped copies of a text collide.
   */
  static long normalizedTextHash(String text) {
    long h = 0xcbf29ce484222325L;
    boolean pendingSpace = false;
    boolean started = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c)) {
        pendingSpace = started;
        continue;
      }
      if (pendingSpace) {
        h = (h ^ ' ') * 0x100000001b3L;
        pendingSpace = false;
      }
      started = true;
      h = (h ^ c) * 0x100000001b3L;
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
