package dev.cramjet.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cramjet.util.BadInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VocabularyFilesTest {
  @TempDir Path dir;

  private static WordPieceTokenizer trained() {
    return new WordPieceTokenizer(
        new WordPieceTrainer(WordPieceTrainer.Options.defaults().withVocabSize(500))
            .train(TestTexts.corpus(2, 1500).iterator()));
  }

  @Test
  void saveThenLoadGivesTheSameTokenizer() throws Exception {
    WordPieceTokenizer t = trained();
    t.save(dir);
    WordPieceTokenizer back = WordPieceTokenizer.load(dir);
    assertEquals(t.vocabulary().tokens(), back.vocabulary().tokens());
    assertEquals(t.vocabHash(), back.vocabHash());
    String text = TestTexts.corpus(3, 1).get(0);
    assertArrayEquals(t.encode(text), back.encode(text));
  }

  @Test
  void saveLeavesNoTempFiles() throws Exception {
    trained().save(dir);
    try (var files = Files.list(dir)) {
      assertEquals(List.of(WordPieceTokenizer.HF_FILE, WordPieceTokenizer.VOCAB_FILE),
          files.map(p -> p.getFileName().toString()).sorted().toList());
    }
  }

  @Test
  void vocabHashIsSha256OfVocabTxt() throws Exception {
    WordPieceTokenizer t = trained();
    t.save(dir);
    byte[] bytes = Files.readAllBytes(dir.resolve(WordPieceTokenizer.VOCAB_FILE));
    assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)), t.vocabHash());
  }

  @Test
  void tokenizerJsonHoldsTheVocabularyAndSpecialTokens() throws Exception {
    WordPieceTokenizer t = trained();
    t.save(dir);
    JsonNode json = new ObjectMapper().readTree(dir.resolve(WordPieceTokenizer.HF_FILE).toFile());
    assertEquals("WordPiece", json.at("/model/type").asText());
    assertEquals(t.vocabSize(), json.at("/model/vocab").size());
    assertEquals(t.idOf("##e"), json.at("/model/vocab/##e").asInt());
    assertEquals(SpecialTokens.MASK, json.at("/added_tokens/4/content").asText());
  }

  @Test
  void duplicateTokenIsReportedWithFileAndLine() throws Exception {
    Path vocab = writeVocab("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\na\nb\na\n");
    BadInputException e = assertThrows(BadInputException.class, () -> Vocabulary.read(vocab));
    assertTrue(e.getMessage().contains(vocab + ":8"), e.getMessage());
    assertTrue(e.getMessage().contains("line 6"), e.getMessage());
  }

  @Test
  void emptyLineIsReportedWithFileAndLine() throws Exception {
    Path vocab = writeVocab("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\na\n\nb\n");
    BadInputException e = assertThrows(BadInputException.class, () -> Vocabulary.read(vocab));
    assertTrue(e.getMessage().startsWith(vocab + ":7: empty token"), e.getMessage());
  }

  @Test
  void specialTokensOutOfPlaceAreReported() throws Exception {
    Path vocab = writeVocab("[UNK]\n[PAD]\n[CLS]\n[SEP]\n[MASK]\na\n");
    BadInputException e = assertThrows(BadInputException.class, () -> Vocabulary.read(vocab));
    assertTrue(e.getMessage().startsWith(vocab + ":1: expected special token [PAD]"), e.getMessage());
  }

  @Test
  void missingFolderIsReported() {
    BadInputException e =
        assertThrows(BadInputException.class, () -> WordPieceTokenizer.load(dir.resolve("nope")));
    assertTrue(e.getMessage().contains("nope"), e.getMessage());
  }

  @Test
  void missingVocabFileIsReported() {
    BadInputException e = assertThrows(BadInputException.class, () -> WordPieceTokenizer.load(dir));
    assertTrue(e.getMessage().contains(WordPieceTokenizer.VOCAB_FILE), e.getMessage());
  }

  private Path writeVocab(String content) throws Exception {
    Path vocab = dir.resolve(WordPieceTokenizer.VOCAB_FILE);
    Files.writeString(vocab, content, StandardCharsets.UTF_8);
    return vocab;
  }
}
