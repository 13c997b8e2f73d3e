package dev.cramjet.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.cramjet.actors.RunPhase;
import dev.cramjet.actors.StatusBoard;
import dev.cramjet.actors.cluster.ClusterNode;
import dev.cramjet.actors.control.Daemon;
import dev.cramjet.actors.control.PlatformLauncher;
import dev.cramjet.actors.runtime.DaemonSettings;
import dev.cramjet.checkpoint.CheckpointStore;
import dev.cramjet.config.RunConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code cramjet daemon --config FILE}: trains in the actor runtime and serves the control API and {@code /metrics}
 * until the budget is spent or a stop is asked for. Prints the API's URL and the token file's path (never the token).
 * With {@code --cluster-port} the node also joins (or forms) a Pekko cluster, where {@code cramjet worker} nodes serve
 * it rows. Ctrl-C (SIGINT) and SIGTERM stop the run like {@code POST /stop}: the current step ends, the final
 * checkpoint is written, and the process exits 0 (1 if that takes longer than three minutes).
 */
@Command(name = "daemon", mixinStandardHelpOptions = true,
    description = {"Start the platform: actors, training, the control API and /metrics (127.0.0.1 by default).",
        "Ctrl-C or SIGTERM stops like `cramjet ctl stop`: the current step ends, the final checkpoint is written, "
            + "exit 0 (exit 1 when that takes more than 3 minutes or the run failed; exit 3 when the final checkpoint "
            + "failed but an older one is intact)."})
final class DaemonCommand implements Callable<Integer> {
  @Mixin Output io;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--config", required = true, description = "run file or preset name under configs/run")
  String config;

  @Option(names = "--set", description = "key=value override (repeatable)")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--precision", description = "Override train.precision: fp32, bf16, fp16 or auto.")
  String precision;

  @Option(names = "--host", description = "address to bind (default: daemon.host or 127.0.0.1)")
  String host;

  @Option(names = "--port", description = "port to bind, 0 for any free one (default: daemon.port or 8077)")
  Integer port;

  @Option(names = "--resume", description = "checkpoint folder (it must verify), or a run folder: its newest valid "
      + "checkpoint (newer ones that fail verification are moved to checkpoints/rejected/ and reported)")
  Path resume;

  @Option(names = "--prefetch", description = "micro-batches loaded ahead (default ${DEFAULT-VALUE})")
  int prefetch = 8;

  @Option(names = "--peak-flops",
      description = "FLOP/s that MFU is measured against (a GPU's data-sheet peak). Default: measure this machine's.")
  Double peakFlops;

  @Option(names = "--cluster-port",
      description = "join a Pekko cluster on this port (Artery; 0: any free port) so data workers can serve rows "
          + "(default: daemon.cluster.port, or no cluster)")
  Integer clusterPort;

  @Option(names = "--cluster-host",
      description = "address Artery binds and advertises (default: daemon.cluster.host or 127.0.0.1)")
  String clusterHost;

  @Option(names = "--seed-nodes",
      description = "HOST:PORT,... of cluster nodes to join (default: daemon.cluster.seed-nodes, or form a new "
          + "cluster with this node as its seed)")
  String seedNodes;

