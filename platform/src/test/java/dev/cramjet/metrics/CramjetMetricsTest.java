package dev.cramjet.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cramjet.budget.Budget;
import dev.cramjet.budget.ClockState;
import dev.cramjet.train.StepRecord;
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
    m.onStep(record(12, 384, 49152, Double.NaN, 0.25, 32, 0.4, 570, 3, 8192, 0.7));
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
    assertEquals(70, new ClockState(30_000_000_000L, 0, 0).remainingSeconds(Budget.parse("100s")), 1e-9);
    assertEquals(0, new ClockState(130_000_000_000L, 0, 0).remainingSeconds(Budget.parse("100s")));
    assertEquals(90, new ClockState(10_000_000_000L, 100, 0).remainingSeconds(Budget.parse("1000steps")), 1e-9);
    assertTrue(Double.isNaN(new ClockState(0, 0, 0).remainingSeconds(Budget.parse("1000steps"))));
  }

  @Test
  void eachStepIsObservedOnceWithItsOwnDuration(@TempDir Path dir) throws IOException {
    CramjetMetrics m = new CramjetMetrics();
    // Two steps of 0.02 s and one of 1.5 s: the histogram holds these three, not a window mean.
    m.onStep(record(1, 32, 4096, 8.3, 0.05, 32, 0.3, 58, 0, 1, 0.02));
    m.onStep(record(2, 64, 8192, 8.2, 0.06, 32, 0.3, 57, 0, 1, 0.02));
    m.onStep(record(3, 128, 16384, 8.0, 0.07, 64, 0.31, 48, 0, 1, 1.5));
    Path ckpt = Files.createDirectories(dir.resolve("step-3"));
    Files.write(ckpt.resolve("model.safetensors"), new byte[1000]);
    m.onCheckpoint(ckpt, 0.3, 1024);
    m.onCheckpointFailed("checkpoint of step 4 failed: disk full");
    String t = text(m);
    assertEquals(3, value(t, "cramjet_step_duration_seconds_count"), "one observation per optimizer step");
    assertEquals(1.54, value(t, "cramjet_step_duration_seconds_sum"), 1e-9);
    assertEquals(2, value(t, "cramjet_step_duration_seconds_bucket{le=\"0.02\"}"), "the two short steps");
    assertEquals(2, value(t, "cramjet_step_duration_seconds_bucket{le=\"1.28\"}"), "the long step is not averaged in");
    assertEquals(128, value(t, "cramjet_rows_trained_total"));
    assertEquals(48, value(t, "cramjet_budget_remaining_seconds"));
    assertEquals(64, value(t, "cramjet_batch_rows"));
    assertEquals(1024, value(t, "cramjet_checkpoint_size_bytes"));
    assertEquals(1, value(t, "cramjet_checkpoint_duration_seconds_count"));
    assertEquals(1, value(t, "cramjet_checkpoint_failures_total"));
    assertTrue(value(t, "cramjet_checkpoint_last_success_timestamp_seconds") > 1.6e9);
    assertTrue(!t.contains("cramjet_tokens_per_second"), "throughput is rate(cramjet_tokens_trained_total)");
  }

  private static StepRecord record(long step, long rows, long tokens, double loss, double accuracy, int batchRows,
      double mfu, double remaining, long overflows, double lossScale, double seconds) {
    return new StepRecord(step, rows, tokens, loss, accuracy, 1e-3, batchRows, 1.5, false, 0, 0, overflows, lossScale,
        seconds, 2000, mfu, 0.05, 30, remaining, true);
  }
}
