package dev.cramjet.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.cramjet.checkpoint.CheckpointState;
import dev.cramjet.checkpoint.CheckpointStore;
import dev.cramjet.config.RunConfig;
import dev.cramjet.text.SpecialTokens;
import dev.cramjet.text.Vocabulary;
import dev.cramjet.text.WordPieceTokenizer;
import dev.cramjet.train.MlmTrainer;
import dev.cramjet.util.BadInputException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExporterTest {
  @TempDir Path tmp;

  @Test
  void exportRoundTripsEveryTensorReadByHand() throws Exception {
    RunConfig cfg = RunConfig.fromConfig(ConfigFactory.parseString("""
        arch { preset = crammed-bert, name = test, vocab-size = 16, hidden = 32, layers = 2, heads = 2,
               intermediate = 64, max-seq-len = 16 }
        train { preset = cpu-short }
        """), List.of());
    List<String> tokens = new ArrayList<>(List.of(SpecialTokens.ALL));
    tokens.addAll(List.of("the", "cat", "sat"));
    Path tokDir = tmp.resolve("tok");
    WordPieceTokenizer tokenizer = new WordPieceTokenizer(Vocabulary.of(tokens));
    tokenizer.save(tokDir);

    Map<String, float[]> expected = new LinkedHashMap<>();
    Path checkpoint;
    try (NDManager m = NDManager.newBaseManager();
        MlmTrainer trainer = new MlmTrainer(cfg.arch(), cfg.train(), m)) {
      for (Map.Entry<String, NDArray> e : trainer.model().params().all().entrySet()) {
        expected.put(e.getKey(), e.getValue().toFloatArray());
      }
      CheckpointState state = new CheckpointState(CheckpointState.FORMAT_VERSION, cfg.arch(), 7, 700, 70, 1_000_000L,
          1, 2.5, "cfg", cfg.render(), "abc", tokenizer.vocabHash(), "2026-01-01T00:00:00Z", Map.of());
      checkpoint = new CheckpointStore(tmp.resolve("run/checkpoints"), 1).write(trainer.snapshot(state));
    }

    Path out = tmp.resolve("export");
    Exporter.Result r = Exporter.export(checkpoint, tokDir, out, false);
    assertEquals(expected.size(), r.tensors());

    // Read model.safetensors by hand: u64 little-endian header length, the JSON header, then raw little-endian data.
    byte[] file = Files.readAllBytes(out.resolve("model.safetensors"));
    long headerLen = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    JsonNode header = new ObjectMapper().readTree(new String(file, 8, (int) headerLen, StandardCharsets.UTF_8));
    assertEquals("pt", header.get("__metadata__").get("format").asText());
    int dataStart = 8 + (int) headerLen;
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = header.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (name.equals("__metadata__")) {
        continue;
      }
      names.add(name);
      JsonNode t = header.get(name);
      assertEquals("F32", t.get("dtype").asText());
      long begin = t.get("data_offsets").get(0).asLong();
      long end = t.get("data_offsets").get(1).asLong();
      long elements = 1;
      for (JsonNode d : t.get("shape")) {
        elements *= d.asLong();
      }
      assertEquals(elements * 4, end - begin, name);
      float[] values = new float[(int) elements];
      ByteBuffer.wrap(file, dataStart + (int) begin, (int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN)
          .asFloatBuffer().get(values);
      assertArrayEquals(expected.get(name), values, 0f, name);
    }
    assertEquals(expected.keySet().stream().sorted().toList(), names); // checkpoints are canonical: sorted by name
    assertTrue(names.contains("embedding.word.weight"), names.toString());
    assertTrue(names.contains("encoder.layer.1.attention.qkv.weight"), names.toString());

    JsonNode config = new ObjectMapper().readTree(out.resolve("config.json").toFile());
    assertEquals(32, config.get("hidden_size").asInt());
    assertEquals(2, config.get("num_hidden_layers").asInt());
    assertEquals(16, config.get("vocab_size").asInt());
    assertEquals(7, config.get("cramjet").get("step").asInt());
    assertEquals("GLU", config.get("cramjet").get("arch").get("ffn").asText());
    assertEquals("scaled_sinusoidal", config.get("position_embedding_type").asText());
    assertEquals(SpecialTokens.MASK_ID, config.get("mask_token_id").asInt());
    assertEquals("glu", config.at("/cramjet/conventions/feed_forward/type").asText());

    // The model card: what was trained, from the checkpoint's state, and every tensor with its shape.
    String card = Files.readString(out.resolve("README.md"));
    assertTrue(card.contains("| steps | 7 |") && card.contains("| tokens | 700 |"), card);
    assertTrue(card.contains("| final MLM loss | 2.5000 |") && card.contains("| code version (git commit) | abc |"),
        card);
    assertTrue(card.contains("| budget | 10m |"), card);
    assertTrue(card.contains("| `encoder.layer.1.attention.qkv.weight` | [96, 32] |"), card);
    assertEquals(expected.size(), card.lines().filter(l -> l.startsWith("| `")).count(), card);
    assertTrue(card.contains("gelu(gate) * value"), card);
    assertTrue(config.get("cramjet").get("tokenizer").get("matches_checkpoint").asBoolean(), config.toString());
    assertArrayEquals(Files.readAllBytes(tokDir.resolve("vocab.txt")), Files.readAllBytes(out.resolve("vocab.txt")));
    assertArrayEquals(Files.readAllBytes(tokDir.resolve("tokenizer.json")),
        Files.readAllBytes(out.resolve("tokenizer.json")));

    // An existing folder is not overwritten unless asked, and nothing temporary is left behind.
    assertThrows(BadInputException.class, () -> Exporter.export(checkpoint, tokDir, out, false));
    Exporter.export(checkpoint, tokDir, out, true);
    try (var s = Files.list(tmp)) {
      assertFalse(s.anyMatch(p -> p.getFileName().toString().startsWith(".export-")));
    }
  }

  /** A checkpoint of a 16-token model that records {@code vocabHash}, under {@code tmp/name}. */
  private Path checkpoint(String name, String vocabHash) throws Exception {
    RunConfig cfg = RunConfig.fromConfig(ConfigFactory.parseString("""
        arch { preset = crammed-bert, name = test, vocab-size = 16, hidden = 32, layers = 1, heads = 2,
               intermediate = 64, max-seq-len = 16 }
        train { preset = cpu-short }
        """), List.of());
    try (NDManager m = NDManager.newBaseManager();
        MlmTrainer trainer = new MlmTrainer(cfg.arch(), cfg.train(), m)) {
      CheckpointState state = new CheckpointState(CheckpointState.FORMAT_VERSION, cfg.arch(), 1, 100, 10, 1L, 1, 2.5,
          "cfg", "", "abc", vocabHash, "2026-01-01T00:00:00Z", Map.of());
      return new CheckpointStore(tmp.resolve(name).resolve("checkpoints"), 1).write(trainer.snapshot(state));
    }
  }

  /** A tokenizer of the special tokens and {@code words}, saved under {@code tmp/name}. */
  private WordPieceTokenizer tokenizer(String name, String... words) throws Exception {
    List<String> tokens = new ArrayList<>(List.of(SpecialTokens.ALL));
    tokens.addAll(List.of(words));
    WordPieceTokenizer t = new WordPieceTokenizer(Vocabulary.of(tokens));
    t.save(tmp.resolve(name));
    return t;
  }

  @Test
  void aTokenizerWithAnotherVocabularyHashIsRefusedUnlessForced() throws Exception {
    WordPieceTokenizer own = tokenizer("own", "the", "cat", "sat");
    tokenizer("other", "the", "dog", "ran", "far");
    Path ckpt = checkpoint("run", own.vocabHash());
    Path out = tmp.resolve("export");
    String m = assertThrows(BadInputException.class,
        () -> Exporter.export(ckpt, tmp.resolve("other"), out, false)).getMessage();
    String otherHash = WordPieceTokenizer.load(tmp.resolve("other")).vocabHash();
    assertTrue(m.contains(tmp.resolve("other/vocab.txt").toString()) && m.contains(otherHash)
        && m.contains(ckpt.resolve("state.json").toString()) && m.contains(own.vocabHash()) && m.contains("--force"), m);
    assertFalse(Files.exists(out), "nothing written for a refused export");

    List<String> warnings = new ArrayList<>();
    Exporter.export(ckpt, tmp.resolve("other"), out, false, true, warnings::add);
    assertEquals(1, warnings.size());
    assertTrue(warnings.get(0).contains(otherHash), warnings.get(0));
    JsonNode tok = new ObjectMapper().readTree(out.resolve("config.json").toFile()).get("cramjet").get("tokenizer");
    assertFalse(tok.get("matches_checkpoint").asBoolean(), tok.toString());
    assertEquals(otherHash, tok.get("vocab_hash").asText());
    assertEquals(9, tok.get("vocab_size").asInt());
  }

  @Test
  void withoutARecordedHashTheVocabularySizeMustMatch() throws Exception {
    Path ckpt = checkpoint("run", "none");
    tokenizer("small", "the", "cat", "sat"); // 8 tokens for a 16-token model
    String m = assertThrows(BadInputException.class,
        () -> Exporter.export(ckpt, tmp.resolve("small"), tmp.resolve("x"), false)).getMessage();
    assertTrue(m.contains("has 8 tokens") && m.contains("a vocabulary of 16") && m.contains("none"), m);
    assertEquals(16, CheckpointStore.readState(ckpt).vocabSize(), "the size is recorded in state.json");

    tokenizer("exact", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"); // 16 tokens
    Exporter.export(ckpt, tmp.resolve("exact"), tmp.resolve("ok"), false);
    JsonNode c = new ObjectMapper().readTree(tmp.resolve("ok/config.json").toFile()).get("cramjet");
    assertEquals(16, c.get("vocab_size").asInt());
    assertEquals("none", c.get("vocab_hash").asText());
    assertTrue(c.get("tokenizer").get("matches_checkpoint").asBoolean());
  }

  @Test
  void exportedFilesGetTheUmaskModeNotTheSourceFilesMode() throws Exception {
    WordPieceTokenizer own = tokenizer("own", "the", "cat", "sat");
    Path ckpt = checkpoint("run", own.vocabHash());
    for (String f : List.of("vocab.txt", "tokenizer.json")) { // as an older tokenizer train left them
      Files.setPosixFilePermissions(tmp.resolve("own").resolve(f), PosixFilePermissions.fromString("rw-------"));
    }
    Path out = tmp.resolve("export");
    Exporter.export(ckpt, tmp.resolve("own"), out, false);
    var fileMode = Files.getPosixFilePermissions(Files.createFile(tmp.resolve("plain")));
    var dirMode = Files.getPosixFilePermissions(Files.createDirectory(tmp.resolve("plain-dir")));
    assertEquals(dirMode, Files.getPosixFilePermissions(out));
    for (String f : List.of("model.safetensors", "config.json", "vocab.txt", "tokenizer.json")) {
      assertEquals(fileMode, Files.getPosixFilePermissions(out.resolve(f)), f);
    }
  }

  @Test
  void aCheckpointWrittenBeforeVocabSizeWasRecordedFallsBackToTheArchitecture() throws Exception {
    Path ckpt = checkpoint("old", "none");
    Path state = ckpt.resolve("state.json");
    String json = Files.readString(state);
    assertTrue(json.contains("\"vocabSize\" : 16"), json);
    String older = json.replaceAll("(\"vocabHash\" : \"none\",)\\s*\"vocabSize\" : 16,", "$1");
    assertTrue(older.length() < json.length() && older.contains("\"vocabSize\" : 16"), "only the top-level field");
    Files.writeString(state, older);
    CheckpointState s = CheckpointStore.readState(ckpt);
    assertEquals(0, s.vocabSize());
    assertEquals(16, s.vocabularySize());
    tokenizer("eight", "the", "cat", "sat");
    String m = assertThrows(BadInputException.class,
        () -> Exporter.export(ckpt, tmp.resolve("eight"), tmp.resolve("x"), false)).getMessage();
    assertTrue(m.contains("has 8 tokens") && m.contains("a vocabulary of 16"), m);
  }
}
