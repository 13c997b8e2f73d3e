package dev.cramjet.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Seeded generators of test text: an English-like corpus to train on, and varied hostile lines to encode. */
final class TestTexts {
  private static final String[] SYLLABLES = {
    "the", "an", "ing", "er", "tion", "re", "in", "on", "at", "en", "es", "or", "ti", "is", "it", "al", "ar",
    "st", "to", "nt", "ng", "se", "ha", "as", "ou", "io", "le", "ve", "co", "me", "de", "hi", "ri", "ro", "ic",
    "ne", "ea", "ra", "ce", "li", "ch", "ll", "be", "ma", "si", "om", "ur", "ca", "el", "ta", "la", "ns", "di",
    "fo", "ho", "pe", "ec", "pr", "no", "ct", "us", "ac", "ot", "il", "tr", "ly", "nc", "et", "ut", "ss", "so",
    "rs", "un", "lo", "wa", "ge", "ie", "wh", "ee", "wi", "em", "ad", "ol", "rt", "po", "we", "na", "ul", "ni",
    "ts", "mo", "ow", "pa", "im", "mi", "ai", "sh", "ir", "su", "id", "os", "iv", "ia", "am", "fi", "ci", "vi",
    "pl", "ig", "tu", "ev", "ld", "ry", "mp", "fe", "bl", "ab", "gh", "ty", "op", "wo", "sa", "ay", "ex", "ke",
    "fr", "oo", "av", "ag", "if", "ap", "gr", "od", "bo", "sp", "rd", "do", "uc", "bu", "ei", "ov", "by", "rm",
    "ep", "tt", "oc", "fa", "ef", "cu", "rn", "sc", "gi", "da", "yo", "cr", "cl", "du", "ga", "qu", "ue", "ff",
    "ba", "ey", "ls", "va", "um", "pp", "ua", "up", "lu", "go", "ht", "ru", "ug", "ds", "lt", "pi", "rc", "rr",
    "eg", "au", "ck", "ew", "mu", "br", "bi", "pt", "ak", "pu", "ui", "rg", "ib", "tl", "ny", "ki", "rk", "ys"
  };

  private static final String[] EXOTIC = {
    "café", "naïve", "Ångström", "ÉCOLE", "façade", "jalapeño", "Zürich", "coöperate", "résumé", "São Paulo",
    "‘single’", "“double”", "„low“", "«guillemets»", "it’s", "don‘t", "5′ 6″", "em—dash", "en–dash", "wait…",
    "日本語のテキスト", "中文", "한국어", "😀 emoji 🎉", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "Привет мир", "ΟΔΥΣΣΕΥΣ", "straße", "Æsir",
    "Øresund", "Łódź", "İstanbul", "\u212A kelvin", "\u212B angstrom", "ＦＵＬＬ　ｗｉｄｔｈ", "non\u00A0breaking",
    "line\u2028sep", "zero\u200Bwidth", "tab\there", "cr\rlf\n", "bell\u0007char", "del\u007Fchar",
    "vt\u000Bff\u000C", "nel\u0085x", "ideo\u3000space", "soft\u00ADhyphen", "x\u0301y", "a\u0308\u0304b",
    "[MASK]", "[mask]", "x[SEP]y", "[CLS] hi [SEP]", "[MAS K]", "[[PAD]]", "[UNK]", "¿qué?", "¡hola!", "§ 12",
    "©2024", "½ cup", "x²", "ﬁnance", "\u037E greek question", "\u1FEF varia", "\u2000en quad", "e\u0301"
  };

  private TestTexts() {}

  static String word(Random r) {
    int n = 1 + r.nextInt(4);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(SYLLABLES[Math.min(SYLLABLES.length - 1, (int) Math.abs(r.nextGaussian() * 40))]);
    }
    return sb.toString();
  }

  /** English-like sentences: Zipf-ish syllable words with punctuation. */
  static List<String> corpus(long seed, int lines) {
    Random r = new Random(seed);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < lines; i++) {
      StringBuilder sb = new StringBuilder();
      int words = 3 + r.nextInt(20);
      for (int k = 0; k < words; k++) {
        String w = word(r);
        if (k == 0) {
          w = Character.toUpperCase(w.charAt(0)) + w.substring(1);
        }
        sb.append(w);
        int p = r.nextInt(20);
        sb.append(p == 0 ? ", " : p == 1 ? "'s " : p == 2 ? " " + r.nextInt(2000) + " " : " ");
      }
      sb.setLength(sb.length() - 1);
      sb.append(r.nextInt(5) == 0 ? "?" : ".");
      out.add(sb.toString());
    }
    return out;
  }

  /** Hostile lines: every kind of thing the normaliser and pre-tokenizer must handle. */
  static List<String> varied(long seed, int lines) {
    Random r = new Random(seed);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < lines; i++) {
      StringBuilder sb = new StringBuilder();
      int parts = r.nextInt(12);
      if (i % 50 == 0) {
        parts = 0; // empty line
      }
      for (int k = 0; k < parts; k++) {
        switch (r.nextInt(11)) {
          case 0 -> sb.append(EXOTIC[r.nextInt(EXOTIC.length)]);
          case 1 -> sb.append((char) ('!' + r.nextInt(94)));
          case 2 -> sb.append(r.nextInt(100000));
          case 3 -> sb.append(randomBmp(r));
          case 4 -> sb.appendCodePoint(0x10000 + r.nextInt(0x10FFFF - 0x10000));
          case 5 -> sb.append("w".repeat(95 + r.nextInt(10))).append(r.nextBoolean() ? "é" : "");
          case 6 -> sb.append(" \t\r\n\u000B\u000C\u00A0".charAt(r.nextInt(7)));
          case 7 -> sb.append(word(r).toUpperCase());
          case 8 -> sb.append(randomAsciiWord(r));
          default -> sb.append(word(r));
        }
        if (r.nextInt(3) > 0) {
          sb.append(' ');
        }
      }
      out.add(sb.toString());
    }
    return out;
  }

  private static char randomBmp(Random r) {
    while (true) {
      char c = (char) (0x80 + r.nextInt(0xFFFF - 0x80));
      if (!Character.isSurrogate(c)) {
        return c;
      }
    }
  }

  private static String randomAsciiWord(Random r) {
    StringBuilder sb = new StringBuilder();
    int n = 1 + r.nextInt(30);
    for (int i = 0; i < n; i++) {
      sb.append((char) r.nextInt(128));
    }
    return sb.toString();
  }
}
