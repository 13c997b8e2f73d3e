package dev.cramjet.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import dev.cramjet.model.ArchConfig;
import dev.cramjet.util.BadInputException;
import dev.cramjet.util.Hashing;
import java.nio.file.Path;
import java.util.List;

/**
 * A whole run, resolved: the architecture, the training recipe and the run's own settings. A run file names presets
 * and overrides them:
 *
 * <pre>
 * arch = tiny                                  # a preset name ...
 * train { preset = cpu-short, budget = 5m }    # ... or a preset plus overrides
 * run { shards = synthetic, out = runs/demo }
 * </pre>
 *
 * Command-line {@code --set key=value} overrides apply on top, before binding. {@link #resolved()} is the complete
 * config that was used; its hash goes into checkpoints.
 */
public record RunConfig(ArchConfig arch, TrainConfig train, RunSettings run, Config resolved) {

  /**
   * @param shards a prepared data folder, or "synthetic" for the built-in learnable token stream
   * @param out the run folder: checkpoints, logs, metrics
   */
  public record RunSettings(String shards, String out) {
    public RunSettings {
      if (shards.isBlank()) {
        throw new IllegalArgumentException("shards must name a prepared data folder or 'synthetic'");
      }
      if (out.isBlank()) {
        throw new IllegalArgumentException("out must name the run folder");
      }
    }

    public boolean synthetic() {
      return "synthetic".equals(shards);
    }
  }

  private static final Config RUN_DEFAULTS =
      ConfigFactory.parseString("run { shards = synthetic, out = runs/default }");

  /** Loads a run from a file or a preset name under {@code configs/run}, with {@code key=value} overrides. */
  public static RunConfig load(String fileOrPreset, List<String> overrides) {
    return fromConfig(Presets.load("run", fileOrPreset), overrides);
  }

  /** The top-level sections a run config may have; {@code daemon} is read by the daemon and ignored elsewhere. */
  public static final List<String> SECTIONS = List.of("arch", "train", "run", "daemon");

  /** Keys whose values are secrets: redacted in {@link #render()} and left out of {@link #hash()}. */
  public static final List<String> SECRET_KEYS = List.of("daemon.token");

  /** What a secret's value is replaced with in {@link #render()}. */
  public static final String REDACTED = "<redacted>";

  public static RunConfig fromConfig(Config root, List<String> overrides) {
    Config file = presetNames(root);
    Config sets = parseOverrides(overrides);
    Config merged = sets.withFallback(file).withFallback(RUN_DEFAULTS);
    for (String key : new java.util.TreeSet<>(merged.root().keySet())) {
      if (!SECTIONS.contains(key)) {
        throw new BadInputException(ConfigBinder.where(merged, key) + "unknown section '" + key + "'"
            + (leafKey(merged.root().get(key), key).equals(key) ? "" : " (key '" + leafKey(merged.root().get(key), key)
                + "')") + "; known sections: " + String.join(", ", SECTIONS));
      }
    }
    for (String kind : List.of("arch", "train")) {
      if (!merged.hasPath(kind)) {
        throw new BadInputException(ConfigBinder.origin(root) + "missing section '" + kind
            + "' (a preset name or an object)");
      }
    }
    Config arch = withPreset(merged.getConfig("arch"), "arch");
    Config train = withPreset(merged.getConfig("train"), "train");
    Config resolved = merged.withValue("arch", arch.root()).withValue("train", train.root());
    return new RunConfig(
        ConfigBinder.bind(arch, ArchConfig.class, "arch"),
        ConfigBinder.bind(train, TrainConfig.class, "train"),
        // run.raw-text is bound on its own (dev.cramjet.data.RawTextSettings) by the commands that read raw text
        ConfigBinder.bind(merged.getConfig("run").withoutPath("raw-text"), RunSettings.class, "run"),
        resolved);
  }

  /** {@code arch = tiny} becomes {@code arch { preset = tiny }}, so that overrides merge with the preset. */
  private static Config presetNames(Config c) {
    Config out = c;
    for (String kind : List.of("arch", "train")) {
      ConfigValue v = c.root().get(kind);
      if (v == null || v.valueType() == ConfigValueType.OBJECT) {
        continue;
      }
      if (v.valueType() != ConfigValueType.STRING) {
        throw new BadInputException(ConfigBinder.where(c, kind) + "'" + kind + "' must be a preset name ("
            + String.join(", ", Presets.names(kind)) + ") or an object, got "
            + v.valueType().name().toLowerCase(java.util.Locale.ROOT));
      }
      out = out.withValue(kind, ConfigFactory.empty().withValue("preset", v).root().withOrigin(v.origin()));
    }
    for (String kind : List.of("run", "daemon")) {
      ConfigValue v = c.root().get(kind);
      if (v != null && v.valueType() != ConfigValueType.OBJECT) {
        throw new BadInputException(ConfigBinder.where(c, kind) + "'" + kind + "' must be an object ("
            + kind + " { ... }), got " + v.valueType().name().toLowerCase(java.util.Locale.ROOT));
      }
    }
    return out;
  }

