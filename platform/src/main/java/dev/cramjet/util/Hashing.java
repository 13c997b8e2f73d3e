package dev.cramjet.util;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of strings and files, as lower-case hex; used for provenance and file checksums. */
public final class Hashing {
  private Hashing() {}

  /** FNV-1a's 64-bit offset basis: the start value of {@link #fnv1a}. */
  public static final long FNV_OFFSET = 0xcbf29ce484222325L;

  /** One FNV-1a step (64-bit): mixes {@code value} into {@code hash}. Fast, not cryptographic. */
  public static long fnv1a(long hash, long value) {
    return (hash ^ value) * 0x100000001b3L;
  }

  public static String sha256(String text) {
    return HexFormat.of().formatHex(digest().digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  /** SHA-256 of a file's bytes; an unreadable file is an {@link UncheckedIOException} naming it. */
  public static String sha256(Path file) {
    MessageDigest md = digest();
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
