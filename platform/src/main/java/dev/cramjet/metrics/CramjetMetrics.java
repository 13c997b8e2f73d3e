package dev.cramjet.metrics;

import dev.cramjet.train.StepListener;
import dev.cramjet.train.StepRecord;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToDoubleFunction;
import java.util.regex.Pattern;

/**
 * Every Cramjet metric, defined once, on a registry of its own (so two runs or two tests in one JVM never collide),
 * plus the JVM metrics of client_java's instrumentation and {@link NativeMemory}. Recording methods are thread-safe
 * and cheap. It is a {@link StepListener}: the training thread hands it each step's {@link StepRecord}, whose numbers
 * the callbacks read at scrape time, and each checkpoint; the actor runtime calls the data-pipeline, pause and
 * evaluation methods from whichever actor knows the number.
 *
 * <p>Naming follows Prometheus practice: a {@code cramjet_} prefix, base units ({@code _seconds}, {@code _bytes},
 * {@code _ratio}), {@code _total} on counters, and only low-cardinality labels ({@code task}, {@code split}). Metrics
 * that only move on some events (checkpoint failures, data wait, the pipeline counters) exist from the start with
 * value 0, so dashboards and alerts see a series rather than nothing.
 *
 * <p>This class does not serve HTTP: {@link MetricsText} renders it for whichever server does.
 */
public final class CramjetMetrics implements StepListener {
  /**
   * Metrics that no dashboard panel draws, each with the reason; a test checks that every other {@code cramjet_}
   * metric appears on some dashboard.
   */
  public static final Map<String, String> DELIBERATELY_UNSHOWN = Map.of(
      "cramjet_checkpoint_last_success_timestamp_seconds",
      "a timestamp is not worth a graph; the 'budget nearly spent without a recent checkpoint' alert reads it");

  private static final Pattern LABEL_VALUE = Pattern.compile("[A-Za-z0-9_.-]{1,40}");

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private volatile StepRecord training; // null until the first step

  private final Histogram stepDuration;
  private final Counter dataWait;
  private final Histogram batchWait;
  private final Gauge queueDepth;
  private final Gauge paused;
  private final Counter loaderRows;
  private final Counter tokenizerBytes;
  private final Counter tokenizerTokens;
  private final Histogram checkpointDuration;
  private final Gauge checkpointSize;
  private final Gauge checkpointLastSuccess;
  private final Counter checkpointFailures;
  private final Gauge evalScore;
  private final Gauge sweepCells;
  private final Gauge sweepBest;

