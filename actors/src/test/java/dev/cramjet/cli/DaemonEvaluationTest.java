package dev.cramjet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.cramjet.actors.ControlAction;
import dev.cramjet.actors.TestRuns;
import dev.cramjet.actors.control.ControlClient;
import dev.cramjet.actors.control.Daemon;
import dev.cramjet.actors.control.PlatformLauncher;
import dev.cramjet.actors.runtime.EvalSettings;
import dev.cramjet.actors.runtime.Evaluator;
import dev.cramjet.config.RunConfig;
import dev.cramjet.testing.Await;
import dev.cramjet.text.SpecialTokens;
import dev.cramjet.util.BadInputException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /evaluate} on an in-process daemon whose config names a fine-tuning task ({@code daemon.eval}): a tiny
 * model, a trivially separable SST-2-format task written here, two epochs. The scores reach the status and the
 * metrics, the report files are written, and training steps on during the evaluation.
 */
class DaemonEvaluationTest {
  @TempDir Path tmp;

  static final List<String> WORDS = List.of("good", "great", "bad", "awful", "the", "a", "film", "was", "plot", "very");

  /** A vocabulary of the special tokens and {@link #WORDS}: 15 ids, within the test model's 32. */
  static Path tokenizer(Path dir) throws Exception {
    Files.createDirectories(dir);
    List<String> lines = new ArrayList<>(List.of(SpecialTokens.PAD, SpecialTokens.UNK, SpecialTokens.CLS,
        SpecialTokens.SEP, SpecialTokens.MASK));
    lines.addAll(WORDS);
    Files.writeString(dir.resolve("vocab.txt"), String.join("\n", lines) + "\n");
    return dir;
  }

