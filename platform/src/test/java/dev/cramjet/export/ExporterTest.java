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
    new WordPieceTokenizer(Vocabulary.of(tokens)).save(tokDir);

    Map<String, float[]> expected = new LinkedHashMap<>();
    Path checkpoint;
    try (NDManager m = NDManager.newBaseManager();
        MlmTrainer trainer = new MlmTrainer(cfg.arch(), cfg.train(), m)) {
      for (Map.Entry<String, NDArray> e : trainer.model().params().all().entrySet()) {
        expected.put(e.getKey(), e.getValue().toFloatArray());
      }
      CheckpointState state = new CheckpointState(CheckpointState.FORMAT_VERSION, cfg.arch(), 7, 700, 70, 1_000_000L,
          1, 2.5, "cfg", "", "abc", "vocab", "2026-01-01T00:00:00Z", Map.of());
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
}
