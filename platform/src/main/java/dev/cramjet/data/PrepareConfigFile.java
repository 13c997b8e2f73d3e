package dev.cramjet.data;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import dev.cramjet.util.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads the {@code data { ... }} block of a HOCON file into a {@link PrepareConfig} plus the tokenizer folder. Other
 * top-level sections are left alone (a run file may hold them); inside {@code data}, an unknown key or a value of the
 * wrong type is a {@link BadInputException} naming the key and the file. Relative paths resolve against the config
 * file's folder. All parsing of this block lives here so it can move to the project's typed config binder.
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
  private static final Set<String> KEYS =
      Set.of("inputs", "tokenizer", "seq-len", "compression-cutoff", "dedup", "span-dedup", "span-window", "order",
          "seed", "threads", "shard-rows", "max-line-bytes", "max-document-chars");

  /** The settings, the tokenizer folder (null when the file names none) and the folder relative inputs start from. */
  public record Loaded(PrepareConfig config, Path tokenizer, Path baseDir) {}

  private PrepareConfigFile() {}

  public static Loaded load(Path file) {
    if (!Files.isRegularFile(file)) throw new BadInputException("config file " + file + " not found");
    Config root;
    try {
      root = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF)
          .setAllowMissing(false)).resolve();
    } catch (ConfigException e) {
      throw new BadInputException("config file " + file + ": " + e.getMessage(), e);
    }
    if (!root.hasPath("data")) throw new BadInputException(file + ": expected a `data { ... }` block");
    Config c;
    try {
      c = root.getConfig("data");
    } catch (ConfigException.WrongType e) {
      throw new BadInputException(file + ": `data` must be an object { ... }");
    }
    for (String key : c.root().keySet()) {
      if (!KEYS.contains(key)) {
        throw new BadInputException(file + ": unknown key data." + key + "; known keys: " + new java.util.TreeSet<>(KEYS));
      }
    }
    Path base = file.toAbsolutePath().getParent();
    try {
      if (!c.hasPath("inputs")) throw new BadInputException(file + ": data.inputs is required (files, folders or globs)");
      List<String> inputs = c.getValue("inputs").valueType() == com.typesafe.config.ConfigValueType.LIST
          ? c.getStringList("inputs")
          : List.of(c.getString("inputs"));
      PrepareConfig d = PrepareConfig.defaults(inputs);
      PrepareConfig config =
          new PrepareConfig(
              inputs,
              c.hasPath("seq-len") ? c.getInt("seq-len") : d.seqLen(),
              c.hasPath("compression-cutoff") ? c.getDouble("compression-cutoff") : d.compressionCutoff(),
              c.hasPath("dedup") ? choice(file, c, "dedup", PrepareConfig.Dedup.class) : d.dedup(),
              c.hasPath("span-dedup") ? c.getBoolean("span-dedup") : d.spanDedup(),
              c.hasPath("span-window") ? c.getInt("span-window") : d.spanWindow(),
              c.hasPath("order") ? choice(file, c, "order", PrepareConfig.Order.class) : d.order(),
              c.hasPath("seed") ? c.getLong("seed") : d.seed(),
              c.hasPath("threads") ? c.getInt("threads") : d.threads(),
              c.hasPath("shard-rows") ? c.getInt("shard-rows") : d.shardRows(),
              c.hasPath("max-line-bytes") ? c.getInt("max-line-bytes") : d.maxLineBytes(),
              c.hasPath("max-document-chars") ? c.getInt("max-document-chars") : d.maxDocumentChars());
      Path tokenizer = c.hasPath("tokenizer") ? base.resolve(c.getString("tokenizer")).normalize() : null;
      return new Loaded(config, tokenizer, base);
    } catch (ConfigException e) {
      throw new BadInputException(file + ": " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new BadInputException(file + ": data." + e.getMessage(), e);
    }
  }

  private static <E extends Enum<E>> E choice(Path file, Config c, String key, Class<E> type) {
    String v = c.getString(key);
    try {
      return Enum.valueOf(type, v.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new BadInputException(file + ": data." + key + " = " + v + "; expected one of "
          + java.util.Arrays.stream(type.getEnumConstants()).map(x -> x.name().toLowerCase(Locale.ROOT)).toList());
    }
  }
}
