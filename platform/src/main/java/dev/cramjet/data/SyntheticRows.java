package dev.cramjet.data;

import dev.cramjet.text.SpecialTokens;
import java.util.SplittableRandom;

/**
 * A learnable stand-in for real text, so training can be tried and tested before any corpus exists. A fixed bank of
 * random "sentences" (token sequences, each ending in [SEP]) is drawn once from the seed; row {@code i} is a
 * concatenation of sentences picked by a hash of {@code i}, cut to the row length. A masked token can be inferred
 * from the rest of its sentence, so the MLM loss can fall far below that of uniform guessing; with a bank of one
 * sentence the stream is periodic and the loss can reach zero.
 */
public final class SyntheticRows implements RowSource {
  private final int seqLen;
  private final int vocabSize;
  private final int[][] bank;
  private final long seed;

  /**
   * @param sentences size of the sentence bank
   * @param sentenceLen tokens per sentence, including its closing [SEP]
   */
  public SyntheticRows(int seqLen, int vocabSize, int sentences, int sentenceLen, long seed) {
    if (vocabSize <= SpecialTokens.COUNT + 1 || sentences < 1 || sentenceLen < 2 || seqLen < 1) {
      throw new IllegalArgumentException("bad synthetic stream shape");
    }
    this.seqLen = seqLen;
    this.vocabSize = vocabSize;
    this.seed = seed;
    SplittableRandom rng = new SplittableRandom(seed);
    bank = new int[sentences][sentenceLen];
    for (int[] s : bank) {
      for (int j = 0; j < sentenceLen - 1; j++) {
        s[j] = SpecialTokens.COUNT + rng.nextInt(vocabSize - SpecialTokens.COUNT);
      }
      s[sentenceLen - 1] = SpecialTokens.SEP_ID;
    }
  }

  /** The default stream of {@code bin/cramjet pretrain} without shards: 512 sentences of 16 tokens. */
  public static SyntheticRows standard(int seqLen, int vocabSize, long seed) {
    return new SyntheticRows(seqLen, vocabSize, 512, 16, seed);
  }

  @Override
  public int seqLen() {
    return seqLen;
  }

  /** Effectively endless: 2^40 rows, all distinct in their sentence order. */
  @Override
  public long rows() {
    return 1L << 40;
  }

  @Override
  public int vocabSize() {
    return vocabSize;
  }

  @Override
  public void read(long index, int[] dst) {
    SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
    int filled = 0;
    while (filled < seqLen) {
      int[] s = bank[rng.nextInt(bank.length)];
      int n = Math.min(s.length, seqLen - filled);
      System.arraycopy(s, 0, dst, filled, n);
      filled += n;
    }
  }
}
