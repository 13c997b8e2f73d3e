package dev.cramjet.cli;

import dev.cramjet.actors.control.MetricsServer;
import dev.cramjet.budget.Budget;
import dev.cramjet.checkpoint.CheckpointStore;
import dev.cramjet.config.RunConfig;
import dev.cramjet.data.RowSource;
import dev.cramjet.data.RunData;
import dev.cramjet.metrics.CramjetMetrics;
import dev.cramjet.train.FinalCheckpointFailed;
import dev.cramjet.train.Flops;
import dev.cramjet.train.PretrainRun;
import dev.cramjet.train.StepListener;
import dev.cramjet.train.StepRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cramjet pretrain}: trains in the foreground until the budget is spent; Ctrl-C stops with a checkpoint. */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
    description = "Pretrain a masked language model in the foreground until the budget is spent. "
        + "Ctrl-C stops cleanly with a checkpoint; --resume continues from one. Exit 3: training ended but the final "
        + "checkpoint failed while an older one is intact (the message says which; resume from it).")
public final class PretrainCommand implements Callable<Integer> {
  @Mixin Output io;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--config", required = true,
      description = "Run config: a .conf file or a preset under configs/run (e.g. demo, tiny-synthetic).")
  String config;

  @Option(names = "--budget", description = "Override train.budget: 10m, 2h, 500steps, 2000000tokens.")
  String budget;

  @Option(names = "--precision", description = "Override train.precision: fp32, bf16, fp16 or auto (bf16 where the "
      + "device has it natively, else fp32).")
  String precision;

  @Option(names = "--set", description = "Override any config key, e.g. --set train.lr=5e-4 (repeatable).")
  List<String> sets = new ArrayList<>();

  @Option(names = "--out", description = "Run folder (overrides run.out).")
  Path out;

  @Option(names = "--shards", description = "Prepared data folder (overrides run.shards; 'synthetic' for the "
      + "built-in stream).")
  String shards;

  @Option(names = "--resume", description = "Continue from a checkpoint folder (it must verify), or a run folder: its "
      + "newest valid checkpoint; newer ones that fail verification are moved to checkpoints/rejected/ and reported.")
  Path resume;

  @Option(names = "--peak-flops",
      description = "FLOP/s that MFU is measured against (a GPU's data-sheet peak). Default: the peak that "
          + "'bench peak' stored for this machine, else a short measurement of the dense matmul throughput at start.")
  Double peakFlops;

  @Option(names = "--metrics-port",
      description = "Serve Prometheus metrics at http://127.0.0.1:PORT/metrics while training (0: any free port; "
          + "the URL is printed). Default: no metrics server.")
  Integer metricsPort;

  @Override
  public Integer call() throws Exception {
    List<String> overrides = new ArrayList<>(sets);
    if (budget != null) {
      try {
        Budget.parse(budget); // fail fast with the budget parser's message, naming the option
      } catch (dev.cramjet.util.BadInputException e) {
        throw new dev.cramjet.util.BadInputException("--budget: " + e.getMessage(), e);
      }
      overrides.add("train.budget=\"" + budget + "\"");
    }
    if (precision != null) {
      BenchPeakCommand.precision(precision); // fail fast, naming the flag
      overrides.add("train.precision=\"" + precision + "\"");
    }
    if (out != null) {
      overrides.add("run.out=\"" + out + "\"");
    }
    if (shards != null) {
      overrides.add("run.shards=\"" + shards + "\"");
    }
    RunConfig cfg = RunConfig.load(config, overrides);
    // A run folder falls back to its newest valid checkpoint (rejected ones are moved aside and logged); a named
    // checkpoint folder must verify.
    Path resumeFrom = resume == null ? null : CheckpointStore.resolveForResume(resume).checkpoint();
    RunData data = RunData.open(cfg);
    cfg = data.config();
    RowSource rows = data.rows();
    if (data.note() != null) {
      io.err().println(data.note());
    }

    Progress progress = new Progress(io.err(), 0); // train.log-every sets the cadence of log lines
    StepListener listener = new Printer(progress, io.err());
    CramjetMetrics metrics = metricsPort == null ? null : new CramjetMetrics();
    MetricsServer metricsServer = metrics == null ? null : MetricsServer.start(metrics, metricsPort);
    if (metricsServer != null) {
      io.err().println("metrics: " + metricsServer.url());
      listener = StepListener.all(metrics, listener);
    }
    try (metricsServer;
        CleanStop stop = new CleanStop(progress);
        PretrainRun run = new PretrainRun(cfg, rows, cfg.outDir(), resumeFrom, peakFlops, data.vocabHash(), listener)) {
      PretrainRun.Summary s;
      try {
        s = run.run(stop::requested);
      } catch (FinalCheckpointFailed e) {
        progress.done();
        io.err().println("cramjet: " + e.getMessage() + "; resume with: bin/cramjet "
            + ResumeHint.of(spec, cfg.outDir()));
        return Main.EXIT_FINAL_CHECKPOINT_FAILED;
      }
      progress.done();
      io.out().printf(Locale.ROOT, "%s after %d steps, %s tokens, %s of training: final loss %.4f%n",
          s.stoppedEarly() ? "stopped" : "budget spent", s.steps(), Progress.si(s.tokens()),
          Progress.duration(s.elapsedSeconds()), s.finalLoss());
      io.out().println("checkpoint: " + s.lastCheckpoint());
      io.out().println("metrics:    " + cfg.outDir().resolve("metrics.jsonl"));
      if (s.stoppedEarly()) {
        io.out().println("resume with: bin/cramjet " + ResumeHint.of(spec, cfg.outDir()));
      }
      return 0;
    }
  }

  /**
   * Turns run events into a progress bar (terminal) or log lines, and a header: the CLI's {@link StepListener}, for
   * the foreground loop and the in-process daemon of {@code demo} alike. It draws the logged steps only
   * ({@code train.log-every}), so a log file gets one line per logged step.
   */
  static final class Printer implements StepListener {
    private final Progress progress;
    private final java.io.PrintWriter err;

    Printer(Progress progress, java.io.PrintWriter err) {
      this.progress = progress;
      this.err = err;
    }

    @Override
    public void onStart(StartInfo i) {
      var a = i.arch();
      err.printf(Locale.ROOT, "model %s: %d layers, hidden %d, %d heads, vocabulary %d, %s parameters (%s without "
              + "embeddings)%n", a.name(), a.layers(), a.hidden(), a.heads(), a.vocabSize(), Progress.si(i.params()),
          Progress.si(i.nonEmbeddingParams()));
      err.printf(Locale.ROOT, "budget %s, micro-batch %d rows, batch %d rows %s, %s, %s training "
              + "FLOPs per token, MFU measured against %s FLOP/s (%s)%s%n", i.budget(), i.microBatch(), i.batchSize(),
          i.batchSize() == i.microBatch() ? "(one micro-batch a step, no ramp)" : "at the end of the ramp",
          i.precision(), Progress.si(i.flopsPerToken()), Progress.si(i.peakFlops()), i.peakSource(),
          i.resumedStep() > 0 ? ", resuming at step " + i.resumedStep() : "");
    }

    @Override
    public void onStep(StepRecord l) {
      if (!l.logged()) {
        return;
      }
      String status = String.format(Locale.ROOT,
          "step %d  loss %.4f  acc %.3f  lr %.2e  batch %d  %s tok/s  MFU %.1f%%  %s elapsed%s", l.step(), l.loss(),
          l.accuracy(), l.lr(), l.batchRows(), Progress.si(l.tokensPerSecond()), l.mfu() * 100,
          Progress.duration(l.budgetElapsedSeconds()), l.skipped() ? "  (skipped)" : "");
      progress.update(l.budgetFraction(), status);
    }

    @Override
    public void onCheckpoint(Path folder, double seconds, long bytes) {
      progress.line(String.format(Locale.ROOT, "checkpoint %s (%.1fs)", folder, seconds));
    }

    @Override
    public void onMessage(String message) {
      progress.line(message);
    }
  }
}
