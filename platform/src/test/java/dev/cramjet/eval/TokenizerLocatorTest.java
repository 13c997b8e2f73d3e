package dev.cramjet.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cramjet.text.SpecialTokens;
import dev.cramjet.text.Vocabulary;
import dev.cramjet.text.WordPieceTokenizer;
import dev.cramjet.util.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerLocatorTest {
  @TempDir Path tmp;

  private static WordPieceTokenizer tokenizer(String... words) {
    List<String> t = new ArrayList<>(List.of(SpecialTokens.ALL));
    t.addAll(List.of(words));
    return new WordPieceTokenizer(Vocabulary.of(t));
  }

  @Test
  void findsATokenizerFolderBesideTheRun() throws Exception {
    Path checkpoint = Files.createDirectories(tmp.resolve("run/checkpoints/step-00000010"));
    tokenizer("a").save(tmp.resolve("run/tokenizer"));
    assertEquals(tmp.resolve("run/tokenizer").toAbsolutePath(), TokenizerLocator.locate(checkpoint, null));
  }

  @Test
  void findsACachedTokenizerByTheCheckpointsVocabularyHash() throws Exception {
    WordPieceTokenizer wanted = tokenizer("b", "c");
    tokenizer("a").save(tmp.resolve("cache/k1"));
    wanted.save(tmp.resolve("cache/k2"));
    assertEquals(tmp.resolve("cache/k2"), TokenizerLocator.byHash(tmp.resolve("cache"), wanted.vocabHash()));
    assertNull(TokenizerLocator.byHash(tmp.resolve("cache"), "0".repeat(64)));
    assertNull(TokenizerLocator.byHash(tmp.resolve("nowhere"), wanted.vocabHash()));
  }

  @Test
  void reportsWhereItLookedWhenNothingIsFound() throws Exception {
    Path checkpoint = Files.createDirectories(tmp.resolve("lonely/checkpoints/step-00000001"));
    BadInputException e = assertThrows(BadInputException.class, () -> TokenizerLocator.locate(checkpoint, null));
    assertTrue(e.getMessage().contains("pass --tokenizer DIR"), e.getMessage());
    assertThrows(BadInputException.class, () -> TokenizerLocator.locate(checkpoint, tmp.resolve("lonely")));
  }
}
