package dev.cramjet.budget;

import dev.cramjet.util.BadInputException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How much training a run may do: wall-clock seconds of training (pauses excluded), optimizer steps, or tokens.
 * Step and token budgets make a run reproducible regardless of machine speed (ablations, the resume test).
 *
 * <p>Parsed from strings such as {@code 90s}, {@code 10m}, {@code 1.5h}, {@code 24h}, {@code 2d}, {@code 500steps},
 * {@code 2000000tokens} (underscores allowed as digit separators: {@code 2_000_000tokens}).
 *
 * @param kind what is counted
 * @param amount how many: seconds for {@link Kind#SECONDS}, a whole count otherwise; positive
 */
public record Budget(Kind kind, double amount) {
  /** What a budget counts. */
  public enum Kind {
    SECONDS,
    STEPS,
    TOKENS
  }

  private static final Pattern SYNTAX = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(s|m|h|d|steps?|tokens?)");

  public Budget {
    if (kind == null) {
      throw new BadInputException("budget kind is missing");
    }
    if (!(amount > 0) || Double.isInfinite(amount)) {
      throw new BadInputException("budget must be a positive finite amount, got " + amount);
    }
    if (kind != Kind.SECONDS && amount != Math.rint(amount)) {
      throw new BadInputException("a " + kind.name().toLowerCase(Locale.ROOT) + " budget must be a whole number, got "
          + amount);
    }
  }

  /** A wall-clock budget of {@code seconds} seconds of training. */
  public static Budget seconds(double seconds) {
    return new Budget(Kind.SECONDS, seconds);
  }

  /** A budget of {@code steps} optimizer steps. */
  public static Budget steps(long steps) {
    return new Budget(Kind.STEPS, steps);
  }

  /** A budget of {@code tokens} trained tokens. */
  public static Budget tokens(long tokens) {
    return new Budget(Kind.TOKENS, tokens);
  }

  /**
   * Parses a budget string.
   *
   * @throws BadInputException naming the text and the accepted forms
   */
  public static Budget parse(String text) {
    String compact = text == null ? "" : text.trim().toLowerCase(Locale.ROOT).replace("_", "");
    Matcher m = SYNTAX.matcher(compact);
    if (!m.matches()) {
      throw new BadInputException("budget '" + text + "' is not understood; expected a number and a unit, such as "
          + "90s, 10m, 1.5h, 24h, 2d, 500steps or 2000000tokens");
    }
    double number = Double.parseDouble(m.group(1));
    String unit = m.group(2);
    return switch (unit) {
      case "s" -> seconds(number);
      case "m" -> seconds(number * 60);
      case "h" -> seconds(number * 3600);
      case "d" -> seconds(number * 86400);
      case "step", "steps" -> new Budget(Kind.STEPS, number);
      default -> new Budget(Kind.TOKENS, number);
    };
  }

  @Override
  public String toString() {
    return switch (kind) {
      case SECONDS -> amount + "s";
      case STEPS -> (long) amount + "steps";
      case TOKENS -> (long) amount + "tokens";
    };
  }
}
