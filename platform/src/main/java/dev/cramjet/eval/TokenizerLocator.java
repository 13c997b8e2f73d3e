package dev.cramjet.eval;

import dev.cramjet.util.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the tokenizer folder that belongs to a checkpoint when the user names none: the first folder holding a
 * {@code vocab.txt}, looking in the checkpoint folder, then in each of up to three folders above it (the checkpoints
 * folder, the run folder, the folder of runs), and in a {@code tokenizer/} folder beside each. It does not check that
 * the vocabulary is the one the model was trained with beyond its size (the caller compares that).
 */
public final class TokenizerLocator {
  private TokenizerLocator() {}

  public static Path locate(Path checkpoint, Path given) {
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
    throw new BadInputException("no tokenizer found for " + checkpoint + " (looked for vocab.txt in " + tried
        + "); pass --tokenizer DIR");
  }
}
