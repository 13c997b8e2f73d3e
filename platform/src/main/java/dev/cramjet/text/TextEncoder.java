package dev.cramjet.text;

/**
 * Turns raw text into token ids. The data pipeline depends only on this; the WordPiece tokenizer implements it.
 * Implementations are thread-safe: preparation encodes documents on several threads at once.
 */
public interface TextEncoder {
  /** Ids of {@code text}, with no special tokens added. */
  int[] encode(String text);

  /** Number of ids; every id returned by {@link #encode} is below it. */
  int vocabSize();

  /** Id of {@code token} in the vocabulary, or -1 when absent. */
  int idOf(String token);
}
