package dev.cramjet.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PreTokenizerTest {
  @Test
  void whitespaceSeparatesWords() {
    assertEquals(List.of("one", "two", "three"), PreTokenizer.split("  one\ttwo\n\nthree "));
  }

  @Test
  void eachPunctuationCharIsItsOwnPiece() {
    assertEquals(List.of("wow", "!", "!", "?"), PreTokenizer.split("wow!!?"));
  }

  @Test
  void apostropheSplitsAWord() {
    assertEquals(List.of("don", "'", "t"), PreTokenizer.split("Don\u2019t"));
  }

  @Test
  void digitsStayInsideWords() {
    assertEquals(List.of("abc123", "4", ".", "5"), PreTokenizer.split("abc123 4.5"));
  }

  @Test
  void allAsciiPunctuationRangesArePunctuation() {
    String punct = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
    for (char c = 0; c < 128; c++) {
      assertEquals(punct.indexOf(c) >= 0, PreTokenizer.isPunctuation(c), "char " + (int) c);
    }
  }

  @Test
  void specialTokensInRawTextAreKept() {
    assertEquals(List.of("a", "[MASK]", "b", "[SEP]"), PreTokenizer.split("a [MASK]b[SEP]"));
  }

  @Test
  void lowercaseSpecialTokenIsPlainText() {
    assertEquals(List.of("[", "mask", "]"), PreTokenizer.split("[mask]"));
  }

  @Test
  void droppedCharactersJoinTheLettersAround() {
    assertEquals(List.of("abcd"), PreTokenizer.split("ab\u65E5c\u0001d"));
  }

  @Test
  void unicodeWhitespaceSeparatesWords() {
    assertEquals(List.of("a", "b"), PreTokenizer.split("a\u00A0b"));
  }

  @Test
  void emptyAndBlankTextGiveNoPieces() {
    assertTrue(PreTokenizer.split("").isEmpty());
    assertTrue(PreTokenizer.split(" \t\r\n\u3000").isEmpty());
  }

  @Test
  void longWordsAreNotCut() {
    List<String> pieces = PreTokenizer.split("x".repeat(5000));
    assertEquals(1, pieces.size());
    assertEquals(5000, pieces.get(0).length());
    assertFalse(pieces.get(0).isEmpty());
  }
}
