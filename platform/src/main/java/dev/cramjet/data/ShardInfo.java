package dev.cramjet.data;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * One shard file as the manifest lists it: its name (relative to the prepared folder), its row count and the
 * CRC32C of its payload, written as 8 hex digits.
 */
public record ShardInfo(
    @JsonProperty("file") String file, @JsonProperty("rows") long rows, @JsonProperty("crc32c") String crc32c) {
  public ShardInfo {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(crc32c, "crc32c");
    if (rows < 0) throw new IllegalArgumentException("rows must be >= 0");
  }

  static String hex(int crc) {
    return String.format("%08x", crc);
  }
}
