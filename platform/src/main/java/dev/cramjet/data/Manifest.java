package dev.cramjet.data;

import dev.cramjet.util.AtomicFiles;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.cramjet.util.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code manifest.json}, written beside the shards of a prepared folder: where the text came from, what happened to
 * every document, the totals (with the invalid UTF-8 sequences replaced and the control bytes stripped), the hashes that identify tokenizer and config, and the shards in reading order. JSON
 * field names are the snake_case forms of the component names.
 */
public record Manifest(
    String format,
    int formatVersion,
    int seqLen,
    int vocabSize,
    int tokenBytes,
    String order,
    List<SourceFile> sources,
    List<SkippedFile> skippedFiles,
    DocumentCounts documents,
    long rawBytes,
    long characters,
    long invalidUtf8Replaced,
    long controlBytesStripped,
    long tokens,
    long spanDuplicateTokens,
    long rows,
    long droppedRemainderTokens,
    String tokenizerHash,
    String configHash,
    Map<String, Object> config,
    List<ShardInfo> shards,
    double seconds) {

  public static final String FILE_NAME = "manifest.json";
  public static final String FORMAT = "cramjet-shards";

  public Manifest {
    sources = List.copyOf(sources);
    skippedFiles = List.copyOf(skippedFiles);
    shards = List.copyOf(shards);
    long shardRows = shards.stream().mapToLong(ShardInfo::rows).sum();
    if (shardRows != rows) {
      throw new IllegalArgumentException("shards hold " + shardRows + " rows, manifest says " + rows);
    }
  }

  /**
   * One input file that was read (possibly only in part, see {@code damage}); {@code controlBytesStripped} counts the
   * stray control bytes (NUL and the like) left out of its text.
   */
  public record SourceFile(
      String path, long bytes, long documents, long unreadable, String damage, long controlBytesStripped) {}

  /** One input file that was not read at all, and why (binary content, unknown extension in a folder). */
  public record SkippedFile(String path, String reason) {}

  static final ObjectMapper JSON =
      new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** Writes this manifest into {@code dir} atomically. */
  public void write(Path dir) {
    try {
      AtomicFiles.writeString(dir.resolve(FILE_NAME), JSON.writeValueAsString(this) + "\n");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Reads {@code dir/manifest.json}; a missing or malformed file is a {@link BadInputException}. */
  public static Manifest read(Path dir) {
    Path file = dir.resolve(FILE_NAME);
    try {
      return JSON.readValue(Files.readAllBytes(file), Manifest.class);
    } catch (NoSuchFileException e) {
      throw new BadInputException(
          "no " + FILE_NAME + " in " + dir + ": expected a folder written by `cramjet data prepare`");
    } catch (IOException | IllegalArgumentException e) {
      throw new BadInputException(file + ": not a valid shard manifest: " + e.getMessage(), e);
    }
  }
}
