package dev.cramjet.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;

/**
 * The feed-forward block. GLU: one Linear to {@code intermediate}, split in halves (x, gate), {@code GELU(gate) * x},
 * Linear back; the parameter count is not rescaled, as in the paper. GELU: Linear, GELU, Linear.
 */
final class FeedForward {
  private final Linear in;
  private final Linear out;
  private final boolean glu;

  FeedForward(Params p, String name, ArchConfig a) {
    in = new Linear(p, name + ".in", a.hidden(), a.intermediate(), a.linearBias(), a.initStd());
    out = new Linear(p, name + ".out", a.ffnInner(), a.hidden(), a.linearBias(), a.initStd());
    glu = a.ffn() == ArchConfig.FeedForward.GLU;
  }

  /** (B, T, H) -> (B, T, H). */
  NDArray forward(NDArray x) {
    NDArray h = in.forward(x); // (B, T, I)
    if (glu) {
      NDList halves = h.split(2, 2); // two (B, T, I/2); a positive axis: split(n, -1) throws in DJL
      h = Activation.gelu(halves.get(1)).mul(halves.get(0));
    } else {
      h = Activation.gelu(h);
    }
    return out.forward(h);
  }
}
