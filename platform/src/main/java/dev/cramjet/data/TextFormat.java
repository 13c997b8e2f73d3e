package dev.cramjet.data;

import java.nio.file.Path;

/**
 * How a corpus file is laid out and compressed, read from its name: {@code .jsonl} (also {@code .json}) is JSON
 * lines with a {@code text} field, anything else plain text; a trailing {@code .gz} or {@code .zst} names the
 * compression.
 */
public record TextFormat(boolean jsonLines, Compression compression) {
  /** Stream compression of a corpus file. */
  public enum Compression {
    NONE,
    GZIP,
    ZSTD
  }

  public static TextFormat of(Path file) {
    String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    Compression c = Compression.NONE;
    if (name.endsWith(".gz")) {
      c = Compression.GZIP;
      name = name.substring(0, name.length() - 3);
    } else if (name.endsWith(".zst")) {
      c = Compression.ZSTD;
      name = name.substring(0, name.length() - 4);
    }
    return new TextFormat(name.endsWith(".jsonl") || name.endsWith(".json"), c);
  }

  /** Whether a file found inside a folder is read: {@code .txt} or {@code .jsonl}, optionally compressed. */
  static boolean recognised(Path file) {
    String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    name = name.replaceFirst("\\.(gz|zst)$", "");
    return name.endsWith(".txt") || name.endsWith(".jsonl");
  }
}
