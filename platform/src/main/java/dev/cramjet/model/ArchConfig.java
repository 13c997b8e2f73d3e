package dev.cramjet.model;

/**
 * Every architectural choice of the crammed BERT and its ablations, one field each. Presets in {@code
 * configs/arch/*.conf} fill all fields; {@code crammed-bert} is the paper's final recipe.
 *
 * @param vocabSize word-piece vocabulary size (rows of the word embedding and of the tied decoder)
 * @param hidden width of the residual stream
 * @param layers number of encoder layers
 * @param heads attention heads; {@code hidden / heads} is the head size
 * @param intermediate output width of the first feed-forward Linear; with a GLU it is split in two halves, so the
 *     second Linear reads {@code intermediate / 2}
 * @param maxSeqLen longest row the position table covers
 * @param norm pre-norm ({@code x + f(LN(x))}) or post-norm ({@code LN(x + f(x))})
 * @param normEps LayerNorm epsilon (1e-12 in the reference config; the paper text says 1e-6)
 * @param embeddingNorm LayerNorm after the embedding sum
 * @param finalNorm LayerNorm after the last layer (pre-norm only makes sense with it)
 * @param qkvBias bias on the fused QKV projection
 * @param linearBias bias on the attention output and feed-forward Linears
 * @param decoderBias bias on the MLM decoder
 * @param ffn gated (GLU) or plain GELU feed-forward
 * @param positions scaled sinusoidal (fixed table times one learned scalar) or learned position embeddings
 * @param tiedDecoder decoder weight is the word embedding
 * @param sparsePrediction decode only the masked positions (static count per batch)
 * @param headTransform BERT's MLM head transform (Linear, GELU, LayerNorm) before the decoder
 * @param dropout dropout rate used when dropout is on (fine-tuning, or pretraining when {@code pretrainDropout})
 * @param pretrainDropout whether dropout is on during pretraining (off in the crammed recipe)
 * @param initStd standard deviation of the normal init of Linear and Embedding weights
 */
public record ArchConfig(
    String name,
    int vocabSize,
    int hidden,
    int layers,
    int heads,
    int intermediate,
    int maxSeqLen,
    Norm norm,
    double normEps,
    boolean embeddingNorm,
    boolean finalNorm,
    boolean qkvBias,
    boolean linearBias,
    boolean decoderBias,
    FeedForward ffn,
    Positions positions,
    boolean tiedDecoder,
    boolean sparsePrediction,
    boolean headTransform,
    double dropout,
    boolean pretrainDropout,
    double initStd) {

  /** Where the LayerNorm sits relative to each residual branch. */
  public enum Norm {
    PRE,
    POST
  }

  /** Feed-forward flavour. */
  public enum FeedForward {
    GLU,
    GELU
  }

  /** Position encoding. */
  public enum Positions {
    SCALED_SINUSOIDAL,
    LEARNED
  }

  public ArchConfig {
    positive("vocab-size", vocabSize);
    positive("hidden", hidden);
    positive("layers", layers);
    positive("heads", heads);
    positive("intermediate", intermediate);
    positive("max-seq-len", maxSeqLen);
    if (hidden % heads != 0) {
      throw new IllegalArgumentException("heads (" + heads + ") must divide hidden (" + hidden + ")");
    }
    if (ffn == FeedForward.GLU && intermediate % 2 != 0) {
      throw new IllegalArgumentException("intermediate (" + intermediate + ") must be even for a GLU feed-forward");
    }
    if (!(normEps > 0 && normEps < 1)) {
      throw new IllegalArgumentException("norm-eps must be in (0, 1), got " + normEps);
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
    }
    if (!(initStd > 0)) {
      throw new IllegalArgumentException("init-std must be > 0, got " + initStd);
    }
    if (vocabSize <= dev.cramjet.text.SpecialTokens.COUNT) {
      throw new IllegalArgumentException("vocab-size must exceed the " + dev.cramjet.text.SpecialTokens.COUNT + " special tokens");
    }
  }

  private static void positive(String key, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(key + " must be > 0, got " + value);
    }
  }

  /** Size of one attention head. */
  public int headSize() {
    return hidden / heads;
  }

  /** Input width of the second feed-forward Linear. */
  public int ffnInner() {
    return ffn == FeedForward.GLU ? intermediate / 2 : intermediate;
  }

  /** The same architecture with another vocabulary size (the tokenizer decides it). */
  public ArchConfig withVocabSize(int v) {
    return new ArchConfig(name, v, hidden, layers, heads, intermediate, maxSeqLen, norm, normEps, embeddingNorm,
        finalNorm, qkvBias, linearBias, decoderBias, ffn, positions, tiedDecoder, sparsePrediction, headTransform,
        dropout, pretrainDropout, initStd);
  }
}
