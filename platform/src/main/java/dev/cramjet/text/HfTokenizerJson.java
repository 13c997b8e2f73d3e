package dev.cramjet.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Writes a Hugging Face {@code tokenizer.json} that reproduces {@link WordPieceTokenizer} exactly: the normaliser
 * steps of {@link TextNormalizer} as a {@code Sequence} of {@code Replace}/{@code NFD}/{@code Lowercase}/
 * {@code StripAccents}, {@code BertPreTokenizer}, a {@code WordPiece} model with {@code ##} and
 * {@value WordPieceTokenizer#MAX_WORD_CHARS} max chars, the special tokens as added tokens (matched in raw text), a
 * {@code [CLS] A [SEP] (B [SEP])} template that applies only when special tokens are asked for, and a WordPiece
 * decoder. It does not read tokenizer.json back; {@code vocab.txt} is the source of truth.
 */
final class HfTokenizerJson {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private HfTokenizerJson() {}

  static byte[] toBytes(Vocabulary vocab) {
    try {
      return JSON.writeValueAsBytes(build(vocab));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ObjectNode build(Vocabulary vocab) {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    for (int id = 0; id < SpecialTokens.COUNT; id++) {
      ObjectNode t = added.addObject();
      t.put("id", id);
      t.put("content", SpecialTokens.ALL[id]);
      t.put("single_word", false);
      t.put("lstrip", false);
      t.put("rstrip", false);
      t.put("normalized", false);
      t.put("special", true);
    }
    root.set("normalizer", normalizer());
    root.putObject("pre_tokenizer").put("type", "BertPreTokenizer");
    root.set("post_processor", postProcessor());
    ObjectNode decoder = root.putObject("decoder");
    decoder.put("type", "WordPiece");
    decoder.put("prefix", Vocabulary.CONTINUATION);
    decoder.put("cleanup", true);
    ObjectNode model = root.putObject("model");
    model.put("type", "WordPiece");
    model.put("unk_token", SpecialTokens.UNK);
    model.put("continuing_subword_prefix", Vocabulary.CONTINUATION);
    model.put("max_input_chars_per_word", WordPieceTokenizer.MAX_WORD_CHARS);
    ObjectNode v = model.putObject("vocab");
    for (int id = 0; id < vocab.size(); id++) {
      v.put(vocab.token(id), id);
    }
    return root;
  }

  /** The steps of {@link TextNormalizer}, in its order; the regexes are Oniguruma's (Hugging Face's engine). */
  private static ObjectNode normalizer() {
    ObjectNode seq = JSON.createObjectNode();
    seq.put("type", "Sequence");
    ArrayNode steps = seq.putArray("normalizers");
    steps.add(replace("[" + TextNormalizer.SINGLE_QUOTES + "]", "'"));
    steps.add(replace("[" + TextNormalizer.DOUBLE_QUOTES + "]", "\""));
    steps.add(replace("[" + TextNormalizer.DASHES + "]", "-"));
    steps.add(replace(String.valueOf(TextNormalizer.ELLIPSIS), "..."));
    steps.addObject().put("type", "NFD");
    steps.addObject().put("type", "Lowercase");
    steps.addObject().put("type", "StripAccents");
    // Keep printable ASCII, ASCII whitespace and Unicode whitespace; drop control characters and all else.
    steps.add(replace("[^\\t-\\r -~" + TextNormalizer.UNICODE_SPACES + "]", ""));
    steps.add(replace("[\\t-\\r " + TextNormalizer.UNICODE_SPACES + "]+", " "));
    return seq;
  }

  private static ObjectNode replace(String regex, String content) {
    ObjectNode r = JSON.createObjectNode();
    r.put("type", "Replace");
    r.putObject("pattern").put("Regex", regex);
    r.put("content", content);
    return r;
  }

  private static ObjectNode postProcessor() {
    ObjectNode p = JSON.createObjectNode();
    p.put("type", "TemplateProcessing");
    ArrayNode single = p.putArray("single");
    special(single, SpecialTokens.CLS, 0);
    sequence(single, "A", 0);
    special(single, SpecialTokens.SEP, 0);
    ArrayNode pair = p.putArray("pair");
    special(pair, SpecialTokens.CLS, 0);
    sequence(pair, "A", 0);
    special(pair, SpecialTokens.SEP, 0);
    sequence(pair, "B", 1);
    special(pair, SpecialTokens.SEP, 1);
    ObjectNode specials = p.putObject("special_tokens");
    for (int id : new int[] {SpecialTokens.CLS_ID, SpecialTokens.SEP_ID}) {
      ObjectNode s = specials.putObject(SpecialTokens.ALL[id]);
      s.put("id", SpecialTokens.ALL[id]);
      s.putArray("ids").add(id);
      s.putArray("tokens").add(SpecialTokens.ALL[id]);
    }
    return p;
  }

  private static void special(ArrayNode template, String token, int typeId) {
    ObjectNode t = template.addObject().putObject("SpecialToken");
    t.put("id", token);
    t.put("type_id", typeId);
  }

  private static void sequence(ArrayNode template, String id, int typeId) {
    ObjectNode t = template.addObject().putObject("Sequence");
    t.put("id", id);
    t.put("type_id", typeId);
  }
}
