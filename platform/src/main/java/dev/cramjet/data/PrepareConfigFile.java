package dev.cramjet.data;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import dev.cramjet.config.ConfigBinder;
import dev.cramjet.util.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the {@code data { ... }} block of a HOCON file into a {@link PrepareConfig} plus the tokenizer folder. Other
 * top-level sections are left alone (a run file may hold them); inside {@code data}, an unknown key or a value of the
 * wrong type is a {@link BadInputException} naming the key, the file and the line. Relative paths resolve against the
 * config file's folder. The block is bound by {@link ConfigBinder}, as run configs are.
 *
 * <pre>
 * data {
 *   inputs = ["corpus/"]          # files, folders or globs (required)
 *   tokenizer = "tokenizer/"      # folder holding vocab.txt (required unless given on the command line)
 *   seq-len = 128
 *   compression-cutoff = 0.25
 *   dedup = exact                 # exact | none
 *   span-dedup = false
 *   span-window = 50
 *   order = curriculum            # curriculum | shuffle
 *   seed = 0
 *   threads = 2                   # default: available processors
 *   shard-rows = 262144
 *   max-line-bytes = 16777216
 *   max-document-chars = 1048576
 * }
 * </pre>
 */
public final class PrepareConfigFile {
  /** The config path of the block. */
  public static final String PATH = "data";

  /** The settings, the tokenizer folder (null when the file names none) and the folder relative inputs start from. */
  public record Loaded(PrepareConfig config, Path tokenizer, Path baseDir) {}

  private PrepareConfigFile() {}

  /**
   * Reads the block with {@link ConfigBinder}, as run configs are read: an unknown key, a value of the wrong type, a
   * fraction for a whole number or a value out of range is an error naming FILE:LINE and the key ({@code data.seq-len}).
   */
  public static Loaded load(Path file) {
    if (!Files.isRegularFile(file)) throw new BadInputException("config file " + file + " not found");
    Config root;
    try {
      root = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF)
          .setAllowMissing(false)).resolve();
    } catch (ConfigException e) {
      String line = e.origin() != null && e.origin().lineNumber() > 0 ? ":" + e.origin().lineNumber() : "";
      String m = e.getMessage();
      if (e.origin() != null && m.startsWith(e.origin().description() + ": ")) {
        m = m.substring(e.origin().description().length() + 2);
      }
      throw new BadInputException(file + line + ": malformed config: " + m, e);
    }
    ConfigValue block = root.root().get(PATH);
    if (block == null) throw new BadInputException(file + ": expected a `data { ... }` block");
    if (block.valueType() != ConfigValueType.OBJECT) {
      throw new BadInputException(ConfigBinder.where(root, PATH) + "`data` must be an object { ... }, got "
          + block.valueType().name().toLowerCase(Locale.ROOT));
    }
    Config c = root.getConfig(PATH);
    List<String> known = new java.util.ArrayList<>(List.of("inputs", "tokenizer"));
    for (java.lang.reflect.RecordComponent rc : PrepareConfig.class.getRecordComponents()) {
      if (!known.contains(ConfigBinder.kebab(rc.getName()))) {
        known.add(ConfigBinder.kebab(rc.getName()));
      }
    }
    for (String key : new java.util.TreeSet<>(c.root().keySet())) {
      if (!known.contains(key)) {
        throw new BadInputException(ConfigBinder.where(c, key) + "unknown key '" + PATH + "." + key
            + "'; expected one of: " + String.join(", ", known));
      }
    }
    Path base = file.toAbsolutePath().getParent();
    Path tokenizer = null;
    ConfigValue tok = c.root().get("tokenizer");
    if (tok != null) {
      if (tok.valueType() != ConfigValueType.STRING && tok.valueType() != ConfigValueType.NUMBER) {
        throw new BadInputException(ConfigBinder.where(c, "tokenizer") + "data.tokenizer must be a folder name (a "
            + "string), got " + tok.valueType().name().toLowerCase(Locale.ROOT));
      }
      tokenizer = base.resolve(String.valueOf(tok.unwrapped())).normalize();
      c = c.withoutPath("tokenizer");
    }
    ConfigValue inputs = c.root().get("inputs");
    if (inputs != null && inputs.valueType() == ConfigValueType.STRING) { // one input may be written without [ ]
      c = c.withValue("inputs", ConfigValueFactory.fromIterable(List.of(inputs.unwrapped())).withOrigin(inputs.origin()));
    }
    PrepareConfig config = ConfigBinder.bind(c.withFallback(DEFAULTS.get()), PrepareConfig.class, PATH);
    return new Loaded(config, tokenizer, base);
  }

  /** Every key but {@code inputs}, at {@link PrepareConfig#defaults}. */
  private static final java.util.function.Supplier<Config> DEFAULTS = () -> {
    PrepareConfig d = PrepareConfig.defaults(List.of("-"));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("seq-len", d.seqLen());
    m.put("compression-cutoff", d.compressionCutoff());
    m.put("dedup", ConfigBinder.kebab(d.dedup()));
    m.put("span-dedup", d.spanDedup());
    m.put("span-window", d.spanWindow());
    m.put("order", ConfigBinder.kebab(d.order()));
    m.put("seed", d.seed());
    m.put("threads", d.threads());
    m.put("shard-rows", d.shardRows());
    m.put("max-line-bytes", d.maxLineBytes());
    m.put("max-document-chars", d.maxDocumentChars());
    return ConfigFactory.parseMap(m, "data defaults");
  };
}
