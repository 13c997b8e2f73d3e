package dev.cramjet.eval;

import dev.cramjet.text.SpecialTokens;
import dev.cramjet.text.TextEncoder;
import java.util.Arrays;

/**
 * Builds fine-tuning inputs: {@code [CLS] A [SEP]} or {@code [CLS] A [SEP] B [SEP]}, at most {@code maxLen} ids. When
 * too long, one token at a time is cut from the end of the longer text (Hugging Face's "longest first"), so a short
 * second sentence survives a long first one. Padding happens per batch, in {@link Batch}.
 */
public final class PairEncoder {
  private final TextEncoder tokenizer;
  private final int maxLen;

  public PairEncoder(TextEncoder tokenizer, int maxLen) {
    if (maxLen < 4) {
      throw new IllegalArgumentException("maxLen must be >= 4, got " + maxLen);
    }
    this.tokenizer = tokenizer;
    this.maxLen = maxLen;
  }

  public int[] encode(Example e) {
    return encode(tokenizer.encode(e.first()), e.second() == null ? null : tokenizer.encode(e.second()));
  }

  /** The ids for already tokenized texts ({@code b} null for a single text). */
  public int[] encode(int[] a, int[] b) {
    int specials = b == null ? 2 : 3;
    int la = a.length;
    int lb = b == null ? 0 : b.length;
    while (la + lb > maxLen - specials) {
      if (la >= lb) {
        la--;
      } else {
        lb--;
      }
    }
    int[] out = new int[la + lb + specials];
    out[0] = SpecialTokens.CLS_ID;
    System.arraycopy(a, 0, out, 1, la);
    out[la + 1] = SpecialTokens.SEP_ID;
    if (b != null) {
      System.arraycopy(b, 0, out, la + 2, lb);
      out[out.length - 1] = SpecialTokens.SEP_ID;
    }
    return out;
  }

  /**
   * Rows padded with [PAD] to the longest in the batch.
   *
   * @param ids (B * T) row-major
   * @param mask (B * T) 1 for tokens, 0 for padding
   */
  public record Batch(int rows, int seqLen, long[] ids, long[] mask) {
    public static Batch of(int[][] rows) {
      int t = Arrays.stream(rows).mapToInt(r -> r.length).max().orElse(1);
      long[] ids = new long[rows.length * t];
      long[] mask = new long[rows.length * t];
      for (int i = 0; i < rows.length; i++) {
        for (int j = 0; j < rows[i].length; j++) {
          ids[i * t + j] = rows[i][j];
          mask[i * t + j] = 1;
        }
        // the rest stays 0: [PAD] is id 0, and the mask is 0 there
      }
      return new Batch(rows.length, t, ids, mask);
    }
  }
}
