package dev.cramjet.eval;

import dev.cramjet.util.BadInputException;
import dev.cramjet.util.Hashing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds the tokenizer folder that belongs to a checkpoint when the user names none. First beside the checkpoint: the
 * first folder holding a {@code vocab.txt}, looking in the checkpoint folder, then in each of up to three folders above
 * it (the checkpoints folder, the run folder, the folder of runs), and in a {@code tokenizer/} folder beside each.
 * Then, when the checkpoint records its vocabulary hash, in the tokenizer cache the demo uses ({@code
 * $CRAMJET_HOME/tokenizers/*}, else {@code ~/.cache/cramjet/tokenizers/*}): the folder whose {@code vocab.txt} has
 * that SHA-256. A nearby vocabulary is not checked against the hash here ({@link TokenizerMatch} does).
 */
public final class TokenizerLocator {
  private TokenizerLocator() {}

  /** As {@link #locate(Path, Path, String)} with no recorded hash. */
  public static Path locate(Path checkpoint, Path given) {
    return locate(checkpoint, given, null);
  }

  /**
   * @param given the user's --tokenizer, or null
   * @param vocabHash the SHA-256 of vocab.txt that the checkpoint records, or null / "none"
   */
  public static Path locate(Path checkpoint, Path given, String vocabHash) {
    if (given != null) {
      if (!Files.isRegularFile(given.resolve("vocab.txt"))) {
        throw new BadInputException("--tokenizer " + given + ": no vocab.txt there");
      }
      return given;
    }
    List<Path> tried = new ArrayList<>();
    Path dir = checkpoint.toAbsolutePath().normalize();
    for (int up = 0; up <= 3 && dir != null; up++, dir = dir.getParent()) {
      for (Path candidate : List.of(dir, dir.resolve("tokenizer"))) {
        tried.add(candidate);
        if (Files.isRegularFile(candidate.resolve("vocab.txt"))) {
          return candidate;
        }
      }
    }
    if (vocabHash != null && !vocabHash.isBlank() && !vocabHash.equals("none")) {
      Path cache = cacheHome().resolve("tokenizers");
      tried.add(cache);
      Path match = byHash(cache, vocabHash);
      if (match != null) {
        return match;
      }
    }
    throw new BadInputException("no tokenizer found for " + checkpoint + " (looked for vocab.txt in " + tried
        + (vocabHash == null ? "" : " with hash " + vocabHash) + "); pass --tokenizer DIR");
  }

  /** The demo's cache folder: $CRAMJET_HOME, else ~/.cache/cramjet. */
  static Path cacheHome() {
    String env = System.getenv("CRAMJET_HOME");
    return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "cramjet");
  }

  /** The sub-folder of {@code root} whose vocab.txt hashes to {@code hash}, or null. */
  static Path byHash(Path root, String hash) {
    if (!Files.isDirectory(root)) {
      return null;
    }
    try (Stream<Path> s = Files.list(root)) {
      for (Path d : s.sorted().toList()) {
        Path vocab = d.resolve("vocab.txt");
        if (Files.isRegularFile(vocab) && Hashing.sha256(vocab).equals(hash)) {
          return d;
        }
      }
    } catch (IOException e) {
      return null; // an unreadable cache is the same as none: the caller reports what it tried
    }
    return null;
  }
}
