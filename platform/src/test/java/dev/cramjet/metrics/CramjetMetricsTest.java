package dev.cramjet.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cramjet.budget.Budget;
import dev.cramjet.train.PretrainRun;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CramjetMetricsTest {
  private static String text(CramjetMetrics m) {
    return new String(MetricsText.render(m.registry()), StandardCharsets.UTF_8);
  }

  /** The value of the sample whose name-and-labels part is exactly {@code series}. */
  private static double value(String text, String series) {
    for (String line : text.split("\n")) {
      if (!line.startsWith("#") && line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    throw new AssertionError("no sample " + series + " in:\n" + text);
  }

  @Test
  void eventSeriesExistAtZeroBeforeAnythingHappens() {
    String t = text(new CramjetMetrics());
    assertEquals(0, value(t, "cramjet_checkpoint_failures_total"));
    assertEquals(0, value(t, "cramjet_trainer_data_wait_seconds_total"));
    assertEquals(0, value(t, "cramjet_paused"));
    assertEquals(0, value(t, "cramjet_prefetch_queue_batches"));
    assertEquals(0, value(t, "cramjet_checkpoint_duration_seconds_count"));
    assertTrue(value(t, "jvm_memory_used_bytes{area=\"heap\"}") > 0, "JVM metrics are registered");
    assertTrue(value(t, "cramjet_native_memory_bytes") > 0, "RSS outside the heap includes at least the JVM's code");
    // training numbers appear only once a step is published: no fake zeros for loss
    assertTrue(!t.contains("cramjet_loss"), t);
  }

  @Test
  void publishedSnapshotIsWhatAScrapeReads() {
    CramjetMetrics m = new CramjetMetrics();
    m.publish(new TrainingSnapshot(12, 384, 49152, Double.NaN, 0.25, 1e-3, 32, 1.5, 2000, 0.4, 30, 570, 0.05, 3,
        8192));
    String t = text(m);
    assertEquals(12, value(t, "cramjet_optimizer_steps_total"));
    assertEquals(384, value(t, "cramjet_rows_trained_total"));
    assertEquals(49152, value(t, "cramjet_tokens_trained_total"));
    assertTrue(Double.isNaN(value(t, "cramjet_loss")), "a skipped step's NaN loss is exported as NaN");
    assertEquals(0.25, value(t, "cramjet_mlm_accuracy_ratio"));
    assertEquals(0.4, value(t, "cramjet_model_flops_utilization_ratio"));
    assertEquals(570, value(t, "cramjet_budget_remaining_seconds"));
    assertEquals(3, value(t, "cramjet_fp16_overflow_steps_total"));
    assertEquals(8192, value(t, "cramjet_loss_scale"));
  }

  @Test
  void runtimeMethodsMoveTheirSeries() {
    CramjetMetrics m = new CramjetMetrics();
    m.recordDataWait(0.5);
    m.recordDataWait(0.25);
    m.setPrefetchQueueDepth(3);
    m.setPaused(true);
    m.addLoaderRows(100);
    m.addTokenized(4000, 900);
    m.recordCheckpointFailure();
    m.setEvalScore("sst2", "validation", 0.81);
    String t = text(m);
    assertEquals(0.75, value(t, "cramjet_trainer_data_wait_seconds_total"));
    assertEquals(2, value(t, "cramjet_trainer_batch_wait_seconds_count"));
    assertEquals(3, value(t, "cramjet_prefetch_queue_batches"));
    assertEquals(1, value(t, "cramjet_paused"));
    assertEquals(100, value(t, "cramjet_loader_rows_total"));
    assertEquals(4000, value(t, "cramjet_tokenizer_bytes_total"));
    assertEquals(900, value(t, "cramjet_tokenizer_tokens_total"));
    assertEquals(1, value(t, "cramjet_checkpoint_failures_total"));
    assertEquals(0.81, value(t, "cramjet_eval_score{split=\"validation\",task=\"sst2\"}"));
  }

  @Test
  void evalLabelsMustBeShortNames() {
    CramjetMetrics m = new CramjetMetrics();
    var e = assertThrows(IllegalArgumentException.class, () -> m.setEvalScore("free text task", "dev", 1));
    assertTrue(e.getMessage().contains("free text task"), e.getMessage());
  }

  @Test
  void sampleNamesIncludeFamiliesWithoutSeriesYet() {
    var names = MetricsText.sampleNames(new CramjetMetrics().registry());
    assertTrue(names.contains("cramjet_eval_score"), names.toString());
    assertTrue(names.contains("cramjet_step_duration_seconds_bucket"), names.toString());
    assertTrue(names.contains("cramjet_optimizer_steps_total"), names.toString());
    assertTrue(names.contains("jvm_gc_collection_seconds_count"), names.toString());
  }

  @Test
  void remainingSecondsIsExactForTimeAndExtrapolatedOtherwise() {
    assertEquals(70, TrainingSnapshot.remainingSeconds(Budget.parse("100s"), 30, 0.3));
    assertEquals(0, TrainingSnapshot.remainingSeconds(Budget.parse("100s"), 130, 1));
    assertEquals(90, TrainingSnapshot.remainingSeconds(Budget.parse("1000steps"), 10, 0.1), 1e-9);
    assertTrue(Double.isNaN(TrainingSnapshot.remainingSeconds(Budget.parse("1000steps"), 0, 0)));
  }

  @Test
  void listenerRecordsStepsAndCheckpointsAndForwardsEverything(@TempDir Path dir) throws IOException {
    CramjetMetrics m = new CramjetMetrics();
    List<String> seen = new ArrayList<>();
    PretrainRun.Listener printer = new PretrainRun.Listener() {
      @Override
      public void onStep(PretrainRun.StepLog log) {
        seen.add("step " + log.step());
      }

      @Override
      public void onCheckpoint(Path folder, double seconds) {
        seen.add("checkpoint");
      }

      @Override
      public void onMessage(String message) {
        seen.add(message);
      }
    };
    var listener = new TrainingMetricsListener(m, 128, printer);
    listener.onStart(new PretrainRun.StartInfo(null, 1, 1, 1, 1, "test", "fp32", Budget.parse("60s"), 32, 64, 0));
    listener.onStep(new PretrainRun.StepLog(5, 0.1, 6, 8.2, 0.06, 5e-4, 32, 2.0, 5 * 32 * 128, 3000, 0.3, false, 0, 1));
    listener.onStep(new PretrainRun.StepLog(10, 0.2, 12, 8.0, 0.07, 6e-4, 64, 1.8, 15 * 32 * 128, 3100, 0.31, false, 0, 1));
    Path ckpt = Files.createDirectories(dir.resolve("step-10"));
    Files.write(ckpt.resolve("model.safetensors"), new byte[1000]);
    Files.write(ckpt.resolve("state.json"), new byte[24]);
    listener.onCheckpoint(ckpt, 0.3);
    listener.onMessage("hello");

    String t = text(m);
    assertEquals(10, value(t, "cramjet_step_duration_seconds_count"), "one observation per optimizer step");
    assertEquals(15 * 32, value(t, "cramjet_rows_trained_total"));
    assertEquals(48, value(t, "cramjet_budget_remaining_seconds"));
    assertEquals(64, value(t, "cramjet_batch_rows"));
    assertEquals(1024, value(t, "cramjet_checkpoint_size_bytes"));
    assertEquals(1, value(t, "cramjet_checkpoint_duration_seconds_count"));
    assertTrue(value(t, "cramjet_checkpoint_last_success_timestamp_seconds") > 1.6e9);
    assertEquals(List.of("step 5", "step 10", "checkpoint", "hello"), seen);
  }
}
