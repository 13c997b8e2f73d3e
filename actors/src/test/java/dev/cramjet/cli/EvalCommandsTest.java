package dev.cramjet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
    tokens.addAll(List.of("good", "bad", "film", "the", "a", "was", "plot", "very", "great", "awful", "it"));
    // 16 tokens: the checkpoint below records no vocabulary hash ("none"), so the size must match the model's
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
    CliRun.Result r = CliRun.run(args);
    return new Object[] {r.code(), r.out()};
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

  /** A tokenizer folder of the special tokens and {@code words}. */
  private Path tokenizer(String name, String... words) throws Exception {
    List<String> tokens = new ArrayList<>(List.of(SpecialTokens.ALL));
    tokens.addAll(List.of(words));
    Path dir = tmp.resolve(name);
    new WordPieceTokenizer(Vocabulary.of(tokens)).save(dir);
    return dir;
  }

  /** Runs the CLI; returns {exit code, stdout, stderr}. */
  private static String[] cliErr(String... args) {
    CliRun.Result r = CliRun.run(args);
    return new String[] {Integer.toString(r.code()), r.out(), r.err()};
  }

  @Test
  void predictAndExportRefuseATokenizerOfAnotherSizeUnlessForced() throws Exception {
    Path small = tokenizer("small", "good", "bad"); // 7 tokens for the 16-token model
    String[] p = cliErr("predict", "--checkpoint", checkpoint.toString(), "--tokenizer", small.toString(), "good [MASK]");
    assertEquals("2", p[0], p[2]);
    assertTrue(p[2].contains(small.resolve("vocab.txt") + " has 7 tokens") && p[2].contains("a vocabulary of 16")
        && p[2].contains(checkpoint.resolve("state.json").toString()) && p[2].contains("--force"), p[2]);
    String[] forced = cliErr("predict", "--checkpoint", checkpoint.toString(), "--tokenizer", small.toString(),
        "--force", "--json", "good [MASK]");
    assertEquals("0", forced[0], forced[2]);
    assertTrue(forced[2].contains("warning: the tokenizer does not match"), forced[2]);

    Path out = tmp.resolve("export-small");
    String[] e = cliErr("export", "--checkpoint", checkpoint.toString(), "--tokenizer", small.toString(), "--out",
        out.toString());
    assertEquals("2", e[0], e[2]);
    assertTrue(e[2].contains("has 7 tokens") && e[2].contains("a vocabulary of 16"), e[2]);
    assertTrue(Files.notExists(out), "nothing exported");
    assertEquals("0", cliErr("export", "--checkpoint", checkpoint.toString(), "--tokenizer", small.toString(), "--out",
        out.toString(), "--force")[0]);
    JsonNode t = new ObjectMapper().readTree(out.resolve("config.json").toFile()).get("cramjet").get("tokenizer");
    assertFalse(t.get("matches_checkpoint").asBoolean(), t.toString());
  }

  @Test
  void aSyntheticRunRecordsItsVocabularySizeAndExportChecksIt() throws Exception {
    Path run = tmp.resolve("synthetic-run");
    Path conf = tmp.resolve("synthetic.conf");
    Files.writeString(conf, """
        arch { preset = crammed-bert, name = test, vocab-size = 64, hidden = 32, layers = 1, heads = 2,
               intermediate = 64, max-seq-len = 16 }
        train { preset = cpu-short, budget = 1steps, micro-batch = 4, batch-size = 4 }
        run { shards = synthetic, out = "%s" }
        """.formatted(run.toString().replace("\\", "\\\\")));
    String[] pre = cliErr("pretrain", "--config", conf.toString(), "--peak-flops", "1e12");
    assertEquals("0", pre[0], pre[2]);
    Path ckpt = CheckpointStore.resolve(run);
    JsonNode state = new ObjectMapper().readTree(ckpt.resolve("state.json").toFile());
    assertEquals("none", state.get("vocabHash").asText());
    assertEquals(64, state.get("vocabSize").asInt(), state.toString());
    Path tok = tokenizer("nine", "good", "bad", "film", "the"); // 9 tokens, as a 1,000-token one for an 8,192 model
    String[] e = cliErr("export", "--checkpoint", run.toString(), "--tokenizer", tok.toString(), "--out",
        tmp.resolve("synthetic-export").toString());
    assertEquals("2", e[0], e[2]);
    assertTrue(e[2].contains("has 9 tokens") && e[2].contains("a vocabulary of 64"), e[2]);
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
