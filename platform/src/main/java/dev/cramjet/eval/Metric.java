package dev.cramjet.eval;

import dev.cramjet.util.BadInputException;
import java.util.Locale;

/** A score a task reports; classification metrics read label ids, regression metrics read real values. */
public enum Metric {
  MCC("mcc", false),
  ACCURACY("accuracy", false),
  F1("f1", false),
  PEARSON("pearson", true),
  SPEARMAN("spearman", true);

  private final String key;
  private final boolean regression;

  Metric(String key, boolean regression) {
    this.key = key;
    this.regression = regression;
  }

  /** The name used in reports and task files. */
  public String key() {
    return key;
  }

  public boolean regression() {
    return regression;
  }

  /** Scores class predictions against gold labels (classification metrics only). */
  public double score(int[] predicted, int[] gold) {
    return switch (this) {
      case MCC -> Metrics.matthews(predicted, gold);
      case ACCURACY -> Metrics.accuracy(predicted, gold);
      case F1 -> Metrics.f1(predicted, gold);
      default -> throw new IllegalStateException(key + " scores real values, not classes");
    };
  }

  /** Scores real predictions against gold values (regression metrics only). */
  public double score(double[] predicted, double[] gold) {
    return switch (this) {
      case PEARSON -> Metrics.pearson(predicted, gold);
      case SPEARMAN -> Metrics.spearman(predicted, gold);
      default -> throw new IllegalStateException(key + " scores classes, not real values");
    };
  }

  /** The metric called {@code key}; {@code what} names the source in the error. */
  public static Metric named(String key, String what) {
    for (Metric m : values()) {
      if (m.key.equals(key.toLowerCase(Locale.ROOT))) {
        return m;
      }
    }
    throw new BadInputException(what + ": unknown metric '" + key + "'; expected one of mcc, accuracy, f1, pearson, spearman");
  }
}
