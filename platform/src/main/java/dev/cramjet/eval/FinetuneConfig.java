package dev.cramjet.eval;

import dev.cramjet.budget.LrSchedule;
import dev.cramjet.config.ConfigBinder;
import dev.cramjet.config.Presets;

/**
 * A fine-tuning protocol, bound from {@code configs/eval/<name>.conf} ({@code crammed}: the paper's, {@code
 * bert-original}: the baseline's).
 *
 * @param batchSize examples per optimizer step
 * @param lr peak learning rate of AdamW
 * @param beta1 AdamW first-moment decay
 * @param beta2 AdamW second-moment decay
 * @param eps AdamW epsilon
 * @param weightDecay AdamW decoupled weight decay (matrices only, as in pretraining)
 * @param epochs passes over the training set
 * @param schedule learning-rate curve over the fraction of fine-tuning steps done (an {@link LrSchedule} name)
 * @param warmup fraction of the steps spent warming up linearly
 * @param maxSeqLen longest input, special tokens included; longer inputs are truncated, longest text first
 * @param headWidth width of the classification head's hidden Linear
 * @param clipNorm global gradient-norm clip; 0 for none
 */
public record FinetuneConfig(String name, int batchSize, double lr, double beta1, double beta2, double eps,
    double weightDecay, int epochs, String schedule, double warmup, int maxSeqLen, int headWidth, double clipNorm) {

  public FinetuneConfig {
    if (batchSize < 1 || epochs < 1 || headWidth < 1) {
      throw new IllegalArgumentException("batch-size, epochs and head-width must be >= 1");
    }
    if (maxSeqLen < 4) {
      throw new IllegalArgumentException("max-seq-len must be >= 4 (three special tokens and a text), got " + maxSeqLen);
    }
    if (!(clipNorm >= 0)) {
      throw new IllegalArgumentException("clip-norm must be >= 0, got " + clipNorm);
    }
    new dev.cramjet.train.AdamWConfig(lr, beta1, beta2, eps, weightDecay); // validates the optimizer fields
    LrSchedule.of(schedule, warmup); // validates the schedule name and warmup
  }

  /** The preset {@code name} under {@code configs/eval}, or a .conf file path. */
  public static FinetuneConfig preset(String name) {
    return ConfigBinder.bind(Presets.load("eval", name), FinetuneConfig.class, "eval");
  }

  /** The same protocol with another number of epochs (tests and quick checks). */
  public FinetuneConfig withEpochs(int e) {
    return new FinetuneConfig(name, batchSize, lr, beta1, beta2, eps, weightDecay, e, schedule, warmup, maxSeqLen,
        headWidth, clipNorm);
  }

  /** The same protocol with another peak learning rate. */
  public FinetuneConfig withLr(double newLr) {
    return new FinetuneConfig(name, batchSize, newLr, beta1, beta2, eps, weightDecay, epochs, schedule, warmup,
        maxSeqLen, headWidth, clipNorm);
  }
}
