package dev.cramjet.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tokenizer.json that Cramjet writes makes Hugging Face tokenizers (through DJL) produce exactly its ids. */
class HfParityTest {
  @TempDir static Path dir;
  static WordPieceTokenizer ours;
  static HuggingFaceTokenizer hf;

  @BeforeAll
  static void trainAndLoad() throws Exception {
    Vocabulary vocab =
        new WordPieceTrainer(WordPieceTrainer.Options.defaults().withVocabSize(3000))
            .train(TestTexts.corpus(1, 20_000).iterator());
    ours = new WordPieceTokenizer(vocab);
    ours.save(dir);
    hf =
        HuggingFaceTokenizer.newInstance(
            dir.resolve(WordPieceTokenizer.HF_FILE),
            Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
  }

  @AfterAll
  static void close() {
    if (hf != null) {
      hf.close();
    }
  }

  private static int[] hfIds(String text) {
    return Arrays.stream(hf.encode(text, false, false).getIds()).mapToInt(Math::toIntExact).toArray();
  }

  @Test
  void variedLinesGiveIdenticalIds() {
    List<String> lines = TestTexts.varied(7, 12_000);
    int checked = 0;
    for (String line : lines) {
      int[] expected = hfIds(line);
      int[] actual = ours.encode(line);
      assertArrayEquals(expected, actual, () -> "ids differ for line: " + escape(line));
      checked++;
    }
    assertEquals(12_000, checked);
  }

  @Test
  void corpusLikeLinesGiveIdenticalIdsAndUseMerges() {
    long multiCharTokens = 0;
    for (String line : TestTexts.corpus(99, 2_000)) {
      int[] actual = ours.encode(line);
      assertArrayEquals(hfIds(line), actual, () -> "ids differ for line: " + line);
      multiCharTokens += Arrays.stream(actual).filter(id -> ours.vocabulary().token(id).length() > 1).count();
    }
    assertTrue(multiCharTokens > 10_000, "the trained vocabulary should produce multi-char tokens");
  }

  @Test
  void aLongDocumentGivesIdenticalIds() {
    String doc = String.join("\n", TestTexts.varied(3, 300));
    assertArrayEquals(hfIds(doc), ours.encode(doc));
  }

  @Test
  void specialTokensTemplateAddsClsAndSepOnlyWhenAsked() {
    long[] ids = hf.encode("Hello there.", true, false).getIds();
    assertEquals(SpecialTokens.CLS_ID, ids[0]);
    assertEquals(SpecialTokens.SEP_ID, ids[ids.length - 1]);
    assertEquals(ours.encode("Hello there.").length + 2, ids.length);
  }

  private static String escape(String s) {
    StringBuilder sb = new StringBuilder();
    s.codePoints()
        .forEach(cp -> sb.append(cp >= 32 && cp < 127 ? String.valueOf((char) cp) : String.format("\\u{%x}", cp)));
    return sb.toString();
  }
}
