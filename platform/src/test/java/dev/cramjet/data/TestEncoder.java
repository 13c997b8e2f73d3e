package dev.cramjet.data;

import dev.cramjet.text.SpecialTokens;
import dev.cramjet.text.TextEncoder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A tiny encoder for data tests: lower-cases, splits on whitespace, then into runs of letters/digits and single
 * punctuation marks; each piece maps to its id in a fixed vocabulary (specials, punctuation, the letters a-z, then
 * w0..w999), or [UNK].
 */
final class TestEncoder implements TextEncoder {
  private final Map<String, Integer> ids = new HashMap<>();
  private final List<String> vocab = new ArrayList<>();

  TestEncoder() {
    for (String s : SpecialTokens.ALL) add(s);
    for (String p : new String[] {".", ",", "!", "?", "'", "\"", ";", ":", "-"}) add(p);
    for (char c = 'a'; c <= 'z'; c++) add(String.valueOf(c));
    for (int i = 0; i < 1000; i++) add("w" + i);
  }

  private void add(String s) {
    ids.put(s, vocab.size());
    vocab.add(s);
  }

  String token(int id) {
    return vocab.get(id);
  }

  @Override
  public int[] encode(String text) {
    List<Integer> out = new ArrayList<>();
    String lower = text.toLowerCase(Locale.ROOT);
    int i = 0;
    while (i < lower.length()) {
      char c = lower.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (Character.isLetterOrDigit(c)) {
        int j = i;
        while (j < lower.length() && Character.isLetterOrDigit(lower.charAt(j))) j++;
        out.add(ids.getOrDefault(lower.substring(i, j), SpecialTokens.UNK_ID));
        i = j;
      } else {
        out.add(ids.getOrDefault(String.valueOf(c), SpecialTokens.UNK_ID));
        i++;
      }
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  @Override
  public int vocabSize() {
    return vocab.size();
  }

  @Override
  public int idOf(String token) {
    return ids.getOrDefault(token, -1);
  }
}
