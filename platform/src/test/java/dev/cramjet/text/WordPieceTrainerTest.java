package dev.cramjet.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class WordPieceTrainerTest {
  private static Vocabulary train(List<String> texts, WordPieceTrainer.Options options) {
    return new WordPieceTrainer(options).train(texts.iterator());
  }

  @Test
  void sameCorpusGivesSameVocabulary() {
    List<String> corpus = TestTexts.corpus(11, 3000);
    WordPieceTrainer.Options o = WordPieceTrainer.Options.defaults().withVocabSize(1000);
    assertEquals(train(corpus, o).tokens(), train(corpus, o).tokens());
  }

  @Test
  void threadCountDoesNotChangeTheVocabulary() {
    List<String> corpus = TestTexts.corpus(12, 3000);
    WordPieceTrainer.Options o = WordPieceTrainer.Options.defaults().withVocabSize(1000);
    assertEquals(
        train(corpus, o).tokens(), new WordPieceTrainer(o.withThreads(3), 20_000).train(corpus.iterator()).tokens());
  }

  @Test
  void prunedCountingIsIndependentOfThreadCount() {
    List<String> corpus = new ArrayList<>(TestTexts.corpus(17, 2000));
    for (int i = 0; i < 3000; i++) {
      corpus.add("zq" + Integer.toString(i * 7919, 36) + " common words here");
    }
    Collections.shuffle(corpus, new java.util.Random(3));
    WordPieceTrainer.Options o =
        WordPieceTrainer.Options.defaults().withVocabSize(600).withMaxDistinctWords(1000);
    WordCounter one = new WordPieceTrainer(o, 5000).count(corpus.iterator(), c -> {});
    WordCounter three = new WordPieceTrainer(o.withThreads(3), 5000).count(corpus.iterator(), c -> {});
    assertTrue(one.size() <= 1000 + 5000, "bounded");
    assertEquals(List.of(one.sortedWords()), List.of(three.sortedWords()));
    assertEquals(
        new WordPieceTrainer(o, 5000).learn(one).tokens(), new WordPieceTrainer(o, 5000).learn(three).tokens());
    assertTrue(one.count("common") > 2000, "frequent words survive pruning");
  }

  @Test
  void differentCorporaGiveDifferentVocabularies() {
    WordPieceTrainer.Options o = WordPieceTrainer.Options.defaults().withVocabSize(1000);
    assertNotEquals(train(TestTexts.corpus(13, 3000), o).tokens(), train(TestTexts.corpus(14, 300), o).tokens());
  }

  @Test
  void specialTokensComeFirstThenTheWholeAsciiAlphabet() {
    Vocabulary v = train(List.of("hello world"), WordPieceTrainer.Options.defaults().withVocabSize(500));
    assertEquals(List.of(SpecialTokens.ALL), v.tokens().subList(0, SpecialTokens.COUNT));
    for (char c : WordPieceTrainer.ALPHABET_START.toCharArray()) {
      assertTrue(v.id(String.valueOf(c)) >= 0, "missing " + c);
    }
    for (char c : WordPieceTrainer.ALPHABET_CONTINUATION.toCharArray()) {
      assertTrue(v.id("##" + c) >= 0, "missing ##" + c);
    }
  }

  @Test
  void frequentWordsBecomeSingleTokens() {
    List<String> corpus = new ArrayList<>(Collections.nCopies(50, "extraordinary circumstances"));
    corpus.add("rare words");
    Vocabulary v = train(corpus, WordPieceTrainer.Options.defaults().withVocabSize(500));
    assertTrue(v.id("extraordinary") >= 0);
    assertTrue(v.id("circumstances") >= 0);
    assertEquals(-1, v.id("rare"), "pairs seen once are not merged");
  }

  @Test
  void vocabularyStopsAtTheRequestedSize() {
    Vocabulary v = train(TestTexts.corpus(15, 3000), WordPieceTrainer.Options.defaults().withVocabSize(400));
    assertEquals(400, v.size());
  }

  @Test
  void everyCorpusWordIsEncodedWithoutUnk() {
    List<String> corpus = TestTexts.corpus(16, 2000);
    WordPieceTokenizer t =
        new WordPieceTokenizer(train(corpus, WordPieceTrainer.Options.defaults().withVocabSize(700)));
    for (String line : corpus) {
      for (int id : t.encode(line)) {
        assertNotEquals(SpecialTokens.UNK_ID, id, line);
      }
    }
  }

  @Test
  void prunedCountsStayBoundedAndKeepFrequentWords() {
    WordCounter c = new WordCounter();
    for (int i = 0; i < 5000; i++) {
      c.add("w" + i, 1);
    }
    c.add("common", 100);
    c.pruneTo(1000);
    assertTrue(c.size() <= 1000);
    assertEquals(100, c.count("common"));
  }

  @Test
  void tooSmallVocabularyIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> WordPieceTrainer.Options.defaults().withVocabSize(50));
  }
}
