package dev.cramjet.cli;

import dev.cramjet.actors.cluster.ClusterNode;
import dev.cramjet.actors.cluster.DataWorker;
import dev.cramjet.actors.runtime.DataLoader;
import dev.cramjet.actors.runtime.RunRows;
import dev.cramjet.actors.runtime.RunSupervisor;
import dev.cramjet.config.RunConfig;
import dev.cramjet.util.BadInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.pekko.actor.typed.ActorSystem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code cramjet worker --role data --seed-nodes HOST:PORT,... --config FILE}: a data worker in its own JVM. It opens
 * the same rows as the trainer (the same run config: shards or synthetic stream, and the same held-out split), joins
 * the cluster and serves the training range to the trainer's batch assembler until it is stopped (Ctrl-C or
 * SIGTERM leaves the cluster cleanly).
 */
@Command(name = "worker", mixinStandardHelpOptions = true,
    description = "A cluster worker: serve a daemon's training rows (--role data, with its run config) or train "
        + "sweep cells (--role sweep).")
final class WorkerCommand implements Callable<Integer> {
  @Mixin Output io;

  @Option(names = "--role", required = true,
      description = "what this worker does: data (serve a daemon's rows) or sweep (train sweep cells)")
  String role;

  @Option(names = "--seed-nodes", required = true,
      description = "HOST:PORT,... of cluster nodes to join (the daemon's --cluster-port)")
  String seedNodes;

  @Option(names = "--config", description = "the daemon's run file or preset name (data role)")
  String config;

  @Option(names = "--set", description = "key=value override, as given to the daemon (repeatable)")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--host", description = "address Artery binds and advertises (default ${DEFAULT-VALUE})")
  String host = "127.0.0.1";

  @Option(names = "--port", description = "Artery port, 0 for any free one (default ${DEFAULT-VALUE})")
  int port = 0;

  @Option(names = "--loaders", description = "loaders this worker registers (default ${DEFAULT-VALUE})")
  int loaders = 2;

  @Override
  public Integer call() throws Exception {
    if (ClusterNode.SWEEP_ROLE.equals(role)) {
      return sweepWorker();
    }
    if (!ClusterNode.DATA_ROLE.equals(role)) {
      throw new BadInputException("--role " + role + ": expected '" + ClusterNode.DATA_ROLE + "' or '"
          + ClusterNode.SWEEP_ROLE + "'");
    }
    if (config == null) {
      throw new BadInputException("--role data needs --config (the daemon's run file or preset name)");
    }
    if (loaders < 1) {
      throw new BadInputException("--loaders must be at least 1, got " + loaders);
    }
    var seeds = ClusterNode.seeds(seedNodes);
    if (seeds.isEmpty()) {
      throw new BadInputException("--seed-nodes names no node");
    }
    RunRows rows = RunRows.open(RunConfig.load(config, overrides));
    String dataId = DataLoader.dataId(rows.train(), rows.vocabHash());
    ActorSystem<DataWorker.Command> system = ActorSystem.create(
        DataWorker.create(rows.train(), DataLoader.serviceKey(dataId), loaders, "worker",
            RunSupervisor.BLOCKING_DISPATCHER),
        ClusterNode.SYSTEM, ClusterNode.config(host, port, ClusterNode.DATA_ROLE));
    ClusterNode.join(system, seeds);
    io.err().println("cramjet worker: data node at " + ClusterNode.hostPort(system) + " serving "
        + rows.train().rows() + " training rows (data " + dataId + "), joining " + seedNodes);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> leave(system)));
    system.getWhenTerminated().toCompletableFuture().get();
    return 0;
  }

  /**
   * A sweep node: trains the cells a {@code sweep --cluster-port} coordinator hands it, one at a time, in the sweep
   * folder the coordinator names (which this machine must see at the same path). Ctrl-C checkpoints the cell in
   * progress before leaving; the coordinator gives the cell to another node.
   */
  private Integer sweepWorker() throws Exception {
    if (config != null || !overrides.isEmpty()) {
      throw new BadInputException("--role sweep takes its settings from the coordinator; drop --config and --set");
    }
    var seeds = ClusterNode.seeds(seedNodes);
    if (seeds.isEmpty()) {
      throw new BadInputException("--seed-nodes names no node");
    }
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.ExecutorService cells = dev.cramjet.actors.sweep.SweepWorker.newCellExecutor();
    Progress progress = new Progress(io.err(), 0);
    ActorSystem<dev.cramjet.actors.sweep.SweepWorker.Command> system = ActorSystem.create(
        org.apache.pekko.actor.typed.javadsl.Behaviors.setup(ctx -> dev.cramjet.actors.sweep.SweepWorker.create(
            ClusterNode.hostPort(ctx.getSystem()), cells, stop::get, cell -> {
              progress.line("training sweep " + cell);
              return new PretrainCommand.Printer(progress, io.err());
            })),
        ClusterNode.SYSTEM, ClusterNode.config(host, port, ClusterNode.SWEEP_ROLE));
    ClusterNode.join(system, seeds);
    io.err().println("cramjet worker: sweep node at " + ClusterNode.hostPort(system) + ", joining " + seedNodes);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stop.set(true);
      cells.shutdown();
      try {
        cells.awaitTermination(3, java.util.concurrent.TimeUnit.MINUTES); // the cell in progress checkpoints
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      leave(system);
    }));
    system.getWhenTerminated().toCompletableFuture().get();
    return 0;
  }

  /** Leaves the cluster: terminates the actor system and waits up to 30 s for it (a shutdown hook's last step). */
  private static void leave(ActorSystem<?> system) {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      // exiting anyway
    }
  }
}
