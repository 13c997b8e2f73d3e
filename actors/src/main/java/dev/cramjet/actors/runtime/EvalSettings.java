package dev.cramjet.actors.runtime;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.cramjet.config.ConfigBinder;
import dev.cramjet.config.RunConfig;
import dev.cramjet.data.RawTextSettings;
import dev.cramjet.eval.FinetuneConfig;
import dev.cramjet.eval.GlueTasks;
import dev.cramjet.eval.TaskSpec;
import dev.cramjet.eval.TokenizerLocator;
import dev.cramjet.text.WordPieceTokenizer;
import dev.cramjet.util.BadInputException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The fine-tuning tasks a daemon run evaluates on {@code POST /evaluate}, after the held-out MLM score: the
 * {@code daemon.eval} block of the run config.
 *
 * <pre>
 * daemon.eval {
 *   data = "suite"              # a GLUE-layout folder (CoLA/, SST-2/, ...) or a suite of `cramjet suite build`
 *   tasks = []                  # names; empty = every task found (WNLI excepted in a GLUE folder)
 *   protocol = crammed          # preset under configs/eval, or a .conf file
 *   epochs = 0                  # 0 = the protocol's epochs
 *   seeds = 1                   # fine-tuning seeds 1..N; scores are medians
 *   tokenizer = ""              # "" = run.raw-text.tokenizer, else found as `cramjet glue` finds it
 *   skip-bad-rows = false       # skip malformed TSV rows (counted in the report) instead of failing
 * }
 * </pre>
 *
 * Everything is checked when the run starts ({@link #resolve}), so a bad folder, task name, protocol or tokenizer stops
 * the daemon before it trains, with the file, line and key in the message. Without the block, evaluation is the
 * held-out MLM score only.
 */
public record EvalSettings(String data, List<String> tasks, String protocol, int epochs, int seeds, String tokenizer,
    boolean skipBadRows) {
  public static final String PATH = "daemon.eval";

  private static final Config DEFAULTS = ConfigFactory.parseString(
      "tasks = [], protocol = crammed, epochs = 0, seeds = 1, tokenizer = \"\", skip-bad-rows = false");

  public EvalSettings {
    tasks = List.copyOf(tasks);
    if (data.isBlank()) {
      throw new IllegalArgumentException("data must name a GLUE-layout folder or an offline suite folder");
    }
    if (epochs < 0) {
      throw new IllegalArgumentException("epochs must be >= 0 (0: the protocol's), got " + epochs);
    }
    if (seeds < 1) {
      throw new IllegalArgumentException("seeds must be >= 1, got " + seeds);
    }
  }

  /** The block of {@code cfg}, bound; null when the config has none. */
  public static EvalSettings of(RunConfig cfg) {
    Config r = cfg.resolved();
    if (!r.hasPath(PATH)) {
      return null;
    }
    return ConfigBinder.bind(section(r).withFallback(DEFAULTS), EvalSettings.class, PATH);
  }

  private static Config section(Config resolved) {
    try {
      return resolved.getConfig(PATH);
    } catch (com.typesafe.config.ConfigException.WrongType e) {
      throw new BadInputException(ConfigBinder.where(resolved.getConfig("daemon"), "eval") + "'" + PATH
          + "' must be an object (data, tasks, protocol, epochs, seeds, tokenizer, skip-bad-rows)");
    }
  }

  /**
   * Binds and checks the block and loads what the evaluator needs: the tasks found, the protocol and the tokenizer.
   * Null when the config has no block.
   *
   * @param runDir the run folder: reports go to {@code runDir/evaluations/step-N/}, and the tokenizer is looked for
   *     beside it when none is named
   * @param vocabHash the run's vocabulary hash, to find the tokenizer in the demo's cache
   */
  public static Evaluator.Tasks resolve(RunConfig cfg, Path runDir, String vocabHash) {
    EvalSettings s = of(cfg);
    if (s == null) {
      return null;
    }
    Config section = section(cfg.resolved());
    Path dataDir = Path.of(s.data());
    List<TaskSpec> specs;
    boolean suite;
    try {
      suite = GlueTasks.isSuite(dataDir);
      specs = GlueTasks.discover(dataDir, s.tasks());
    } catch (BadInputException e) {
      throw new BadInputException(ConfigBinder.where(section, s.tasks().isEmpty() ? "data" : "tasks") + "'" + PATH
          + (s.tasks().isEmpty() ? ".data" : ".tasks") + "': " + e.getMessage().replace("--data ", "")
          .replace("--tasks: ", ""), e);
    } catch (IOException e) {
      throw new BadInputException(ConfigBinder.where(section, "data") + "'" + PATH + ".data': cannot read "
          + dataDir + ": " + e.getMessage(), e);
    }
    FinetuneConfig protocol;
    try {
      protocol = FinetuneConfig.preset(s.protocol());
    } catch (BadInputException e) {
      throw new BadInputException(ConfigBinder.where(section, "protocol") + "'" + PATH + ".protocol': "
          + e.getMessage(), e);
    }
    if (s.epochs() > 0) {
      protocol = protocol.withEpochs(s.epochs());
    }
    WordPieceTokenizer tok = tokenizer(s, section, cfg, runDir, vocabHash);
    if (tok.vocabSize() > cfg.arch().vocabSize()) {
      throw new BadInputException(ConfigBinder.where(section, "tokenizer") + "'" + PATH + ".tokenizer': the tokenizer"
          + " has " + tok.vocabSize() + " ids but the model's vocabulary is " + cfg.arch().vocabSize()
          + "; name the tokenizer the run's data was made with");
    }
    List<Long> seeds = new ArrayList<>();
    for (long i = 1; i <= s.seeds(); i++) {
      seeds.add(i);
    }
    String title = suite ? "Offline stand-in suite (not GLUE)" : "GLUE (dev sets)";
    return new Evaluator.Tasks(title, specs, protocol, tok, seeds, s.skipBadRows(), runDir.resolve("evaluations"));
  }

  private static WordPieceTokenizer tokenizer(EvalSettings s, Config section, RunConfig cfg, Path runDir,
      String vocabHash) {
    try {
      if (!s.tokenizer().isBlank()) {
        return WordPieceTokenizer.load(TokenizerLocator.locate(runDir, Path.of(s.tokenizer()), vocabHash));
      }
      RawTextSettings raw = RawTextSettings.of(cfg);
      if (raw != null) {
        return raw.loadTokenizer(cfg.resolved());
      }
      return WordPieceTokenizer.load(TokenizerLocator.locate(runDir, null, vocabHash));
    } catch (BadInputException e) {
      throw new BadInputException(ConfigBinder.where(section, "tokenizer") + "'" + PATH + ".tokenizer': "
          + e.getMessage().replace("pass --tokenizer DIR", "set " + PATH + ".tokenizer to the run's tokenizer folder")
          .replace("--tokenizer ", ""), e);
    }
  }
}