  /** Creates and registers every metric; JVM metrics included. */
  public CramjetMetrics() {
    // Training totals: counters whose value comes from the latest snapshot, so a resumed run continues its totals.
    trainingCounter("cramjet_optimizer_steps_total", "Optimizer steps taken.", s -> s.step());
    trainingCounter("cramjet_rows_trained_total", "Training rows (sequences) consumed.", s -> s.rows());
    trainingCounter("cramjet_tokens_trained_total", "Training tokens consumed.", s -> s.tokens());
    trainingCounter("cramjet_fp16_overflow_steps_total", "fp16 steps skipped because the scaled gradients "
        + "overflowed (the loss scale was halved); 0 unless train.precision = fp16.", s -> s.overflowSteps());

    // Training gauges at the latest step.
    trainingGauge("cramjet_loss", null, "Masked-language-model loss at the latest step (NaN when the step "
        + "was non-finite and skipped).", StepRecord::loss);
    trainingGauge("cramjet_mlm_accuracy_ratio", Unit.RATIO, "Accuracy on masked positions at the latest step.",
        StepRecord::accuracy);
    trainingGauge("cramjet_learning_rate", null, "Learning rate at the latest step.",
        StepRecord::lr);
    trainingGauge("cramjet_batch_rows", null, "Rows in the latest optimizer step's batch (grows with the ramp).",
        s -> s.batchRows());
    trainingGauge("cramjet_gradient_norm", null, "Global gradient norm before clipping at the latest step.",
        StepRecord::gradNorm);
    trainingGauge("cramjet_model_flops_utilization_ratio", Unit.RATIO, "Model FLOPs utilisation over the latest "
        + "logging window: achieved training FLOP/s over the peak FLOP/s.", StepRecord::mfu);
    trainingGauge("cramjet_budget_elapsed_seconds", Unit.SECONDS, "Training time counted by the budget clock "
        + "(pauses excluded).", StepRecord::budgetElapsedSeconds);
    trainingGauge("cramjet_budget_remaining_seconds", Unit.SECONDS, "Training time left: exact for a time budget, "
        + "extrapolated at the pace so far for step and token budgets.", StepRecord::budgetRemainingSeconds);
    trainingGauge("cramjet_loss_scale", null, "fp16 dynamic loss scale at the latest step (1 without fp16).",
        StepRecord::lossScale);
    trainingGauge("cramjet_budget_used_ratio", Unit.RATIO, "Budget fraction t that drives the schedules.",
        StepRecord::budgetFraction);

    stepDuration = Histogram.builder().name("cramjet_step_duration_seconds").unit(Unit.SECONDS)
        .help("Time of each optimizer step's forward, backward and update, observed once per step.")
        .classicOnly().classicExponentialUpperBounds(0.01, 2, 15).register(registry);

    // Data pipeline: filled in by the actor runtime; 0 in the single-thread foreground loop.
    dataWait = Counter.builder().name("cramjet_trainer_data_wait_seconds_total").unit(Unit.SECONDS)
        .help("Time the trainer spent waiting for its next batch.").register(registry);
    batchWait = Histogram.builder().name("cramjet_trainer_batch_wait_seconds").unit(Unit.SECONDS)
        .help("Time the trainer waited for each batch it pulled.")
        .classicOnly().classicExponentialUpperBounds(0.0001, 4, 10).register(registry);
    queueDepth = Gauge.builder().name("cramjet_prefetch_queue_batches")
        .help("Batches ready in the prefetch queue between the batch assembler and the trainer.").register(registry);
    paused = Gauge.builder().name("cramjet_paused")
        .help("1 while training is paused (the budget clock stopped), else 0.").register(registry);
    loaderRows = Counter.builder().name("cramjet_loader_rows_total")
        .help("Rows the data loader has read from shards or packed from raw text.").register(registry);
    tokenizerBytes = Counter.builder().name("cramjet_tokenizer_bytes_total").unit(Unit.BYTES)
        .help("UTF-8 bytes of raw text the tokenizer has encoded.").register(registry);
    tokenizerTokens = Counter.builder().name("cramjet_tokenizer_tokens_total")
        .help("Tokens the tokenizer has produced.").register(registry);

    checkpointDuration = Histogram.builder().name("cramjet_checkpoint_duration_seconds").unit(Unit.SECONDS)
        .help("Time to write a checkpoint, snapshot to renamed folder.")
        .classicOnly().classicExponentialUpperBounds(0.05, 2, 14).register(registry);
    checkpointSize = Gauge.builder().name("cramjet_checkpoint_size_bytes").unit(Unit.BYTES)
        .help("Size on disk of the latest checkpoint written.").register(registry);
    checkpointLastSuccess = Gauge.builder().name("cramjet_checkpoint_last_success_timestamp_seconds")
        .unit(Unit.SECONDS).help("Unix time of the latest checkpoint written; 0 before the first.").register(registry);
    checkpointFailures = Counter.builder().name("cramjet_checkpoint_failures_total")
        .help("Checkpoints that failed to write.").register(registry);

    evalScore = Gauge.builder().name("cramjet_eval_score").labelNames("task", "split")
        .help("Latest evaluation score by task and split (accuracy, F1 or correlation, as the task defines).")
        .register(registry);

    sweepCells = Gauge.builder().name("cramjet_sweep_cells").labelNames("state")
        .help("Cells of the sweep this process runs, by state: queued, running, done, failed.").register(registry);
    for (String state : SWEEP_STATES) {
      sweepCells.labelValues(state).set(0);
    }
    sweepBest = Gauge.builder().name("cramjet_sweep_best_loss")
        .help("Held-out MLM loss of the sweep's best finished cell so far (NaN before the first).").register(registry);
    sweepBest.set(Double.NaN);

    GaugeWithCallback.builder().name("cramjet_native_memory_bytes").unit(Unit.BYTES)
        .help(NativeMemory.DESCRIPTION)
        .callback(cb -> {
          long bytes = NativeMemory.outsideHeapBytes();
          if (bytes >= 0) {
            cb.call(bytes);
          }
        }).register(registry);
    JvmMetrics.builder().register(registry);
  }

