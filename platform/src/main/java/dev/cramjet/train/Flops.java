package dev.cramjet.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.cramjet.model.ArchConfig;

/**
 * Model FLOPs, counted from the architecture (matrix multiplies only, 2 FLOPs per multiply-add), and a measured
 * peak to compare them with. Model FLOPs utilisation (MFU) = achieved model FLOPs per second / peak.
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

  /**
   * The dense float32 matrix-multiply throughput this engine reaches here (FLOP/s): the best of several short timed
   * bursts of n x n products within about {@code millis}, so that a burst slowed by another process on a shared
   * machine does not lower the ceiling. On a CPU this is the honest ceiling for MFU; on a GPU pass the data-sheet
   * peak instead.
   */
  public static double measurePeak(NDManager parent, int n, long millis) {
    try (NDManager m = parent.newSubManager()) {
      NDArray a = m.randomUniform(-1, 1, new Shape(n, n));
      NDArray b = m.randomUniform(-1, 1, new Shape(n, n));
      a.matMul(b).close(); // warm-up
      double best = 0;
      long deadline = System.nanoTime() + millis * 1_000_000L;
      do {
        long start = System.nanoTime();
        for (int i = 0; i < 4; i++) {
          a.matMul(b).close();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        best = Math.max(best, 4 * 2.0 * n * n * n / seconds);
      } while (System.nanoTime() < deadline);
      return best;
    }
  }
}
