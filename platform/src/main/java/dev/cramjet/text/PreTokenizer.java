package dev.cramjet.text;

import java.util.ArrayList;
import java.util.List;

/**
 * Normalises and splits raw text in one pass, without a String per word: whitespace separates words, every
 * punctuation character is a piece of its own, and the special tokens ({@code [PAD]}, {@code [UNK]}, {@code [CLS]},
 * {@code [SEP]}, {@code [MASK]}) written literally in the raw text are recognised before normalisation, as Hugging
 * Face does for its added tokens.
 *
 * <p>Punctuation is Hugging Face's {@code BertPreTokenizer} definition: ASCII 33-47, 58-64, 91-96, 123-126 plus the
 * Unicode P categories; after {@link TextNormalizer} only ASCII is left, so the ASCII ranges are all that matter.
 * Whitespace is tab, line feed, vertical tab, form feed, carriage return and space (non-ASCII whitespace has become
 * a space); other control characters were dropped by the normaliser, so they join the letters around them.
 *
 * <p>It does not look anything up in a vocabulary; {@link WordPieceTokenizer} and {@link WordPieceTrainer} consume
 * the pieces through a {@link PieceSink}.
 */
public final class PreTokenizer {
  /** Receives the pieces of one text in order. */
  public interface PieceSink {
    /**
     * A word or one punctuation character: normalised chars {@code buf[start, start + len)}, len &ge; 1. The array
     * is reused once this returns.
     */
    void piece(char[] buf, int start, int len);

    /** A special token written literally in the raw text: its id in {@link SpecialTokens}. */
    void special(int id);
  }

  private static final byte DROP = 0;
  private static final byte WORD = 1;
  private static final byte PUNCT = 2;
  private static final byte SPACE = 3;

  private static final byte[] KIND = new byte[128];
  private static final char[] LOWER = new char[128];

  /** Each ASCII char at its own index, so a punctuation piece is {@code (CHARS, c, 1)}. */
  private static final char[] CHARS = new char[128];

  static {
    for (char c = 0; c < 128; c++) {
      CHARS[c] = c;
      String m = TextNormalizer.map(c);
      if (m.isEmpty()) {
        KIND[c] = DROP;
      } else if (m.charAt(0) == ' ') {
        KIND[c] = SPACE;
      } else if (isPunctuation(c)) {
        KIND[c] = PUNCT;
      } else {
        KIND[c] = WORD;
        LOWER[c] = m.charAt(0);
      }
    }
  }

  private PreTokenizer() {}

  /** True for the ASCII punctuation of BERT's pre-tokenizer: 33-47, 58-64, 91-96 and 123-126. */
  public static boolean isPunctuation(char c) {
    return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
  }

  /** Feeds the pieces of {@code text} to {@code sink}, in order. */
  public static void scan(String text, PieceSink sink) {
    new Scan(sink).run(text);
  }

  /** The pieces of {@code text} as strings (special tokens as written); for tests and inspection, not for speed. */
  public static List<String> split(String text) {
    List<String> out = new ArrayList<>();
    scan(
        text,
        new PieceSink() {
          @Override
          public void piece(char[] buf, int start, int len) {
            out.add(new String(buf, start, len));
          }

          @Override
          public void special(int id) {
            out.add(SpecialTokens.ALL[id]);
          }
        });
    return out;
  }

  /** Id of the special token starting at {@code text[i]} (which is '['), or -1. */
  private static int specialAt(String text, int i) {
    for (int id = 0; id < SpecialTokens.COUNT; id++) {
      if (text.startsWith(SpecialTokens.ALL[id], i)) {
        return id;
      }
    }
    return -1;
  }

  /** The state of one pass: the word being built. */
  private static final class Scan {
    private final PieceSink sink;
    private char[] word = new char[32];
    private int len;

    Scan(PieceSink sink) {
      this.sink = sink;
    }

    void run(String text) {
      int n = text.length();
      for (int i = 0; i < n; i++) {
        char c = text.charAt(i);
        if (c < 128) {
          if (c == '[') {
            int id = specialAt(text, i);
            if (id >= 0) {
              flush();
              sink.special(id);
              i += SpecialTokens.ALL[id].length() - 1;
              continue;
            }
          }
          feed(c);
        } else {
          String m = TextNormalizer.map(c);
          for (int j = 0; j < m.length(); j++) {
            feed(m.charAt(j));
          }
        }
      }
      flush();
    }

    private void feed(char c) {
      switch (KIND[c]) {
        case WORD:
          if (len == word.length) {
            word = java.util.Arrays.copyOf(word, len * 2);
          }
          word[len++] = LOWER[c];
          break;
        case PUNCT:
          flush();
          sink.piece(CHARS, c, 1);
          break;
        case SPACE:
          flush();
          break;
        default:
          break;
      }
    }

    private void flush() {
      if (len > 0) {
        sink.piece(word, 0, len);
        len = 0;
      }
    }
  }
}
