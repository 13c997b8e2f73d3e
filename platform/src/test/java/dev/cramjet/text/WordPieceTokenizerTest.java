package dev.cramjet.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class WordPieceTokenizerTest {
  private static WordPieceTokenizer tokenizer(String... tokens) {
    List<String> all = new ArrayList<>(Arrays.asList(SpecialTokens.ALL));
    all.addAll(Arrays.asList(tokens));
    return new WordPieceTokenizer(Vocabulary.of(all));
  }

  private static final WordPieceTokenizer SMALL =
      tokenizer("un", "##aff", "##able", "##a", "##f", "##b", "##l", "##e", "a", "u", "##n", "runn", "##ing", ",", ".",
          "!", "the", "x", "##x");

  @Test
  void longestMatchFirst() {
    assertEquals(List.of("un", "##aff", "##able"), SMALL.tokenize("unaffable"));
  }

  @Test
  void wholeWordWinsOverPieces() {
    assertEquals(List.of("the", ",", "runn", "##ing", "!"), SMALL.tokenize("The, running!"));
  }

  @Test
  void unmatchableWordIsOneUnk() {
    assertArrayEquals(new int[] {SpecialTokens.UNK_ID, SMALL.idOf("the")}, SMALL.encode("unaffablez the"));
  }

  @Test
  void wordOfMaxLengthIsSplitAndLongerIsUnk() {
    int[] max = SMALL.encode("x".repeat(WordPieceTokenizer.MAX_WORD_CHARS));
    assertEquals(WordPieceTokenizer.MAX_WORD_CHARS, max.length);
    assertArrayEquals(new int[] {SpecialTokens.UNK_ID}, SMALL.encode("x".repeat(WordPieceTokenizer.MAX_WORD_CHARS + 1)));
  }

  @Test
  void specialTokenInTextKeepsItsId() {
    assertArrayEquals(new int[] {SMALL.idOf("the"), SpecialTokens.MASK_ID, SMALL.idOf(".")}, SMALL.encode("the [MASK]."));
  }

  @Test
  void emptyTextHasNoIds() {
    assertEquals(0, SMALL.encode("").length);
    assertEquals(0, SMALL.encode(" \n\t ").length);
  }

  @Test
  void decodeGluesContinuationPieces() {
    assertEquals("unaffable , the", SMALL.decode(SMALL.encode("Unaffable, THE")));
  }

  @Test
  void decodeRejectsUnknownIds() {
    assertThrows(IllegalArgumentException.class, () -> SMALL.decode(new int[] {SMALL.vocabSize()}));
  }

  @Test
  void encodeThenDecodeGivesThePreTokenizedText() {
    WordPieceTokenizer trained =
        new WordPieceTokenizer(
            new WordPieceTrainer(WordPieceTrainer.Options.defaults().withVocabSize(800))
                .train(TestTexts.corpus(5, 3000).iterator()));
    for (String line : TestTexts.corpus(6, 500)) {
      assertEquals(String.join(" ", PreTokenizer.split(line)), trained.decode(trained.encode(line)), line);
    }
  }

  @Test
  void encodeAllOnThreadsMatchesOneByOne() {
    WordPieceTokenizer trained =
        new WordPieceTokenizer(
            new WordPieceTrainer(WordPieceTrainer.Options.defaults().withVocabSize(600))
                .train(TestTexts.corpus(8, 2000).iterator()));
    List<String> texts = TestTexts.varied(9, 3000);
    int[][] parallel = trained.encodeAll(texts, 4);
    for (int i = 0; i < texts.size(); i++) {
      assertArrayEquals(trained.encode(texts.get(i)), parallel[i]);
    }
  }
}
