package dev.cramjet.data;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.cramjet.config.ConfigBinder;
import dev.cramjet.config.RunConfig;
import dev.cramjet.text.WordPieceTokenizer;
import dev.cramjet.util.BadInputException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code run.raw-text { ... }}: train on raw text, tokenized and packed when the run starts (no {@code data prepare}):
 *
 * <pre>
 * run.raw-text {
 *   inputs = ["corpora/gutenberg-1.0.1", "extra/*.jsonl.gz"]   # files, folders, globs, as data prepare reads them
 *   tokenizer = "tok"                                         # a folder with vocab.txt
 *   compression-cutoff = 0.25                                 # default; keep a document iff tokens &lt; cutoff x chars
 *   dedup = exact                                             # default; exact | none
 *   pool = 0                                                  # tokenizer workers; 0 = one per core
 * }
 * </pre>
 *
 * Relative paths resolve against the working directory, as {@code run.shards} and {@code run.out} do. Rows are
 * {@code arch.max-seq-len} long and in corpus order (no curriculum or shuffle: a stream cannot be sorted).
 */
public record RawTextSettings(List<String> inputs, String tokenizer, double compressionCutoff,
    PrepareConfig.Dedup dedup, int pool) {
  /** The config path of the section. */
  public static final String PATH = "run.raw-text";

  private static final Config DEFAULTS = ConfigFactory.parseString("compression-cutoff = 0.25, dedup = exact, pool = 0");

  public RawTextSettings {
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException("inputs must list at least one file, folder or glob");
    }
    if (tokenizer.isBlank()) {
      throw new IllegalArgumentException("tokenizer must name a tokenizer folder (vocab.txt)");
    }
    if (!(compressionCutoff > 0)) {
      throw new IllegalArgumentException("compression-cutoff must be > 0, got " + compressionCutoff);
    }
    if (pool < 0) {
      throw new IllegalArgumentException("pool must be >= 0 (0: one worker per core), got " + pool);
    }
  }

  /** The section of {@code cfg}, or null when the run does not use raw text. */
  public static RawTextSettings of(RunConfig cfg) {
    Config r = cfg.resolved();
    if (!r.hasPath(PATH)) {
      return null;
    }
    if (!cfg.run().synthetic()) {
      throw new BadInputException(ConfigBinder.where(r.getConfig("run"), "raw-text") + "set either run.shards (prepared data) or "
          + "run.raw-text, not both (run.shards = " + cfg.run().shards() + ")");
    }
    return ConfigBinder.bind(r.getConfig(PATH).withFallback(DEFAULTS), RawTextSettings.class, PATH);
  }

  /** Workers to run: {@link #pool}, or one per core when 0. */
  public int workers() {
    return pool > 0 ? pool : Runtime.getRuntime().availableProcessors();
  }

  /** Loads the tokenizer, naming the key when the folder is bad. */
  public WordPieceTokenizer loadTokenizer(Config resolved) {
    try {
      return WordPieceTokenizer.load(Path.of(tokenizer));
    } catch (BadInputException e) {
      throw new BadInputException(ConfigBinder.where(resolved.getConfig(PATH), "tokenizer") + "'" + PATH + ".tokenizer': "
          + e.getMessage(), e);
    }
  }

  /** Resolves the inputs against the working directory, naming the key when a path is bad. */
  public CorpusFiles.Resolved resolveInputs(Config resolved) {
    try {
      return CorpusFiles.resolve(inputs, Path.of("").toAbsolutePath());
    } catch (BadInputException e) {
      throw new BadInputException(ConfigBinder.where(resolved.getConfig(PATH), "inputs") + "'" + PATH + ".inputs': "
          + e.getMessage(), e);
    }
  }
}
