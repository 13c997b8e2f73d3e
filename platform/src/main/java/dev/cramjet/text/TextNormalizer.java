package dev.cramjet.text;

import java.text.Normalizer;
import java.util.Locale;

/**
 * The recipe's normaliser, character by character: typographic quotes, dashes and the ellipsis become ASCII, then
 * NFD, lowercase, accents (combining marks) stripped, Unicode whitespace becomes a space, control characters and
 * everything else outside ASCII are dropped.
 *
 * <p>Every step is a function of one code point (NFD only reorders combining marks among themselves, and those are
 * dropped), so the whole normaliser is a table from a UTF-16 unit to its replacement. Supplementary code points (and
 * so both halves of a surrogate pair) map to nothing: none of them decomposes or lowercases to ASCII. The same steps
 * are written into {@code tokenizer.json} by {@link HfTokenizerJson}, so Hugging Face tokenizers give the same text.
 *
 * <p>It does not split text into words; {@link PreTokenizer} does, using {@link #map(char)}.
 */
public final class TextNormalizer {
  /** Single typographic quotes and primes that become {@code '}. */
  static final String SINGLE_QUOTES = "\u2018\u2019\u201A\u201B\u2032\u2035";

  /** Double typographic quotes, double primes and guillemets that become {@code "}. */
  static final String DOUBLE_QUOTES = "\u201C\u201D\u201E\u201F\u2033\u2036\u00AB\u00BB";

  /** Hyphens and dashes U+2010..U+2015 that become {@code -}. */
  static final String DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015";

  /** Horizontal ellipsis, which becomes {@code ...}. */
  static final char ELLIPSIS = '\u2026';

  /**
   * Non-ASCII code points that are whitespace in the sense of Rust's {@code char::is_whitespace}, which the
   * Hugging Face pre-tokenizer uses; they separate words, so they become a space instead of being dropped.
   */
  static final String UNICODE_SPACES =
      "\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000";

  private static final String[] ASCII = new String[128];

  /** Lazily filled for non-ASCII units; racy filling is harmless because Strings are immutable. */
  private static final String[] NON_ASCII = new String[65536];

  static {
    for (char c = 0; c < 128; c++) {
      ASCII[c] = asciiMapping(c);
    }
  }

  private TextNormalizer() {}

  /**
   * The normalised form of one UTF-16 unit: lowercase ASCII letters, digits, punctuation, a single space for any
   * whitespace, or the empty string for anything dropped.
   */
  public static String map(char c) {
    if (c < 128) {
      return ASCII[c];
    }
    String m = NON_ASCII[c];
    if (m == null) {
      m = nonAsciiMapping(c);
      NON_ASCII[c] = m;
    }
    return m;
  }

  /** The whole normalised text, runs of whitespace collapsed to one space (leading and trailing ones kept). */
  public static String normalize(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      String m = map(text.charAt(i));
      for (int j = 0; j < m.length(); j++) {
        char d = m.charAt(j);
        if (d == ' ' && out.length() > 0 && out.charAt(out.length() - 1) == ' ') {
          continue;
        }
        out.append(d);
      }
    }
    return out.toString();
  }

  /** True for ASCII whitespace as Rust sees it: tab, line feed, vertical tab, form feed, carriage return, space. */
  static boolean isAsciiSpace(char c) {
    return c == ' ' || (c >= '\t' && c <= '\r');
  }

  private static String asciiMapping(char c) {
    if (isAsciiSpace(c)) {
      return " ";
    }
    if (c < 0x20 || c == 0x7F) {
      return "";
    }
    if (c >= 'A' && c <= 'Z') {
      return String.valueOf((char) (c + ('a' - 'A')));
    }
    return String.valueOf(c);
  }

  private static String nonAsciiMapping(char c) {
    if (Character.isSurrogate(c)) {
      return "";
    }
    if (SINGLE_QUOTES.indexOf(c) >= 0) {
      return "'";
    }
    if (DOUBLE_QUOTES.indexOf(c) >= 0) {
      return "\"";
    }
    if (DASHES.indexOf(c) >= 0) {
      return "-";
    }
    if (c == ELLIPSIS) {
      return "...";
    }
    String nfd = Normalizer.normalize(String.valueOf(c), Normalizer.Form.NFD).toLowerCase(Locale.ROOT);
    StringBuilder out = new StringBuilder(2);
    for (int i = 0; i < nfd.length(); i++) {
      char d = nfd.charAt(i);
      if (UNICODE_SPACES.indexOf(d) >= 0) {
        out.append(' ');
      } else if (d < 128) {
        out.append(ASCII[d]);
      }
    }
    return out.toString();
  }
}
