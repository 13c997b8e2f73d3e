package dev.cramjet.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/**
 * Masked-LM prediction: optional BERT transform (Linear, GELU, LayerNorm), then the decoder, whose weight is the
 * word embedding when tied. It only ever sees the states it must decode; the model decides whether those are the
 * masked positions (sparse prediction) or all of them.
 */
final class MlmHead {
  private final Linear transform; // null when off
  private final LayerNorm transformNorm;
  private final NDArray decoderWeight; // (V, H)
  private final NDArray decoderBias; // (V) or null

  MlmHead(Params p, ArchConfig a, NDArray wordEmbedding) {
    if (a.headTransform()) {
      transform = new Linear(p, "mlm.transform", a.hidden(), a.hidden(), true, a.initStd());
      transformNorm = new LayerNorm(p, "mlm.transform_norm", a.hidden(), a.normEps());
    } else {
      transform = null;
      transformNorm = null;
    }
    decoderWeight = a.tiedDecoder()
        ? wordEmbedding
        : p.normal("mlm.decoder.weight", new Shape(a.vocabSize(), a.hidden()), a.initStd());
    decoderBias = a.decoderBias() ? p.constant("mlm.decoder.bias", new Shape(a.vocabSize()), 0) : null;
  }

  /** h (N, H) -> logits (N, V). */
  NDArray forward(NDArray h) {
    if (transform != null) {
      h = transformNorm.forward(Activation.gelu(transform.forward(h)));
    }
    return decoderBias == null
        ? ai.djl.nn.core.Linear.linear(h, decoderWeight).singletonOrThrow()
        : ai.djl.nn.core.Linear.linear(h, decoderWeight, decoderBias).singletonOrThrow();
  }
}