  @Override
  public Integer call() throws Exception {
    if (precision != null) {
      BenchPeakCommand.precision(precision); // fail fast, naming the flag
      overrides.add("train.precision=\"" + precision + "\"");
    }
    RunConfig asked = RunConfig.load(config, overrides);
    DaemonSettings d = DaemonSettings.of(asked);
    String h = host != null ? host : d.host();
    int p = port != null ? port : d.port();
    String token = d.token().isEmpty() ? null : d.token();
    Integer cPort = clusterPort != null ? clusterPort : d.cluster().enabled() ? Integer.valueOf(d.cluster().port()) : null;
    String cHost = clusterHost != null ? clusterHost : d.cluster().host();
    String seeds = seedNodes != null ? seedNodes : d.cluster().seedNodes();
    var seedAddresses = ClusterNode.seeds(seeds);
    if (cPort == null && !seedAddresses.isEmpty()) {
      throw new dev.cramjet.util.BadInputException("--seed-nodes needs --cluster-port (the port this node listens on)");
    }

    Config pekko = cPort == null ? ConfigFactory.load() : ClusterNode.config(cHost, cPort, ClusterNode.TRAINER_ROLE);
    PlatformLauncher.Launched launched = PlatformLauncher.launch(asked, h, p, token,
        resume == null ? null : CheckpointStore.resolveForResume(resume).checkpoint(), prefetch, peakFlops,
        dev.cramjet.train.StepListener.NONE, pekko);
    if (launched.rows().note() != null) {
      io.err().println("cramjet daemon: " + launched.rows().note());
    }
    Daemon daemon = launched.daemon();
    io.err().println("cramjet daemon: control API and /metrics at " + daemon.url() + " (token in "
        + launched.runDir().resolve(Daemon.TOKEN_FILE) + "); " + launched.rowRanges());
    io.err().println("cramjet daemon: POST /evaluate (cramjet ctl evaluate): " + launched.evaluationNote());
    if (cPort != null) {
      ClusterNode.join(daemon.system(), seedAddresses);
      io.err().println("cramjet daemon: cluster node at " + ClusterNode.hostPort(daemon.system())
          + "; start workers with: cramjet worker --role data --config " + config + " --seed-nodes "
          + ClusterNode.hostPort(daemon.system()));
    }
    io.out().println(daemon.url());
    io.out().flush();
    CountDownLatch reported = new CountDownLatch(1);
    AtomicInteger exitCode = new AtomicInteger(Main.EXIT_FAILURE);
    Thread hook = new Thread(() -> stopOnSignal(daemon, reported, exitCode), "cramjet-daemon-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    daemon.whenTerminated().toCompletableFuture().get();
    daemon.close();
    RunPhase phase = daemon.board().progress().phase();
    io.err().println("cramjet daemon: run " + phase.name().toLowerCase(java.util.Locale.ROOT) + " at step "
        + daemon.board().progress().step());
    int code = phase == RunPhase.FAILED ? Main.EXIT_FAILURE : 0;
    StatusBoard.CheckpointError ce = daemon.board().lastCheckpointError();
    if (phase != RunPhase.FAILED && ce != null && ce.last() && ce.intactFolder() != null) {
      io.err().println("cramjet daemon: " + daemon.board().progress().message() + "; resume with: bin/cramjet "
          + ResumeHint.of(spec, launched.runDir()));
      code = Main.EXIT_FINAL_CHECKPOINT_FAILED;
    }
    exitCode.set(code);
    reported.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // a signal is being handled: the hook ends the JVM with this exit code
    }
    return code;
  }

  /** How long Ctrl-C (SIGINT) or SIGTERM waits for the current step and the final checkpoint. */
  static final Duration STOP_WAIT = Duration.ofMinutes(3);

  /**
   * The shutdown hook: SIGINT/SIGTERM stop the run as {@code POST /stop} does (current step, final checkpoint), then
   * wait for {@link #call} to report, and end the JVM with the run's exit code (0 for a clean stop, not the
   * signal's 130/143). After {@link #STOP_WAIT} without an end it gives up and exits 1.
   */
  private void stopOnSignal(Daemon daemon, CountDownLatch reported, AtomicInteger exitCode) {
    boolean running = !daemon.whenTerminated().toCompletableFuture().isDone();
    if (running) {
      io.err().println("cramjet daemon: stopping: finishing the current step and writing the final checkpoint ...");
    }
    Daemon.Stopped s = daemon.stopGracefully(STOP_WAIT);
    if (running) {
      io.err().println("cramjet daemon: " + s.message());
    }
    if (!s.ended()) {
      io.err().println("cramjet daemon: giving up after " + STOP_WAIT.toSeconds() + " s; the newest checkpoint "
          + "on disk is the one to resume from");
      try {
        daemon.close();
      } catch (Exception e) {
        // exiting anyway
      }
      io.err().flush();
      Runtime.getRuntime().halt(Main.EXIT_FAILURE);
    }
    try {
      reported.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    io.out().flush();
    io.err().flush();
    Runtime.getRuntime().halt(exitCode.get());
  }

  /** {@code GET /metrics}: the Prometheus text format, behind the bearer token like every endpoint but /health. */

}
