package dev.cramjet.model;

import ai.djl.ndarray.NDArray;

/** One transformer layer: attention and feed-forward, each in a residual branch, pre- or post-norm. */
final class EncoderLayer {
  private final LayerNorm norm1;
  private final Attention attention;
  private final LayerNorm norm2;
  private final FeedForward ffn;
  private final boolean preNorm;

  EncoderLayer(Params p, String name, ArchConfig a) {
    norm1 = new LayerNorm(p, name + ".norm1", a.hidden(), a.normEps());
    attention = new Attention(p, name + ".attention", a);
    norm2 = new LayerNorm(p, name + ".norm2", a.hidden(), a.normEps());
    ffn = new FeedForward(p, name + ".ffn", a);
    preNorm = a.norm() == ArchConfig.Norm.PRE;
  }

  NDArray forward(NDArray x, NDArray maskBias, Fwd f) {
    if (preNorm) {
      x = x.add(f.dropout(attention.forward(norm1.forward(x), maskBias, f)));
      return x.add(f.dropout(ffn.forward(norm2.forward(x))));
    }
    x = norm1.forward(x.add(f.dropout(attention.forward(x, maskBias, f))));
    return norm2.forward(x.add(f.dropout(ffn.forward(x))));
  }
}
