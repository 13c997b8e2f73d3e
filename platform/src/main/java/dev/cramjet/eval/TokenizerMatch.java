package dev.cramjet.eval;

import dev.cramjet.checkpoint.CheckpointState;
import dev.cramjet.text.WordPieceTokenizer;
import dev.cramjet.util.BadInputException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Whether a tokenizer belongs to a checkpoint. When the checkpoint records the SHA-256 of its training vocabulary, the
 * tokenizer's {@code vocab.txt} must have that hash; when it does not (synthetic data records "none", shards without a
 * manifest "unknown"), the tokenizer must have the recorded vocabulary size. A mismatch is refused with both values
 * and both files named, unless the caller forces it (then it is only a warning).
 */
public final class TokenizerMatch {
  private TokenizerMatch() {}

  /** Why {@code tokenizer} (read from {@code tokenizerDir}) does not fit the checkpoint, or null when it does. */
  public static String mismatch(CheckpointState state, Path checkpoint, WordPieceTokenizer tokenizer,
      Path tokenizerDir) {
    Path vocab = tokenizerDir.resolve(WordPieceTokenizer.VOCAB_FILE);
    Path stateFile = checkpoint.resolve("state.json");
    if (state.vocabHashKnown()) {
      if (state.vocabHash().equals(tokenizer.vocabHash())) {
        return null;
      }
      return "the tokenizer does not match the checkpoint: " + vocab + " has vocabulary hash " + tokenizer.vocabHash()
          + " (" + tokenizer.vocabSize() + " tokens) but " + stateFile + " records " + state.vocabHash() + " ("
          + state.vocabularySize() + " tokens)";
    }
    if (state.vocabularySize() == tokenizer.vocabSize()) {
      return null;
    }
    return "the tokenizer does not match the checkpoint: " + vocab + " has " + tokenizer.vocabSize() + " tokens but "
        + stateFile + " records a vocabulary of " + state.vocabularySize() + " (vocabulary hash "
        + state.vocabHash() + ", so only the size can be compared)";
  }

  /**
   * Refuses a mismatch with a {@link BadInputException} that says how to go on; with {@code force}, passes the message
   * to {@code warn} instead.
   */
  public static void check(CheckpointState state, Path checkpoint, WordPieceTokenizer tokenizer, Path tokenizerDir,
      boolean force, Consumer<String> warn) {
    String m = mismatch(state, checkpoint, tokenizer, tokenizerDir);
    if (m == null) {
      return;
    }
    if (!force) {
      throw new BadInputException(m + "; pass the run's tokenizer with --tokenizer DIR, or --force to use this one "
          + "anyway");
    }
    warn.accept("warning: " + m + " (--force: going on)");
  }
}
