package dev.cramjet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cramjet.checkpoint.CheckpointStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo end to end on a local corpus with a step budget (no network, same result on a busy machine). */
class DemoCliTest {
  @TempDir Path dir;

  private static String[] run(String... args) {
    CliRun.Result r = CliRun.run(args);
    assertEquals(0, r.code(), r.err());
    return new String[] {r.out(), r.err()};
  }

  /** A separable SST-2-format task: sentences with "whale" are positive. */
  private Path sst2Task() throws Exception {
    Path task = Files.createDirectories(dir.resolve("suite/SST-2"));
    StringBuilder train = new StringBuilder("sentence\tlabel\n");
    StringBuilder dev = new StringBuilder("sentence\tlabel\n");
    java.util.Random r = new java.util.Random(3);
    String[] words = {"the", "ship", "sailed", "north", "cold", "water", "morning", "sea"};
    for (int i = 0; i < 120; i++) {
      StringBuilder sb = new StringBuilder();
      for (int k = 0; k < 6; k++) {
        sb.append(words[r.nextInt(words.length)]).append(' ');
      }
      boolean pos = i % 2 == 0;
      String line = (pos ? sb + "whale" : sb.toString().trim()) + "\t" + (pos ? 1 : 0) + "\n";
      (i < 80 ? train : dev).append(line);
    }
    Files.writeString(task.resolve("train.tsv"), train);
    Files.writeString(task.resolve("dev.tsv"), dev);
    return task.getParent();
  }

