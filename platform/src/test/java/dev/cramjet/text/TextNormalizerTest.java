package dev.cramjet.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.text.Normalizer;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class TextNormalizerTest {
  @Test
  void curlySingleQuotesBecomeApostrophes() {
    assertEquals("it's 'quoted'", TextNormalizer.normalize("it\u2019s \u2018quoted\u2019"));
  }

  @Test
  void curlyDoubleQuotesAndGuillemetsBecomeDoubleQuotes() {
    assertEquals("\"a\" \"b\" \"c\"", TextNormalizer.normalize("\u201Ca\u201D \u201Eb\u201C \u00ABc\u00BB"));
  }

  @Test
  void dashesAndEllipsisBecomeAscii() {
    assertEquals("a-b-c wait...", TextNormalizer.normalize("a\u2014b\u2013c wait\u2026"));
  }

  @Test
  void uppercaseIsLowered() {
    assertEquals("hello world", TextNormalizer.normalize("HeLLo WORLD"));
  }

  @Test
  void accentsAreStripped() {
    assertEquals("cafe naive angstrom", TextNormalizer.normalize("Caf\u00E9 na\u00EFve \u00C5ngstr\u00F6m"));
  }

  @Test
  void combiningMarksAlreadyDecomposedAreStripped() {
    assertEquals("ea", TextNormalizer.normalize("e\u0301a\u0308"));
  }

  @Test
  void nonAsciiWithoutAsciiBaseIsDropped() {
    assertEquals("ab", TextNormalizer.normalize("a\u65E5\u672C\u00DFb"));
  }

  @Test
  void emojiSurrogatePairsAreDropped() {
    assertEquals("ok", TextNormalizer.normalize("o\uD83D\uDE00k"));
  }

  @Test
  void loneSurrogatesAreDropped() {
    assertEquals("ab", TextNormalizer.normalize("a\uD800b\uDC00"));
  }

  @Test
  void whitespaceRunsCollapseToOneSpace() {
    assertEquals(" a b c ", TextNormalizer.normalize(" \t a \r\n b\u00A0\u3000c\u2028"));
  }

  @Test
  void controlCharactersAreDropped() {
    assertEquals("abcd", TextNormalizer.normalize("a\u0001b\u007Fc\u001Fd"));
  }

  @Test
  void compatibilityFormsAreNotFolded() {
    // NFD, not NFKD: a fullwidth letter has no canonical decomposition, so it is dropped like any non-ASCII.
    assertEquals("x", TextNormalizer.normalize("\uFF21x"));
  }

  @Test
  void noSupplementaryCodePointNormalisesToAsciiOrSpace() {
    // The normaliser maps UTF-16 units one at a time and drops surrogates; this is the fact that makes it exact.
    for (int cp = 0x10000; cp <= 0x10FFFF; cp++) {
      if (!Character.isDefined(cp)) {
        continue;
      }
      String s = Normalizer.normalize(new String(Character.toChars(cp)), Normalizer.Form.NFD).toLowerCase(Locale.ROOT);
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        int codePoint = cp;
        assertTrue(c >= 128 && TextNormalizer.UNICODE_SPACES.indexOf(c) < 0, () -> "U+" + Integer.toHexString(codePoint));
      }
    }
  }
}
