package dev.cramjet.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import dev.cramjet.model.ArchConfig;
import dev.cramjet.train.TrainConfig;
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

  public static RunConfig fromConfig(Config root, List<String> overrides) {
    Config normalised = root;
    for (String kind : List.of("arch", "train")) {
      if (!root.hasPath(kind)) {
        throw new BadInputException(ConfigBinder.origin(root) + "missing section '" + kind + "' (a preset name or an object)");
      }
      ConfigValue v = root.getValue(kind);
      if (v.valueType() == ConfigValueType.STRING) {
        normalised = normalised.withValue(kind,
            ConfigValueFactory.fromMap(java.util.Map.of("preset", v.unwrapped())).withOrigin(v.origin()));
      } else if (v.valueType() != ConfigValueType.OBJECT) {
        throw new BadInputException(ConfigBinder.where(root, kind) + "'" + kind + "' must be a preset name or an object");
      }
    }
    Config merged = parseOverrides(overrides).withFallback(normalised).withFallback(RUN_DEFAULTS);
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

  private static Config withPreset(Config section, String kind) {
    if (!section.hasPath("preset")) {
      return section;
    }
    Config base = Presets.load(kind, section.getString("preset"));
    return section.withoutPath("preset").withFallback(base);
  }

  /** Parses {@code a.b=value} strings as HOCON, naming the bad one on error. */
  public static Config parseOverrides(List<String> overrides) {
    Config out = ConfigFactory.empty();
    for (String o : overrides) {
      int eq = o.indexOf('=');
      if (eq <= 0) {
        throw new BadInputException("--set expects key=value, got '" + o + "'");
      }
      try {
        out = ConfigFactory.parseString(o, com.typesafe.config.ConfigParseOptions.defaults()
            .setOriginDescription("--set " + o)).withFallback(out);
      } catch (ConfigException e) {
        throw new BadInputException("--set " + o + ": " + e.getMessage(), e);
      }
    }
    return out;
  }

  /** The resolved config as HOCON text, for the run folder. */
  public String render() {
    return resolved.root().render(ConfigRenderOptions.defaults().setOriginComments(false).setJson(false));
  }

  /** SHA-256 of the resolved config's canonical JSON; recorded with checkpoints and results. */
  public String hash() {
    return Hashing.sha256(resolved.root().render(ConfigRenderOptions.concise()));
  }

  /** The run folder. */
  public Path outDir() {
    return Path.of(run.out());
  }
}
