package dev.cramjet.model;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/** Embeddings, the stack of layers, and the optional final LayerNorm: token ids in, contextual states out. */
final class Encoder {
  final Embeddings embeddings;
  private final List<EncoderLayer> layers = new ArrayList<>();
  private final LayerNorm finalNorm; // null when off

  Encoder(Params p, ArchConfig a) {
    embeddings = new Embeddings(p, a);
    for (int i = 0; i < a.layers(); i++) {
      layers.add(new EncoderLayer(p, "encoder.layer." + i, a));
    }
    finalNorm = a.finalNorm() ? new LayerNorm(p, "encoder.final_norm", a.hidden(), a.normEps()) : null;
  }

  /** ids (B, T) int64, maskBias null or (B, 1, 1, T) -> (B, T, H). */
  NDArray forward(NDArray ids, NDArray maskBias, Fwd f) {
    NDArray x = embeddings.forward(ids, f);
    for (EncoderLayer layer : layers) {
      x = layer.forward(x, maskBias, f);
    }
    return finalNorm == null ? x : finalNorm.forward(x);
  }
}
