package dev.cramjet.eval;

import ai.djl.ndarray.NDManager;
import dev.cramjet.data.RowSource;
import dev.cramjet.model.ArchConfig;
import dev.cramjet.model.CrammedBert;
import dev.cramjet.train.MaskedBatch;
import dev.cramjet.train.MlmMasker;

/**
 * Masked-LM loss and accuracy on held-out rows, with no gradients and dropout off. Rows are masked by {@link MlmMasker}
 * from a fixed seed and their row index, so the same model, rows and seed always give the same numbers, and two
 * checkpoints of one run are compared on exactly the same masked positions. It reads rows 0 .. n-1 of the source;
 * the caller makes sure the source is held out from training. Call it on the DJL thread that owns the model.
 */
public final class MlmEvaluator {
  /**
   * Seed of the masks on held-out rows wherever a run is scored against others: sweep cells, the daemon's
   * evaluations and the demo's report. The masks depend on this seed, the mask rate and the row index only, never on
   * the run's own seed, so two runs scored on the same rows are scored on the same masked positions.
   */
  public static final long HELD_OUT_SEED = 20_231_228L;

  private MlmEvaluator() {}

  /** The masker every held-out score uses: {@link #HELD_OUT_SEED} at the given mask rate. */
  public static MlmMasker heldOutMasker(double maskRate, RowSource source, ArchConfig arch) {
    return new MlmMasker(maskRate, source.seqLen(), Math.max(source.vocabSize(), arch.vocabSize()), HELD_OUT_SEED);
  }

  /** Scores every row of {@code heldOut} with {@link #heldOutMasker}, 32 rows per forward pass. */
  public static Result heldOut(CrammedBert model, RowSource heldOut, double maskRate) {
    return evaluate(model, heldOut, 0, heldOut.rows(), heldOutMasker(maskRate, heldOut, model.arch()), 32);
  }

  /**
   * @param loss mean cross-entropy over all predicted positions (nats)
   * @param accuracy share of predicted positions whose arg-max is the original token
   * @param rows rows read
   * @param predicted positions predicted
   */
  public record Result(double loss, double accuracy, long rows, long predicted) {}

  /** Evaluates {@code rows} rows (fewer if the source is shorter), masking 25% as the crammed recipe does. */
  public static Result evaluate(CrammedBert model, RowSource source, long rows, long seed) {
    return evaluate(model, source, rows, seed, 0.25, 32);
  }

  /**
   * @param maskRate the share of each row masked (use the training run's)
   * @param batchRows rows per forward pass
   */
  public static Result evaluate(CrammedBert model, RowSource source, long rows, long seed, double maskRate,
      int batchRows) {
    return evaluate(model, source, 0, rows, new MlmMasker(maskRate, source.seqLen(),
        Math.max(source.vocabSize(), model.arch().vocabSize()), seed), batchRows);
  }

  /**
   * Evaluates rows {@code firstRow .. firstRow + rows - 1} (wrapping around the source's end), each masked by {@code
   * masker} with its own row index, so the run's masker and a held-out range of its rows can be used directly.
   */
  public static Result evaluate(CrammedBert model, RowSource source, long firstRow, long rows, MlmMasker masker,
      int batchRows) {
    long n = Math.min(rows, source.rows());
    if (n < 1 || batchRows < 1) {
      throw new IllegalArgumentException("need at least one row and one row per batch, got " + n + " and " + batchRows);
    }
    int seqLen = source.seqLen();
    int[] row = new int[seqLen];
    double lossSum = 0;
    long correct = 0;
    long predicted = 0;
    for (long done = 0; done < n; done += batchRows) {
      int b = (int) Math.min(batchRows, n - done);
      long first = firstRow + done;
      int[] flat = new int[b * seqLen];
      for (int r = 0; r < b; r++) {
        source.read(Math.floorMod(first + r, source.rows()), row);
        System.arraycopy(row, 0, flat, r * seqLen, seqLen);
      }
      MaskedBatch m = masker.mask(flat, b, first);
      try (NDManager scope = model.params().manager().newSubManager()) {
        CrammedBert.MlmOutput out = model.mlmLoss(b, seqLen, m.inputIds(), m.maskedPositions(), m.labels(),
            model.evalContext(scope));
        // The loss is a mean per batch; weight it by the batch's positions so a short last batch counts fairly.
        lossSum += out.loss().getFloat() * out.predicted();
        correct += out.correct().getLong();
        predicted += out.predicted();
      }
    }
    return new Result(lossSum / predicted, (double) correct / predicted, n, predicted);
  }
}
