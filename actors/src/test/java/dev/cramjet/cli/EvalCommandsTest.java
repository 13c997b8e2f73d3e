package dev.cramjet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.cramjet.checkpoint.CheckpointState;
import dev.cramjet.checkpoint.CheckpointStore;
import dev.cramjet.config.RunConfig;
import dev.cramjet.eval.Metric;
import dev.cramjet.eval.TaskSpec;
import dev.cramjet.eval.TsvLayout;
import dev.cramjet.text.SpecialTokens;
import dev.cramjet.text.Vocabulary;
import dev.cramjet.text.WordPieceTokenizer;
import dev.cramjet.train.MlmTrainer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** glue, predict and export end to end through the command line, on a tiny untrained checkpoint. */
class EvalCommandsTest {
  @TempDir Path tmp;
  Path checkpoint;
  Path suite;

  @BeforeEach
  void setUp() throws Exception {
    List<String> tokens = new ArrayList<>(List.of(SpecialTokens.ALL));
    tokens.addAll(List.of("good", "bad", "film", "the"));
    Path run = tmp.resolve("run");
    new WordPieceTokenizer(Vocabulary.of(tokens)).save(run.resolve("tokenizer"));
    RunConfig cfg = RunConfig.fromConfig(ConfigFactory.parseString("""
        arch { preset = crammed-bert, name = test, vocab-size = 16, hidden = 32, layers = 1, heads = 2,
               intermediate = 64, max-seq-len = 16 }
        train { preset = cpu-short }
        """), List.of());
    try (NDManager m = NDManager.newBaseManager();
        MlmTrainer trainer = new MlmTrainer(cfg.arch(), cfg.train(), m)) {
      CheckpointState state = new CheckpointState(CheckpointState.FORMAT_VERSION, cfg.arch(), 3, 300, 30, 1L, 1, 2.0,
          "cfg", "", "abc", "none", "2026-01-01T00:00:00Z", Map.of());
      checkpoint = new CheckpointStore(run.resolve("checkpoints"), 1).write(trainer.snapshot(state));
    }
    suite = tmp.resolve("suite");
    new TaskSpec("toy", suite.resolve("toy"), TsvLayout.SST2, List.of("0", "1"), List.of(Metric.ACCURACY),
        "train.tsv", Map.of("toy", "dev.tsv")).save();
    Files.writeString(suite.resolve("toy/train.tsv"), "sentence\tlabel\nthe good film\t1\nthe bad film\t0\n");
    Files.writeString(suite.resolve("toy/dev.tsv"), "sentence\tlabel\ngood film\t1\nbad film\t0\nbad\t0\n");
  }

  /** Runs the CLI with stdout and stderr captured; returns {exit code, stdout}. */
  private static Object[] cli(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
      int code = Main.run(args);
      return new Object[] {code, buf.toString(StandardCharsets.UTF_8)};
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  @Test
  void glueOnAStandInSuiteWritesReportsAndOneJsonObject() throws Exception {
    Object[] r = cli("glue", "--checkpoint", tmp.resolve("run").toString(), "--data", suite.toString(), "--epochs", "1",
        "--seeds", "2", "--out", tmp.resolve("report").toString(), "--json");
    assertEquals(0, r[0], (String) r[1]);
    JsonNode j = new ObjectMapper().readTree((String) r[1]);
    assertTrue(j.get("title").asText().contains("stand-in"), j.toString());
    assertEquals("toy", j.get("tasks").get(0).get("name").asText());
    assertEquals(3, j.get("tasks").get(0).get("dev_examples").asInt());
    assertEquals(2, j.get("tasks").get(0).get("per_seed").size());
    assertTrue(Files.readString(tmp.resolve("report/report.md")).contains("| toy | avg |"));
    assertTrue(Files.isRegularFile(tmp.resolve("report/report.json")));
  }

  @Test
  void glueReportsAMissingTaskAsBadInput() {
    Object[] r = cli("glue", "--checkpoint", checkpoint.toString(), "--data", suite.toString(), "--tasks", "rte");
    assertEquals(Main.EXIT_USAGE, r[0]);
  }

  @Test
  void predictPrintsCandidatesPerMask() throws Exception {
    Object[] r = cli("predict", "--checkpoint", checkpoint.toString(), "--top-k", "3", "--json", "the [MASK] film [MASK]");
    assertEquals(0, r[0], (String) r[1]);
    JsonNode j = new ObjectMapper().readTree((String) r[1]);
    assertEquals(2, j.get("masks").size());
    assertEquals(3, j.get("masks").get(0).get("candidates").size());
    assertEquals(2, j.get("masks").get(0).get("position").asInt());
  }

  @Test
  void exportWritesTheFourFiles() throws Exception {
    Path out = tmp.resolve("export");
    Object[] r = cli("export", "--checkpoint", checkpoint.toString(), "--out", out.toString(), "--json");
    assertEquals(0, r[0], (String) r[1]);
    for (String f : List.of("model.safetensors", "config.json", "vocab.txt", "tokenizer.json")) {
      assertTrue(Files.isRegularFile(out.resolve(f)), f);
    }
    assertTrue(new ObjectMapper().readTree((String) r[1]).get("tensors").asInt() > 5);
  }

  @Test
  void suiteBuildWritesFourTasksFromGivenCorpora() throws Exception {
    Path reviews = tmp.resolve("reviews.jsonl");
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 60; i++) {
      sb.append("{\"text\":\"review ").append(i).append("\",\"label\":").append(i % 2).append("}\n");
    }
    Files.writeString(reviews, sb);
    Path brown = tmp.resolve("brown");
    Files.createDirectories(brown);
    for (char g : "abcdefghjklmnpr".toCharArray()) {
      for (int f = 1; f <= 3; f++) {
        StringBuilder doc = new StringBuilder();
        for (int i = 0; i < 8; i++) {
          doc.append("c").append(g).append("0").append(f).append(" s").append(i).append(" one two three four\n");
        }
        Files.writeString(brown.resolve("c" + g + "0" + f + ".txt"), doc);
      }
    }
    Object[] r = cli("suite", "build", "--out", tmp.resolve("built").toString(), "--imdb", reviews.toString(),
        "--brown", brown.toString(), "--train-size", "20", "--dev-size", "16", "--json");
    assertEquals(0, r[0], (String) r[1]);
    JsonNode j = new ObjectMapper().readTree((String) r[1]);
    assertEquals(4, j.get("tasks").size());
    assertEquals(20, j.get("tasks").get("brown-genre").get("train").asInt());
    assertTrue(Files.isRegularFile(tmp.resolve("built/brown-acceptability/task.json")));
  }
}
