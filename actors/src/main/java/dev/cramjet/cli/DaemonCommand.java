package dev.cramjet.cli;

import dev.cramjet.actors.RunPhase;
import dev.cramjet.actors.control.Daemon;
import dev.cramjet.actors.runtime.RunSupervisor;
import dev.cramjet.checkpoint.CheckpointStore;
import dev.cramjet.config.RunConfig;
import dev.cramjet.data.RowSource;
import dev.cramjet.data.SyntheticRows;
import dev.cramjet.util.BadInputException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cramjet daemon --config FILE}: trains in the actor runtime and serves the control API until the budget is
 * spent or a stop is asked for. Prints the API's URL and the token file's path (never the token).
 */
@Command(name = "daemon", mixinStandardHelpOptions = true,
    description = "Start the platform: actors, training and the control API (127.0.0.1 by default).")
final class DaemonCommand implements Callable<Integer> {
  @Option(names = "--config", required = true, description = "run file or preset name under configs/run")
  String config;

  @Option(names = "--set", description = "key=value override (repeatable)")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--host", description = "address to bind (default: daemon.host or 127.0.0.1)")
  String host;

  @Option(names = "--port", description = "port to bind, 0 for any free one (default: daemon.port or 8077)")
  Integer port;

  @Option(names = "--resume", description = "checkpoint folder, or a run folder (its newest checkpoint)")
  Path resume;

  @Option(names = "--prefetch", description = "micro-batches loaded ahead (default ${DEFAULT-VALUE})")
  int prefetch = 8;

  @Override
  public Integer call() throws Exception {
    RunConfig cfg = RunConfig.load(config, overrides);
    var resolved = cfg.resolved();
    String h = host != null ? host : resolved.hasPath("daemon.host") ? resolved.getString("daemon.host") : "127.0.0.1";
    int p = port != null ? port : resolved.hasPath("daemon.port") ? resolved.getInt("daemon.port") : 8077;
    String token = resolved.hasPath("daemon.token") ? resolved.getString("daemon.token") : null;
    Path runDir = cfg.outDir();
    RunSupervisor.Spec spec = new RunSupervisor.Spec(cfg, rows(cfg), null, runDir,
        resume == null ? null : CheckpointStore.resolve(resume), "none",
        RunSupervisor.Tuning.defaults().withPrefetch(prefetch));
    Daemon daemon = Daemon.start(spec, h, p, token, null);
    System.err.println("cramjet daemon: control API at " + daemon.url() + " (token in "
        + runDir.resolve(Daemon.TOKEN_FILE) + ")");
    System.out.println(daemon.url());
    System.out.flush();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        daemon.close();
      } catch (Exception e) {
        // exiting anyway
      }
    }));
    daemon.whenTerminated().toCompletableFuture().get();
    daemon.close();
    RunPhase phase = daemon.board().progress().phase();
    System.err.println("cramjet daemon: run " + phase.name().toLowerCase(java.util.Locale.ROOT) + " at step "
        + daemon.board().progress().step());
    return phase == RunPhase.FAILED ? Main.EXIT_FAILURE : 0;
  }

  static RowSource rows(RunConfig cfg) {
    if (!cfg.run().synthetic()) {
      throw new BadInputException("run.shards = " + cfg.run().shards() + ": the daemon reads only the synthetic "
          + "stream so far (run.shards = synthetic)");
    }
    return SyntheticRows.standard(cfg.arch().maxSeqLen(), cfg.arch().vocabSize(), cfg.train().seed());
  }
}
