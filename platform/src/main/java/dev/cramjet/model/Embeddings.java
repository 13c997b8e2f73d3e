package dev.cramjet.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import dev.cramjet.text.SpecialTokens;

/** Word embedding plus positions, then an optional LayerNorm. */
final class Embeddings {
  final NDArray word; // (V, H); also the tied decoder
  private final NDArray positionScale; // (1) learned scalar times a fixed sinusoid, or null
  private final NDArray positionTable; // (maxT, H): fixed sinusoid (not a parameter) or learned embedding
  private final LayerNorm norm; // null when off

  Embeddings(Params p, ArchConfig a) {
    word = p.normal("embedding.word.weight", new Shape(a.vocabSize(), a.hidden()), a.initStd(), SpecialTokens.PAD_ID);
    if (a.positions() == ArchConfig.Positions.SCALED_SINUSOIDAL) {
      positionScale = p.constant("embedding.position.scale", new Shape(1), 1.0 / Math.sqrt(a.hidden()));
      positionTable = sinusoid(p, a.maxSeqLen(), a.hidden());
    } else {
      positionScale = null;
      positionTable = p.normal("embedding.position.weight", new Shape(a.maxSeqLen(), a.hidden()), a.initStd());
    }
    norm = a.embeddingNorm() ? new LayerNorm(p, "embedding.norm", a.hidden(), a.normEps()) : null;
  }

  /** The classic fixed table: even columns sin(pos / 10000^(i/H)), odd columns cos of the same angle. */
  private static NDArray sinusoid(Params p, int maxLen, int hidden) {
    double[] v = new double[maxLen * hidden];
    for (int pos = 0; pos < maxLen; pos++) {
      for (int i = 0; i < hidden; i += 2) {
        double angle = pos * Math.exp(-Math.log(10000.0) * i / hidden);
        v[pos * hidden + i] = Math.sin(angle);
        if (i + 1 < hidden) {
          v[pos * hidden + i + 1] = Math.cos(angle);
        }
      }
    }
    return p.manager().create(v, new Shape(maxLen, hidden)).toType(p.dtype(), false);
  }

  /** The fixed sinusoid table (maxT, H) that the learned scale multiplies, or null with learned positions. */
  NDArray fixedPositionTable() {
    return positionScale == null ? null : positionTable;
  }

  /** ids (B, T) int64 -> (B, T, H). */
  NDArray forward(NDArray ids, Fwd f) {
    long t = ids.getShape().get(1);
    NDArray x = Embedding.embedding(ids, word, SparseFormat.DENSE).singletonOrThrow(); // (B, T, H)
    NDArray pos = positionTable.get(f.scope(), new NDIndex(":{}", t)); // (T, H)
    if (positionScale != null) {
      pos = pos.mul(positionScale);
    }
    x = x.add(pos);
    if (norm != null) {
      x = norm.forward(x);
    }
    return f.dropout(x);
  }
}
