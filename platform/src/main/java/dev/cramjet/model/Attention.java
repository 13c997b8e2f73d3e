package dev.cramjet.model;

import ai.djl.ndarray.NDArray;

/** Multi-head self-attention with one fused QKV projection; scores scaled by 1/sqrt(head size). */
final class Attention {
  private final Linear qkv;
  private final Linear out;
  private final int heads;
  private final int headSize;

  Attention(Params p, String name, ArchConfig a) {
    qkv = new Linear(p, name + ".qkv", a.hidden(), 3 * a.hidden(), a.qkvBias(), a.initStd());
    out = new Linear(p, name + ".out", a.hidden(), a.hidden(), a.linearBias(), a.initStd());
    heads = a.heads();
    headSize = a.headSize();
  }

  /**
   * x (B, T, H) -> (B, T, H). {@code maskBias} is null (rows are full, as in pretraining) or (B, 1, 1, T) holding 0
   * for real tokens and a large negative number for padding.
   */
  NDArray forward(NDArray x, NDArray maskBias, Fwd f) {
    long b = x.getShape().get(0);
    long t = x.getShape().get(1);
    NDArray qkvAll = qkv.forward(x).reshape(b, t, 3, heads, headSize).transpose(2, 0, 3, 1, 4); // (3, B, nh, T, hs)
    NDArray q = qkvAll.get(0);
    NDArray k = qkvAll.get(1);
    NDArray v = qkvAll.get(2);
    NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(f.scalar(1.0 / Math.sqrt(headSize))); // (B, nh, T, T)
    if (maskBias != null) {
      scores = scores.add(maskBias);
    }
    NDArray att = f.dropout(scores.softmax(-1));
    NDArray y = att.matMul(v).transpose(0, 2, 1, 3).reshape(b, t, (long) heads * headSize); // (B, T, H)
    return out.forward(y);
  }
}
