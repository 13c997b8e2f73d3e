package dev.cramjet.data;

import java.util.regex.Pattern;

/** Turns the markup of the fetchable corpora into plain prose. Pure string functions; no I/O. */
public final class CorpusCleaners {
  private static final Pattern SPACE_BEFORE_PUNCT = Pattern.compile(" ([,.;:!?)\\]}]|'s\\b|n't\\b)");
  private static final Pattern SPACE_AFTER_OPEN = Pattern.compile("([(\\[{]) ");
  private static final Pattern BR = Pattern.compile("(?i)<br\\s*/?>");
  private static final Pattern SPACES = Pattern.compile("[ \\t]{2,}");

  private CorpusCleaners() {}

  /**
   * One Brown corpus sentence line ({@code The/at jury/nn said/vbd ./.}) to text: the {@code /tag} after the last
   * slash of each token dropped, {@code ``} and {@code ''} made plain quotes, spaces before punctuation removed.
   */
  public static String brownSentence(String line) {
    StringBuilder sb = new StringBuilder();
    boolean glue = false; // after an opening quote the next word follows without a space
    for (String token : line.trim().split("\\s+")) {
      if (token.isEmpty()) continue;
      int slash = token.lastIndexOf('/');
      String word = slash > 0 ? token.substring(0, slash) : token;
      if (word.equals("''")) {
        sb.append('"');
        continue;
      }
      if (sb.length() > 0 && !glue) sb.append(' ');
      glue = word.equals("``");
      sb.append(glue ? "\"" : word);
    }
    String s = SPACE_BEFORE_PUNCT.matcher(sb).replaceAll("$1");
    return SPACE_AFTER_OPEN.matcher(s).replaceAll("$1");
  }

  /** The gloss of one WordNet {@code data.*} line (the text after {@code "| "}), or null for header lines. */
  public static String wordnetGloss(String line) {
    if (line.isEmpty() || line.charAt(0) == ' ') return null;
    int bar = line.indexOf("| ");
    if (bar < 0) return null;
    String gloss = line.substring(bar + 2).trim();
    return gloss.isEmpty() ? null : gloss;
  }

  /** An IMDB review with its {@code <br />} tags turned into spaces and runs of spaces collapsed. */
  public static String imdbReview(String text) {
    return SPACES.matcher(BR.matcher(text).replaceAll(" ")).replaceAll(" ").trim();
  }

  /** Unix line ends. */
  public static String unixLines(String text) {
    return text.replace("\r\n", "\n").replace('\r', '\n');
  }
}
