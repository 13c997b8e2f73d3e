package dev.cramjet.actors.runtime;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.cramjet.config.ConfigBinder;
import dev.cramjet.config.RunConfig;

/**
 * The optional {@code daemon { ... }} block of a run config, bound like every other section: an unknown key or a
 * value of the wrong type is an error naming the file, line and key. The {@code eval} sub-block is {@link
 * EvalSettings}'s.
 *
 * <pre>
 * daemon {
 *   host = "127.0.0.1"   # control API address
 *   port = 8077          # 0: any free port
 *   token = ""           # empty: generate one into the run folder
 *   eval-rows = 256      # held-out rows for evaluation, in whole micro-batches; 0: none
 *   cluster { host = "127.0.0.1", port = -1, seed-nodes = "" }   # port -1: no cluster
 * }
 * </pre>
 */
public record DaemonSettings(String host, int port, String token, int evalRows, Cluster cluster) {

  /** Pekko Cluster settings of the trainer node. */
  public record Cluster(String host, int port, String seedNodes) {
    public Cluster {
      if (port < -1 || port > 65535) {
        throw new IllegalArgumentException("port must be -1 (no cluster) or 0..65535, got " + port);
      }
    }

    public boolean enabled() {
      return port >= 0;
    }
  }

  public DaemonSettings {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535, got " + port);
    }
    if (token.equals(RunConfig.REDACTED)) {
      throw new IllegalArgumentException("token is \"" + RunConfig.REDACTED + "\" (copied from a run's config.conf, "
          + "where secrets are redacted?): give the real token, or \"\" to generate one");
    }
    if (evalRows < 0) {
      throw new IllegalArgumentException("eval-rows must be >= 0, got " + evalRows);
    }
  }

  private static final Config DEFAULTS = ConfigFactory.parseString("""
      host = "127.0.0.1", port = 8077, token = "", eval-rows = 256
      cluster { host = "127.0.0.1", port = -1, seed-nodes = "" }
      """);

  /** The run's daemon settings, with defaults for what it leaves out. */
  public static DaemonSettings of(RunConfig cfg) {
    Config section = cfg.resolved().hasPath("daemon")
        ? cfg.resolved().getConfig("daemon").withoutPath("eval")
        : ConfigFactory.empty();
    return ConfigBinder.bind(section.withFallback(DEFAULTS), DaemonSettings.class, "daemon");
  }
}
