package dev.cramjet.budget;

import dev.cramjet.util.BadInputException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A learning-rate schedule driven by the budget fraction t = elapsed / budget in [0, 1]; it returns the MULTIPLIER of
 * the base learning rate, so the trainer passes {@code baseLr * schedule.multiplier(t)} to the optimizer.
 *
 * <p>With a warmup fraction w > 0 the multiplier rises linearly from 0 at t = 0 to the curve's own value at t = w
 * ({@code (t / w) * curve(w)}), then follows the curve, so the multiplier stays continuous. This class does not know about
 * steps or wall time: the budget clock supplies t.
 *
 * @param curve the curve after warmup
 * @param warmup the warmup fraction w in [0, 1)
 */
public record LrSchedule(Curve curve, double warmup) {
  public LrSchedule {
    if (curve == null) {
      throw new BadInputException("schedule curve is missing; expected one of " + Curve.validNames());
    }
    if (!(warmup >= 0 && warmup < 1)) {
      throw new BadInputException("schedule warmup must be a budget fraction in [0, 1), got " + warmup);
    }
  }

  /**
   * The schedule called {@code name} (see {@link Curve} for the names) with warmup fraction {@code warmup}.
   *
   * @throws BadInputException for an unknown name, listing the valid ones
   */
  public static LrSchedule of(String name, double warmup) {
    return new LrSchedule(Curve.named(name), warmup);
  }

  /** The lr multiplier at budget fraction t; t outside [0, 1] is clamped. */
  public double multiplier(double t) {
    if (Double.isNaN(t)) {
      throw new IllegalArgumentException("budget fraction t is NaN");
    }
    double clamped = Math.min(1.0, Math.max(0.0, t));
    if (clamped < warmup) {
      return clamped / warmup * curve.at(warmup);
    }
    return curve.at(clamped);
  }

  /** The curves the paper compares, each a function of t in [0, 1]. */
  public enum Curve {
    /** The paper's: min(0.25 + t, 4(1 - t)); 0.25 at t = 0, peak 1 at t = 0.75, 0 at t = 1. */
    BUDGET_TRIANGLE("budget-triangle") {
      @Override
      double at(double t) {
        return Math.min(0.25 + t, 4.0 * (1.0 - t));
      }
    },
    /** Half a cosine: 0.5 (1 + cos(pi t)); 1 at t = 0, 0 at t = 1. */
    BUDGET_COSINE("budget-cosine") {
      @Override
      double at(double t) {
        return 0.5 * (1.0 + Math.cos(Math.PI * t));
      }
    },
    /** 1 - t. */
    BUDGET_LINEAR("budget-linear") {
      @Override
      double at(double t) {
        return 1.0 - t;
      }
    },
    /** Linearly from 0 up to 1 at t = 0.5, then down to 0 at t = 1. */
    ONE_CYCLE_TRIANGULAR("one-cycle-triangular") {
      @Override
      double at(double t) {
        return t <= 0.5 ? 2.0 * t : 2.0 * (1.0 - t);
      }
    },
    /**
     * Linearly from 0 up to 1 over the first {@value #TRAPEZOID_RISE} of the budget, flat at 1, then down to 0 over
     * the last {@value #TRAPEZOID_FALL}. (The fractions are this project's choice: a short rise as in a usual warmup,
     * and a cool-down long enough to anneal as the budget triangle's last quarter does.)
     */
    ONE_CYCLE_TRAPEZOIDAL("one-cycle-trapezoidal") {
      @Override
      double at(double t) {
        if (t < TRAPEZOID_RISE) {
          return t / TRAPEZOID_RISE;
        }
        if (t > 1.0 - TRAPEZOID_FALL) {
          return (1.0 - t) / TRAPEZOID_FALL;
        }
        return 1.0;
      }
    },
    /** 1 throughout. */
    CONSTANT("constant") {
      @Override
      double at(double t) {
        return 1.0;
      }
    };

    /** Budget fraction over which the trapezoid rises from 0 to 1. */
    public static final double TRAPEZOID_RISE = 0.1;
    /** Budget fraction over which the trapezoid falls from 1 to 0, at the end. */
    public static final double TRAPEZOID_FALL = 0.2;

    private final String configName;

    Curve(String configName) {
      this.configName = configName;
    }

    /** The name used in configs, e.g. {@code budget-triangle}. */
    public String configName() {
      return configName;
    }

    /** The multiplier at t in [0, 1], before warmup. */
    abstract double at(double t);

    /**
     * The curve called {@code name} in a config (case and surrounding blanks ignored).
     *
     * @throws BadInputException for an unknown name, listing the valid ones
     */
    public static Curve named(String name) {
      String wanted = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
      for (Curve s : values()) {
        if (s.configName.equals(wanted)) {
          return s;
        }
      }
      throw new BadInputException("unknown lr schedule '" + name + "'; expected one of " + validNames());
    }

    static String validNames() {
      return Arrays.stream(values()).map(Curve::configName).collect(Collectors.joining(", "));
    }
  }
}