  /** The first full key below {@code v} ("foo.bar" for {@code foo { bar = 1 }}), for naming an unknown section. */
  private static String leafKey(ConfigValue v, String path) {
    if (v instanceof ConfigObject o && !o.isEmpty()) {
      String k = new java.util.TreeSet<>(o.keySet()).first();
      return leafKey(o.get(k), path + "." + k);
    }
    return path;
  }

  private static Config withPreset(Config section, String kind) {
    ConfigValue p = section.root().get("preset");
    if (p == null) {
      return section;
    }
    if (p.valueType() != ConfigValueType.STRING) {
      throw new BadInputException(ConfigBinder.where(section, "preset") + kind + ".preset must be a preset name ("
          + String.join(", ", Presets.names(kind)) + "), got " + p.valueType().name().toLowerCase(java.util.Locale.ROOT));
    }
    Config base;
    try {
      base = Presets.load(kind, (String) p.unwrapped());
    } catch (BadInputException e) {
      throw new BadInputException(ConfigBinder.where(section, "preset") + kind + ": " + e.getMessage(), e);
    }
    return section.withoutPath("preset").withFallback(base);
  }

  /**
   * Parses {@code a.b=value} strings as HOCON, naming the bad one on error. Each value's origin is "--set KEY" (the
   * value itself is left out, so that an error about a secret does not repeat it).
   */
  public static Config parseOverrides(List<String> overrides) {
    Config out = ConfigFactory.empty();
    for (String o : overrides) {
      int eq = o.indexOf('=');
      if (eq <= 0 || o.substring(0, eq).isBlank()) {
        throw new BadInputException("--set expects key=value, got '" + (eq > 0 ? o.substring(0, eq) + "=..." : o) + "'");
      }
      String key = o.substring(0, eq).trim();
      try {
        // each override is shaped on its own, so that "--set train=bert-o4" and "--set train.lr=1" merge
        out = presetNames(ConfigFactory.parseString(o, com.typesafe.config.ConfigParseOptions.defaults()
            .setOriginDescription("--set " + key))).withFallback(out);
      } catch (ConfigException e) {
        if (ConfigBinder.secret(key)) { // HOCON's message may quote the text it stumbled on
          throw new BadInputException("--set " + key + ": cannot parse the value (not shown: it is a secret) as HOCON; "
              + "quote it, e.g. --set '" + key + "=\"...\"'", e);
        }
        throw new BadInputException("--set " + key + ": cannot parse '" + o + "' as key=value: " + plain(e), e);
      }
    }
    return out;
  }

  /** A HOCON error's message without the origin prefix HOCON puts in front. */
  static String plain(ConfigException e) {
    String m = e.getMessage();
    if (e.origin() != null && m.startsWith(e.origin().description() + ": ")) {
      return m.substring(e.origin().description().length() + 2);
    }
    return m;
  }

  /** The resolved config as HOCON text, for the run folder and checkpoints; secrets are {@value #REDACTED}. */
  public String render() {
    return redacted(resolved).root().render(ConfigRenderOptions.defaults().setOriginComments(false).setJson(false));
  }

  /**
   * SHA-256 of the resolved config's canonical JSON, secrets left out (a run resumed with another control token is the
   * same run); recorded with checkpoints and results.
   */
  public String hash() {
    Config c = resolved;
    for (String k : SECRET_KEYS) {
      c = c.withoutPath(k);
      String section = k.substring(0, k.indexOf('.'));
      if (c.hasPath(section) && c.getValue(section) instanceof ConfigObject o && o.isEmpty()) {
        c = c.withoutPath(section); // daemon { token = ... } alone hashes as no daemon block
      }
    }
    return Hashing.sha256(c.root().render(ConfigRenderOptions.concise()));
  }

  /** {@code c} with every non-empty secret replaced by {@value #REDACTED}. */
  public static Config redacted(Config c) {
    Config out = c;
    for (String k : SECRET_KEYS) {
      if (c.hasPath(k) && !(c.getValue(k).valueType() == ConfigValueType.STRING && c.getString(k).isEmpty())) {
        out = out.withValue(k, ConfigValueFactory.fromAnyRef(REDACTED));
      }
    }
    return out;
  }

  /** The run folder. */
  public Path outDir() {
    return Path.of(run.out());
  }
}