  @Test
  void glueOptionsAreCheckedBeforeAnyWork() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    StringBuilder err = new StringBuilder();
    for (String[] args : List.of(
        new String[] {"demo", "--glue", empty.toString(), "--out", dir.resolve("r1").toString()},
        new String[] {"demo", "--glue-tasks", "rte", "--out", dir.resolve("r2").toString()},
        new String[] {"demo", "--glue", sst2Task().toString(), "--glue-tasks", "qqp", "--out",
            dir.resolve("r3").toString()})) {
      CliRun.Result r = CliRun.run(args);
      assertEquals(2, r.code(), r.err());
      err.append(r.err());
    }
    String e = err.toString();
    assertTrue(e.contains("glue fetch --out"), e);
    assertTrue(e.contains("--glue-tasks needs --glue DIR"), e);
    assertTrue(e.contains("--glue-tasks: no task 'qqp'"), e);
    assertTrue(!Files.exists(dir.resolve("r1")) && !Files.exists(dir.resolve("r3")), "no run folder was made");
  }

  @Test
  void demoWritesReportPlotsAndCheckpointAndSecondRunReusesTheCaches() throws Exception {
    Path corpus = TestCorpus.write(dir, 3, 60, 5);
    Path cache = dir.resolve("cache");
    Path out = dir.resolve("run");
    Path suite = sst2Task();
    String[] first = run("demo", "--corpus", corpus.toString(), "--cache", cache.toString(), "--out", out.toString(),
        "--vocab-size", "300", "--budget", "30steps", "--set", "train.log-every=3", "--set", "train.micro-batch=16",
        "--set", "train.batch-size=32", "--set", "daemon.eval-rows=32", "--glue", suite.toString(), "--glue-tasks", "sst2",
        "--eval-epochs", "1", "--eval-seeds", "2");
    for (String f : List.of("report.md", "report.html", "loss.png", "lr.png", "batch.png", "throughput.png",
        "eval.png", "config.conf", "metrics.jsonl", "eval/pretrained.json", "eval/no-pretraining.json",
        "export/model.safetensors", "export/config.json", "export/vocab.txt", "export/tokenizer.json")) {
      assertTrue(Files.isRegularFile(out.resolve(f)), f + " missing");
      assertTrue(Files.size(out.resolve(f)) > 100, f + " is nearly empty");
    }
    assertEquals(30, CheckpointStore.readState(CheckpointStore.resolve(out)).step());
    assertTrue(first[1].contains("trained tokenizer"), first[1]);
    assertTrue(first[1].contains("GLUE evaluation: 1 tasks (SST-2), 80 training rows"), first[1]);

    List<JsonNode> log = DemoReport.readMetrics(out.resolve("metrics.jsonl"));
    assertEquals(10, log.size());
    for (JsonNode row : log) {
      assertTrue(Double.isFinite(row.get("loss").asDouble()) && Double.isFinite(row.get("lr").asDouble()), row::toString);
    }
    double firstLoss = log.get(0).get("loss").asDouble();
    double lastLoss = log.get(log.size() - 1).get("loss").asDouble();
    assertTrue(lastLoss < firstLoss - 0.5, "loss fell from " + firstLoss + " to " + lastLoss);

    // The report quotes the metrics log's first and last loss.
    String md = Files.readString(out.resolve("report.md"));
    Matcher m = Pattern.compile("MLM loss ([0-9.]+) at step (\\d+), ([0-9.]+) at step (\\d+)").matcher(md);
    assertTrue(m.find(), md);
    assertEquals(firstLoss, Double.parseDouble(m.group(1)), 0.0005);
    assertEquals(lastLoss, Double.parseDouble(m.group(3)), 0.0005);
    assertEquals(30, Integer.parseInt(m.group(4)));
    assertTrue(Files.readString(out.resolve("report.html")).contains("<img src=\"loss.png\""));
    assertTrue(first[0].contains("final MLM loss"), first[0]);
    // Both models were fine-tuned and scored on the task; the report and the terminal show the table.
    assertTrue(md.contains("| SST-2 | accuracy |"), md);
    // Medians of two seeds with their ranges, and fill-mask answers of both models on the fixed prompts.
    assertTrue(md.contains("with 2 seeds each (1..2)") && md.contains("| range | pretrained | range |"), md);
    assertTrue(Files.readString(out.resolve("eval/pretrained.json")).contains("\"seeds\" : [ 1, 2 ]"),
        Files.readString(out.resolve("eval/pretrained.json")));
    for (String prompt : DemoEvaluation.PROMPTS) {
      assertTrue(md.contains("| `" + prompt + "` |"), prompt + " missing: " + md);
    }
    assertTrue(first[0].contains("fill-mask, top 3 (pretrained | random weights)"), first[0]);
    // The report names the precision the trainer resolved (`auto` in the demo config: bf16 on a CPU with native bf16,
    // else fp32), the same word as the pretrain header on stderr.
    Matcher p = Pattern.compile("pretrained for 30steps on CPU in (fp32|bf16)\\.").matcher(md);
    assertTrue(p.find(), md);
    assertTrue(first[1].contains("at the end of the ramp, " + p.group(1) + ","), first[1]);
    // The held-out MLM loss: the data's last 32 rows (daemon.eval-rows), masked as sweep cells are. Recomputed here
    // from the checkpoint and the cached shards with the masker built by hand and another batch size.
    Matcher h = Pattern.compile("held-out MLM loss ([0-9.]+) \\(accuracy ([0-9.]+)%\\) on the last (\\d+) rows of the "
        + "data, never trained on; random weights: ([0-9.]+)").matcher(md);
    assertTrue(h.find(), md);
    assertTrue(first[0].contains(h.group()), first[0]);
    assertEquals(32, Integer.parseInt(h.group(3)));
    double heldOut = Double.parseDouble(h.group(1));
    assertTrue(heldOut < Double.parseDouble(h.group(4)) - 0.2, "pretrained " + heldOut + " against random " + h.group(4));
    Path shards;
    try (var s = Files.list(cache.resolve("shards"))) {
      shards = s.findFirst().orElseThrow();
    }
    var cfg = dev.cramjet.config.RunConfig.load("demo", List.of("run.shards=\"" + shards + "\"",
        "train.micro-batch=16", "train.batch-size=32", "daemon.eval-rows=32"));
    var held = dev.cramjet.actors.runtime.RunRows.open(cfg).heldOut();
    Path ckpt = CheckpointStore.resolve(out);
    var snap = CheckpointStore.read(ckpt);
    try (ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager();
        dev.cramjet.model.CrammedBert model = new dev.cramjet.model.CrammedBert(snap.state().arch(), manager, 0)) {
      dev.cramjet.checkpoint.Tensors.copyInto(model.params().all(), snap.params(), ckpt.toString());
      var masker = new dev.cramjet.train.MlmMasker(0.25, held.seqLen(), snap.state().arch().vocabSize(),
          dev.cramjet.eval.MlmEvaluator.HELD_OUT_SEED);
      var r = dev.cramjet.eval.MlmEvaluator.evaluate(model, held, 0, 32, masker, 5);
      assertEquals(r.loss(), heldOut, 5e-4);
      assertEquals(100 * r.accuracy(), Double.parseDouble(h.group(2)), 0.05);
    }
    assertTrue(first[0].contains("SST-2") && first[0].contains("no pretraining"), first[0]);
    assertTrue(first[1].contains("[4/7] platform") && first[1].contains("control API  http://127.0.0.1:"), first[1]);
    // The in-process trainer reports through the same step listener as `pretrain`: its header and its steps.
    assertTrue(first[1].contains("training FLOPs per token, MFU measured against"), first[1]);
    assertTrue(first[1].contains("[5/7] pretrain") && first[1].contains("[7/7] report"), first[1]);

    String[] second = run("demo", "--corpus", corpus.toString(), "--cache", cache.toString(), "--out",
        dir.resolve("run2").toString(), "--vocab-size", "300", "--budget", "2steps", "--no-eval", "--set", "daemon.eval-rows=32");
    assertTrue(second[1].contains("reusing cached tokenizer") && second[1].contains("reusing cached shards"),
        second[1]);
  }
}
