package dev.cramjet.eval;

import java.util.Arrays;

/**
 * The GLUE metrics, on plain arrays: Matthews correlation (CoLA), accuracy, binary F1 with class 1 positive (MRPC,
 * QQP), Pearson and Spearman correlation (STS-B).
 *
 * <p>Degenerate cases follow one rule: a score whose formula divides by zero because the predictions (or the gold
 * labels) carry no variation is 0, never NaN. For MCC this is scikit-learn's convention (a single predicted class gives
 * 0). For Pearson and Spearman, scipy (which GLUE's scorer calls) returns NaN on a constant input; we return 0 instead
 * so that a task where the model collapsed to one output still counts, as chance, in the GLUE average rather than
 * poisoning it. F1 with no true positives is 0 (precision and recall both 0 or undefined). Empty inputs are an error.
 */
public final class Metrics {
  private Metrics() {}

  /** Share of positions where {@code predicted} equals {@code gold}. */
  public static double accuracy(int[] predicted, int[] gold) {
    check(predicted.length, gold.length);
    int right = 0;
    for (int i = 0; i < gold.length; i++) {
      if (predicted[i] == gold[i]) {
        right++;
      }
    }
    return (double) right / gold.length;
  }

  /**
   * Matthews correlation coefficient; with more than two classes, Gorodkin's generalisation (the one scikit-learn
   * computes), which equals the usual {@code (tp tn - fp fn) / sqrt(...)} for two classes. 0 when either side has a
   * single class.
   */
  public static double matthews(int[] predicted, int[] gold) {
    check(predicted.length, gold.length);
    int classes = 1 + Math.max(max(predicted), max(gold));
    long[] predCount = new long[classes];
    long[] goldCount = new long[classes];
    long correct = 0;
    for (int i = 0; i < gold.length; i++) {
      predCount[predicted[i]]++;
      goldCount[gold[i]]++;
      if (predicted[i] == gold[i]) {
        correct++;
      }
    }
    double n = gold.length;
    double dot = 0;
    double predSq = 0;
    double goldSq = 0;
    for (int k = 0; k < classes; k++) {
      dot += (double) predCount[k] * goldCount[k];
      predSq += (double) predCount[k] * predCount[k];
      goldSq += (double) goldCount[k] * goldCount[k];
    }
    double numerator = correct * n - dot;
    double denominator = Math.sqrt(n * n - predSq) * Math.sqrt(n * n - goldSq);
    return denominator == 0 ? 0 : numerator / denominator;
  }

  /** F1 of class 1 against the rest: {@code 2 tp / (2 tp + fp + fn)}; 0 when there is no true positive. */
  public static double f1(int[] predicted, int[] gold) {
    check(predicted.length, gold.length);
    long tp = 0;
    long fp = 0;
    long fn = 0;
    for (int i = 0; i < gold.length; i++) {
      boolean p = predicted[i] == 1;
      boolean g = gold[i] == 1;
      if (p && g) {
        tp++;
      } else if (p) {
        fp++;
      } else if (g) {
        fn++;
      }
    }
    return tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + fn);
  }

  /** Pearson's r; 0 when either side is constant. */
  public static double pearson(double[] x, double[] y) {
    check(x.length, y.length);
    double mx = mean(x);
    double my = mean(y);
    double sxy = 0;
    double sxx = 0;
    double syy = 0;
    for (int i = 0; i < x.length; i++) {
      double dx = x[i] - mx;
      double dy = y[i] - my;
      sxy += dx * dy;
      sxx += dx * dx;
      syy += dy * dy;
    }
    if (sxx == 0 || syy == 0) {
      return 0;
    }
    // Clamped: rounding can push a perfect correlation a hair past 1.
    return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
  }

  /** Spearman's rho: Pearson's r of the ranks, ties sharing their average rank; 0 when either side is constant. */
  public static double spearman(double[] x, double[] y) {
    check(x.length, y.length);
    return pearson(ranks(x), ranks(y));
  }

  /** 1-based ranks of {@code v}; tied values get the mean of the ranks they span. */
  static double[] ranks(double[] v) {
    Integer[] order = new Integer[v.length];
    for (int i = 0; i < v.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(v[a], v[b]));
    double[] rank = new double[v.length];
    int i = 0;
    while (i < v.length) {
      int j = i;
      while (j + 1 < v.length && v[order[j + 1]] == v[order[i]]) {
        j++;
      }
      double shared = (i + j) / 2.0 + 1; // mean of the 1-based ranks i+1 .. j+1
      for (int k = i; k <= j; k++) {
        rank[order[k]] = shared;
      }
      i = j + 1;
    }
    return rank;
  }

  private static double mean(double[] v) {
    double s = 0;
    for (double d : v) {
      s += d;
    }
    return s / v.length;
  }

  private static int max(int[] v) {
    int m = 0;
    for (int x : v) {
      if (x < 0) {
        throw new IllegalArgumentException("class labels must be >= 0, got " + x);
      }
      m = Math.max(m, x);
    }
    return m;
  }

  private static void check(int a, int b) {
    if (a != b) {
      throw new IllegalArgumentException("predictions (" + a + ") and gold labels (" + b + ") differ in length");
    }
    if (a == 0) {
      throw new IllegalArgumentException("no examples to score");
    }
  }
}
