package dev.cramjet.train;

import dev.cramjet.model.ArchConfig;

/**
 * Model FLOPs, counted from the architecture (matrix multiplies only, 2 FLOPs per multiply-add). Model FLOPs
 * utilisation (MFU) = achieved model FLOPs per second / the peak of {@link PeakFlops}.
 */
public final class Flops {
  private Flops() {}

  /**
   * Training FLOPs per token (forward plus backward, the backward counted as twice the forward). With sparse
   * prediction only the masked share of positions pays for the decoder.
   */
  public static double trainingPerToken(ArchConfig a, double maskRate) {
    double h = a.hidden();
    double t = a.maxSeqLen();
    double perLayer = 2 * h * 3 * h // fused QKV
        + 2 * h * h // attention output
        + 2 * t * h * 2 // scores QK^T and the weighted sum of V, per token
        + 2 * h * a.intermediate() // first feed-forward Linear
        + 2 * a.ffnInner() * h; // second feed-forward Linear
    double head = (a.headTransform() ? 2 * h * h : 0) + 2 * h * a.vocabSize();
    double decoded = a.sparsePrediction() ? maskRate : 1.0;
    return 3 * (a.layers() * perLayer + decoded * head);
  }
}
