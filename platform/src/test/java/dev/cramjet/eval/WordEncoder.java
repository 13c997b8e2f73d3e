package dev.cramjet.eval;

import dev.cramjet.text.SpecialTokens;
import dev.cramjet.text.TextEncoder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A whitespace tokenizer over a fixed word list, ids after the special tokens: a stand-in for WordPiece in tests. */
final class WordEncoder implements TextEncoder {
  final Map<String, Integer> ids = new LinkedHashMap<>();
  final List<String> words;

  WordEncoder(List<String> words) {
    this.words = words;
    for (String w : words) {
      ids.put(w, SpecialTokens.COUNT + ids.size());
    }
  }

  @Override
  public int[] encode(String text) {
    return java.util.Arrays.stream(text.trim().split("\\s+")).filter(s -> !s.isEmpty())
        .mapToInt(w -> ids.getOrDefault(w, SpecialTokens.UNK_ID)).toArray();
  }

  @Override
  public int vocabSize() {
    return SpecialTokens.COUNT + words.size();
  }

  @Override
  public int idOf(String token) {
    if (token.equals(SpecialTokens.MASK)) {
      return SpecialTokens.MASK_ID;
    }
    return ids.getOrDefault(token, -1);
  }
}
