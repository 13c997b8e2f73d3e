package dev.cramjet.train;

import dev.cramjet.util.BadInputException;

/**
 * AdamW hyper-parameters. The recipe's pretraining values are {@link #BERT_O4}; the learning rate here is the base
 * rate, which the schedule multiplies.
 *
 * @param lr base learning rate, >= 0
 * @param beta1 first-moment decay, in [0, 1)
 * @param beta2 second-moment decay, in [0, 1)
 * @param eps added to sqrt(v-hat) in the denominator; at least the smallest normal float32 (about 1.2e-38), because
 *     the optimizer takes the reciprocal of the denominator in float32
 * @param weightDecay decoupled decay coefficient, >= 0 (applied only where {@link AdamW#decays} says)
 */
public record AdamWConfig(double lr, double beta1, double beta2, double eps, double weightDecay) {
  /** bert-o4: lr 1e-3, betas (0.9, 0.98), eps 1e-12, weight decay 0.01. */
  public static final AdamWConfig BERT_O4 = new AdamWConfig(1e-3, 0.9, 0.98, 1e-12, 0.01);

  public AdamWConfig {
    requireFinite("lr", lr);
    requireFinite("beta1", beta1);
    requireFinite("beta2", beta2);
    requireFinite("eps", eps);
    requireFinite("weight-decay", weightDecay);
    if (lr < 0) {
      throw new BadInputException("lr must be >= 0, got " + lr);
    }
    if (beta1 < 0 || beta1 >= 1) {
      throw new BadInputException("beta1 must be in [0, 1), got " + beta1);
    }
    if (beta2 < 0 || beta2 >= 1) {
      throw new BadInputException("beta2 must be in [0, 1), got " + beta2);
    }
    if (eps < Float.MIN_NORMAL) {
      throw new BadInputException("eps must be at least " + Float.MIN_NORMAL + " (a normal float32), got " + eps);
    }
    if (weightDecay < 0) {
      throw new BadInputException("weight-decay must be >= 0, got " + weightDecay);
    }
  }

  private static void requireFinite(String field, double value) {
    if (!Double.isFinite(value)) {
      throw new BadInputException(field + " must be a finite number, got " + value);
    }
  }
}
