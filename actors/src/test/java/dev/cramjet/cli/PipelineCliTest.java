package dev.cramjet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cramjet.checkpoint.CheckpointState;
import dev.cramjet.checkpoint.CheckpointStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tokenizer train -> data prepare -> pretrain on the shards -> resume, and bench train, through the real CLI. */
class PipelineCliTest {
  @TempDir Path dir;



  @Test
  void corpusToShardsToPretrainingAndResume() throws Exception {
    Path corpus = TestCorpus.write(dir, 4, 40, 9);
    Path tok = dir.resolve("tok");
    assertEquals(0, CliRun.run("tokenizer", "train", "--input", corpus.toString(), "--vocab-size", "200", "--out",
        tok.toString()).code());
    Path conf = dir.resolve("data.conf");
    Files.writeString(conf, "data { inputs = [\"corpus\"], tokenizer = \"tok\", seq-len = 32 }\n");
    Path shards = dir.resolve("shards");
    CliRun.Result prep = CliRun.run("data", "prepare", "--config", conf.toString(), "--out", shards.toString(), "--json");
    assertEquals(0, prep.code(), prep.err());
    JsonNode p = new ObjectMapper().readTree(prep.out());
    assertTrue(p.get("rows").asLong() > 100, prep.out());

    Path runConf = dir.resolve("run.conf");
    Files.writeString(runConf, """
        arch { preset = mini, hidden = 32, intermediate = 64, max-seq-len = 32 }
        train { preset = cpu-short, micro-batch = 8, batch-size = 16, checkpoint-every = 3steps, log-every = 2 }
        """);
    Path out = dir.resolve("run");
    CliRun.Result first = CliRun.run("pretrain", "--config", runConf.toString(), "--shards", shards.toString(), "--budget",
        "6steps", "--out", out.toString(), "--peak-flops", "1e11");
    assertEquals(0, first.code(), first.err());
    int vocab = Files.readAllLines(tok.resolve("vocab.txt")).size();
    assertTrue(first.err().contains("vocabulary size " + vocab + " taken from"), first.err());
    assertTrue(first.err().contains("step 6") && first.err().contains("loss"), first.err());
    Path ckpt = CheckpointStore.resolve(out);
    CheckpointState s = CheckpointStore.readState(ckpt);
    assertEquals(6, s.step());
    // The ramp reaches 2 micro-batches of 8 at t = 0.6: steps at t = 0, 1/6, 2/6, 3/6 read 8 rows, 4/6 and 5/6 read 16.
    assertEquals(4 * 8 + 2 * 16, s.rowsConsumed());
    assertEquals(vocab, s.arch().vocabSize());
    assertFalse(s.vocabHash().equals("none"));

    CliRun.Result more = CliRun.run("pretrain", "--config", runConf.toString(), "--shards", shards.toString(), "--budget",
        "9steps", "--out", out.toString(), "--resume", out.toString(), "--peak-flops", "1e11");
    assertEquals(0, more.code(), more.err());
    assertTrue(more.err().contains("resuming at step 6"), more.err());
    assertEquals(9, CheckpointStore.readState(CheckpointStore.resolve(out)).step());
    assertEquals(5, Files.readAllLines(out.resolve("metrics.jsonl")).size(), "steps 2, 4, 6 then 8, 9");
  }

  @Test
  void badInputExitsWithCodeTwoAndAClearMessage() throws Exception {
    Path conf = dir.resolve("bad.conf");
    Files.writeString(conf, "arch = tiny\ntrain { preset = cpu-short, schedule = zigzag }\n");
    CliRun.Result r = CliRun.run("pretrain", "--config", conf.toString(), "--budget", "1steps", "--out", dir.resolve("x").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("zigzag") && r.err().contains("budget-triangle"), r.err());
    assertFalse(Files.exists(dir.resolve("x")), "nothing written for a refused config");

    CliRun.Result unknown = CliRun.run("pretrain", "--config", "no-such-preset");
    assertEquals(2, unknown.code());
    assertTrue(unknown.err().contains("unknown run preset 'no-such-preset'") && unknown.err().contains("demo"),
        unknown.err());

    CliRun.Result budget = CliRun.run("pretrain", "--config", "demo", "--budget", "soon");
    assertEquals(2, budget.code());
    assertTrue(budget.err().contains("soon"), budget.err());
  }

  @Test
  void benchTrainPrintsOneJsonObject() throws Exception {
    CliRun.Result r = CliRun.run("bench", "train", "--arch", "mini", "--micro-batch", "4", "--steps", "2", "--warmup", "1",
        "--json");
    assertEquals(0, r.code(), r.err());
    JsonNode j = new ObjectMapper().readTree(r.out());
    for (String field : List.of("tokens_per_second", "ms_per_step", "model_flops_per_second", "params",
        "precision")) {
      assertTrue(j.has(field), field + " missing from " + r.out());
    }
    assertEquals("fp32", j.get("precision").asText());
    assertTrue(j.get("tokens_per_second").asDouble() > 0);
    // mini: word embedding 4096 x 128 + position scale 1 + embedding norm 256
    // + 2 layers x (norms 512 + qkv 384 x 128 + out 128 x 128 + ffn 512 x 128 + 128 x 256) + final norm 256
    assertEquals(524_288 + 1 + 256 + 2 * (512 + 49_152 + 16_384 + 65_536 + 32_768) + 256, j.get("params").asLong());
  }
}