  private void trainingCounter(String name, String help, ToDoubleFunction<StepRecord> value) {
    CounterWithCallback.builder().name(name).help(help).callback(cb -> {
      StepRecord s = training;
      if (s != null) {
        cb.call(value.applyAsDouble(s));
      }
    }).register(registry);
  }

  private void trainingGauge(String name, Unit unit, String help, ToDoubleFunction<StepRecord> value) {
    GaugeWithCallback.Builder b = GaugeWithCallback.builder().name(name).help(help).callback(cb -> {
      StepRecord s = training;
      if (s != null) {
        cb.call(value.applyAsDouble(s));
      }
    });
    if (unit != null) {
      b.unit(unit);
    }
    b.register(registry);
  }

  /** The registry holding every metric above; hand it to an exporter or to {@link MetricsText}. */
  public PrometheusRegistry registry() {
    return registry;
  }

  /**
   * Publishes a step's numbers (a scrape reads one consistent step, never live training state) and observes its
   * duration once; called on the training thread after each step.
   */
  @Override
  public void onStep(StepRecord step) {
    training = Objects.requireNonNull(step, "step");
    requireNonNegative(step.stepSeconds(), "step duration");
    stepDuration.observe(step.stepSeconds());
  }

  /** The latest step's numbers, or null before the first step. */
  public StepRecord latest() {
    return training;
  }

  @Override
  public void onCheckpoint(java.nio.file.Path folder, double seconds, long bytes) {
    recordCheckpoint(seconds, bytes);
  }

  @Override
  public void onCheckpointFailed(String error) {
    recordCheckpointFailure();
  }

  /** The states {@code cramjet_sweep_cells} counts, in this order. */
  public static final java.util.List<String> SWEEP_STATES = java.util.List.of("queued", "running", "done", "failed");

  /** Publishes a sweep's progress: cells by state (in {@link #SWEEP_STATES} order) and the best held-out loss. */
  public void publishSweep(long queued, long running, long done, long failed, double bestLoss) {
    long[] n = {queued, running, done, failed};
    for (int i = 0; i < n.length; i++) {
      sweepCells.labelValues(SWEEP_STATES.get(i)).set(n[i]);
    }
    sweepBest.set(bestLoss);
  }

  /** Records one wait of the trainer for its next batch. */
  public void recordDataWait(double seconds) {
    requireNonNegative(seconds, "data wait");
    dataWait.inc(seconds);
    batchWait.observe(seconds);
  }

  /** Sets how many batches wait in the prefetch queue. */
  public void setPrefetchQueueDepth(int batches) {
    queueDepth.set(batches);
  }

  /** Sets the pause state: true while the trainer is stashed and the budget clock stopped. */
  public void setPaused(boolean isPaused) {
    paused.set(isPaused ? 1 : 0);
  }

  /** Counts rows the data loader has read or packed. */
  public void addLoaderRows(long rows) {
    loaderRows.inc(rows);
  }

  /** Counts tokenizer work: raw-text bytes in and tokens out. */
  public void addTokenized(long bytes, long tokens) {
    tokenizerBytes.inc(bytes);
    tokenizerTokens.inc(tokens);
  }

  /** Records a checkpoint written in {@code seconds}, {@code bytes} large on disk. */
  public void recordCheckpoint(double seconds, long bytes) {
    requireNonNegative(seconds, "checkpoint duration");
    checkpointDuration.observe(seconds);
    checkpointSize.set(bytes);
    checkpointLastSuccess.set(System.currentTimeMillis() / 1000.0);
  }

  /** Counts a checkpoint that failed to write. */
  public void recordCheckpointFailure() {
    checkpointFailures.inc();
  }

  /**
   * Sets the latest score of an evaluation task on a split (e.g. {@code sst2}, {@code validation}). Task and split
   * names become label values, so they must be short fixed names, never free text.
   */
  public void setEvalScore(String task, String split, double score) {
    evalScore.labelValues(labelValue(task, "task"), labelValue(split, "split")).set(score);
  }

  private static String labelValue(String value, String what) {
    if (value == null || !LABEL_VALUE.matcher(value).matches()) {
      throw new IllegalArgumentException(what + " '" + value + "' is not a short name of letters, digits, '_', "
          + "'.' or '-' (it becomes a Prometheus label value)");
    }
    return value;
  }

  private static void requireNonNegative(double seconds, String what) {
    if (!(seconds >= 0)) {
      throw new IllegalArgumentException(what + " must be a non-negative number of seconds, got " + seconds);
    }
  }
}