  /** SST-2's files (header "sentence\tlabel"): label 1 iff the sentence holds "good" or "great". */
  static Path sst2(Path glue, int trainRows, int devRows) throws Exception {
    Path dir = Files.createDirectories(glue.resolve("SST-2"));
    SplittableRandom rng = new SplittableRandom(7);
    for (String file : List.of("train.tsv", "dev.tsv")) {
      StringBuilder sb = new StringBuilder("sentence\tlabel\n");
      int n = file.equals("train.tsv") ? trainRows : devRows;
      for (int i = 0; i < n; i++) {
        int label = i % 2;
        List<String> w = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
          w.add(List.of("the", "a", "film", "was", "plot", "very").get(rng.nextInt(6)));
        }
        w.add(rng.nextInt(w.size() + 1), label == 1 ? (rng.nextBoolean() ? "good" : "great")
            : (rng.nextBoolean() ? "bad" : "awful"));
        sb.append(String.join(" ", w)).append('\t').append(label).append('\n');
      }
      Files.writeString(dir.resolve(file), sb.toString());
    }
    return glue;
  }

  private RunConfig config(String evalBlock) {
    return TestRuns.config("100000steps", """
        run { shards = synthetic, out = "%s" }
        daemon.eval-rows = 32
        %s
        """.formatted(tmp.resolve("run"), evalBlock));
  }

  @Test
  void evaluateFineTunesTheConfiguredTaskWhileTrainingGoesOn() throws Exception {
    Path glue = sst2(tmp.resolve("glue"), 240, 60);
    Path tok = tokenizer(tmp.resolve("tok"));
    RunConfig cfg = config("daemon.eval { data = \"%s\", tasks = [sst2], epochs = 2, tokenizer = \"%s\" }"
        .formatted(glue, tok));
    PlatformLauncher.Launched launched = PlatformLauncher.launch(cfg, "127.0.0.1", 0, null, null, 8, Double.NaN,
        dev.cramjet.train.StepListener.NONE, ConfigFactory.load());
    Daemon daemon = launched.daemon();
    try {
      assertTrue(launched.evaluationNote().contains("held-out MLM on 32 rows, then fine-tunes SST-2 (GLUE (dev sets), "
          + "protocol crammed, 2 epochs, 1 seed)"), launched.evaluationNote());
      ControlClient ctl = ControlClient.fromRunDir(launched.runDir(), null);
      Await.until(Duration.ofSeconds(60), "step 2 in /status", () -> ctl.status().body(),
          b -> b.path("step").asLong() >= 2);
      ControlClient.Answer first = ctl.act(ControlAction.EVALUATE);
      assertEquals(200, first.status(), first.body().toString());
      long evaluatedStep = first.body().path("step").asLong();
      ControlClient.Answer second = ctl.act(ControlAction.EVALUATE);
      assertEquals(409, second.status(), "a second evaluation while one runs: " + second.body());
      JsonNode during = ctl.status().body();
      assertTrue(during.path("evaluating").asBoolean(), during.toString());
      String what = during.path("evaluating_task").asText();
      assertTrue(List.of("starting", Evaluator.TASK, "SST-2").contains(what), "evaluating_task " + what);

      JsonNode s = Await.until(Duration.ofSeconds(120), Duration.ofMillis(50), "the evaluation to end in /status",
          () -> ctl.status().body(), b -> !b.path("evaluating").asBoolean() && !b.path("last_evaluation").isNull());
      JsonNode e = s.path("last_evaluation");
      assertFalse(e.isMissingNode() || e.isNull(), "no evaluation result: " + s);
      assertTrue(e.path("error").isNull(), e.toString());
      assertEquals(evaluatedStep, e.path("step").asLong());
      assertTrue(e.path("loss").asDouble() > 0, "held-out MLM loss: " + e);
      assertTrue(e.path("end_step").asLong() > evaluatedStep,
          "training stepped during the evaluation: " + e.path("end_step") + " vs " + evaluatedStep);
      assertEquals(1, e.path("tasks").size(), e.toString());
      JsonNode t = e.path("tasks").get(0);
      assertEquals("SST-2", t.path("name").asText());
      double score = t.path("score").asDouble(-1);
      assertTrue(score >= 0 && score <= 100, "accuracy in percent: " + t);
      assertTrue(t.path("metrics").has("accuracy"), t.toString());
      assertEquals(score, e.path("average").asDouble(), 1e-9);
      assertTrue(s.path("evaluating_task").isNull());

      Path report = Path.of(e.path("report").asText());
      assertEquals(tmp.resolve("run").resolve("evaluations").resolve(String.format("step-%08d", evaluatedStep)),
          report);
      JsonNode json = new ObjectMapper().readTree(Files.readString(report.resolve("report.json")));
      assertEquals(evaluatedStep, json.path("step").asLong());
      assertEquals("SST-2", json.path("tasks").get(0).path("name").asText());
      assertEquals(60, json.path("tasks").get(0).path("dev_examples").asInt());
      assertTrue(json.path("mlm_heldout").path("accuracy").isNumber(), json.toString());
      assertTrue(json.path("title").asText().contains("GLUE"));
      String md = Files.readString(report.resolve("report.md"));
      assertTrue(md.contains("SST-2") && md.contains("Held-out MLM at step " + evaluatedStep), md);

      String metrics = get(daemon.url(), "/metrics", Files.readString(launched.runDir().resolve("token")).trim());
      assertEquals(score / 100, metric(metrics, "cramjet_eval_score{split=\"dev\",task=\"SST-2\"}"), 1e-6);
      assertEquals(score / 100, metric(metrics, "cramjet_eval_score{split=\"dev\",task=\"average\"}"), 1e-6);
      assertEquals(e.path("accuracy").asDouble(),
          metric(metrics, "cramjet_eval_score{split=\"heldout\",task=\"mlm\"}"), 1e-6);

      ControlClient.Answer again = ctl.act(ControlAction.EVALUATE);
      assertEquals(200, again.status(), "a new evaluation once the last has ended: " + again.body());
      // The run ends while that evaluation may still fine-tune: it is cancelled, and the stop is not held up.
      Daemon.Stopped stopped = daemon.stopGracefully(Duration.ofSeconds(60));
      assertTrue(stopped.ended(), stopped.message());
    } finally {
      daemon.stopGracefully(Duration.ofSeconds(60));
      daemon.close();
    }
  }

  @Test
  void badEvalSettingsNameTheKey() throws Exception {
    Path tok = tokenizer(tmp.resolve("tok"));
    Path glue = sst2(tmp.resolve("glue"), 4, 2);
    assertNull(EvalSettings.resolve(config(""), tmp.resolve("run"), "none"), "no block: MLM only");

    BadInputException noData = assertThrows(BadInputException.class, () -> EvalSettings.resolve(
        config("daemon.eval { data = \"%s\", tokenizer = \"%s\" }".formatted(tmp.resolve("nope"), tok)),
        tmp.resolve("run"), "none"));
    assertTrue(noData.getMessage().contains("daemon.eval.data") && noData.getMessage().contains("nope"),
        noData.getMessage());

    BadInputException noTask = assertThrows(BadInputException.class, () -> EvalSettings.resolve(
        config("daemon.eval { data = \"%s\", tasks = [CoLA], tokenizer = \"%s\" }".formatted(glue, tok)),
        tmp.resolve("run"), "none"));
    assertTrue(noTask.getMessage().contains("daemon.eval.tasks") && noTask.getMessage().contains("SST-2"),
        noTask.getMessage());

    BadInputException unknown = assertThrows(BadInputException.class, () -> EvalSettings.resolve(
        config("daemon.eval { data = \"%s\", tokenizer = \"%s\", epoch = 2 }".formatted(glue, tok)),
        tmp.resolve("run"), "none"));
    assertTrue(unknown.getMessage().contains("daemon.eval.epoch"), unknown.getMessage());

    BadInputException noTokenizer = assertThrows(BadInputException.class, () -> EvalSettings.resolve(
        config("daemon.eval { data = \"%s\" }".formatted(glue)), tmp.resolve("run"), "none"));
    assertTrue(noTokenizer.getMessage().contains("daemon.eval.tokenizer"), noTokenizer.getMessage());

    BadInputException protocol = assertThrows(BadInputException.class, () -> EvalSettings.resolve(
        config("daemon.eval { data = \"%s\", tokenizer = \"%s\", protocol = nonesuch }".formatted(glue, tok)),
        tmp.resolve("run"), "none"));
    assertTrue(protocol.getMessage().contains("daemon.eval.protocol"), protocol.getMessage());

    Evaluator.Tasks ok = EvalSettings.resolve(
        config("daemon.eval { data = \"%s\", tokenizer = \"%s\", epochs = 3, seeds = 2 }".formatted(glue, tok)),
        tmp.resolve("run"), "none");
    assertEquals(List.of("SST-2"), ok.specs().stream().map(dev.cramjet.eval.TaskSpec::name).toList());
    assertEquals(3, ok.protocol().epochs());
    assertEquals(List.of(1L, 2L), ok.seeds());
    assertEquals(tmp.resolve("run").resolve("evaluations"), ok.outDir());
  }

  private static String get(URI base, String path, String token) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve(path))
        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return r.body();
  }

  private static double metric(String text, String series) {
    for (String line : text.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    throw new AssertionError(series + " not in metrics:\n" + text);
  }
}
