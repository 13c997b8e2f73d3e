package dev.cramjet.cli;

import dev.cramjet.actors.sweep.CellTrainer;
import dev.cramjet.actors.sweep.LocalSweep;
import dev.cramjet.budget.Budget;
import dev.cramjet.report.SweepReport;
import dev.cramjet.sweep.CellResult;
import dev.cramjet.sweep.SweepCell;
import dev.cramjet.sweep.SweepSpec;
import dev.cramjet.sweep.SweepState;
import dev.cramjet.util.BadInputException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code cramjet sweep}: trains every cell of a grid for the same budget, scores each on the same held-out rows, and
 * writes {@code sweep.json}, {@code sweep.csv} and a report with plots that names the winner. Each cell is a normal
 * run folder under {@code OUT/cells/}. A stopped sweep continues with {@code --resume}.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
    description = "Train a grid of configs for the same budget, score them on held-out rows, report the winner.")
public final class SweepCommand implements Callable<Integer> {
  @Mixin Output io;

  @Option(names = "--config", description = "Run config: a .conf file or a preset under configs/run.")
  String config;

  @Option(names = "--budget", description = "Budget of every cell: 2m, 500steps, 2000000tokens (time budgets count"
      + " training time only).")
  String budget;

  @Option(names = "--grid", description = "An axis: key=value1,value2,... (repeatable; the cells are every"
      + " combination).")
  List<String> grid = new ArrayList<>();

  @Option(names = "--seeds", defaultValue = "1", description = "Seeds per grid point, 1..N (default ${DEFAULT-VALUE}).")
  int seeds;

  @Option(names = "--set", description = "An override for every cell, e.g. --set run.shards=data/ (repeatable).")
  List<String> sets = new ArrayList<>();

  @Option(names = "--eval-rows", defaultValue = "256",
      description = "Held-out rows every cell is scored on: the data's last rows, never trained on (default "
          + "${DEFAULT-VALUE}).")
  int evalRows;

  @Option(names = "--eval", description = "Also fine-tune every cell on this task folder (GLUE layout or `suite"
      + " build`; crammed protocol, seed 1) and report the average score. Needs the cells' tokenizer (--tokenizer).")
  Path eval;

  @Option(names = "--tokenizer", description = "The tokenizer of the sweep's data, copied to OUT/cells/tokenizer/ so"
      + " that --eval, glue, predict and export find it beside every cell.")
  Path tokenizer;

  @Option(names = "--out", required = true, description = "Sweep folder (sweep.json, sweep.csv, report, cells/).")
  Path out;

  @Option(names = "--resume", description = "Continue the sweep in --out with its stored settings.")
  boolean resume;

  @Option(names = "--retry-failed", description = "Train failed cells again.")
  boolean retryFailed;

  @Option(names = "--peak-flops", description = "FLOP/s that MFU is measured against (see pretrain).")
  Double peakFlops;

  @Option(names = "--json", description = "Print the final sweep.json on stdout.")
  boolean json;

  @Option(names = "--metrics-port", description = "Serve Prometheus metrics (cells by state, best loss) at"
      + " http://127.0.0.1:PORT/metrics while the sweep runs (0: any free port).")
  Integer metricsPort;

  @Option(names = "--cluster-port", description = "Coordinate the sweep over Pekko Cluster on this port (0: any):"
      + " cells go to nodes started with `worker --role sweep --seed-nodes HOST:PORT`.")
  Integer clusterPort;

  @Option(names = "--host", description = "Address the cluster node binds and advertises (default ${DEFAULT-VALUE}).")
  String host = "127.0.0.1";

  @Option(names = "--local-worker", description = "With --cluster-port: also train cells on this node.")
  boolean localWorker;

  @Override
  public Integer call() throws Exception {
    SweepSpec spec = null;
    if (!resume) {
      if (config == null || budget == null || grid.isEmpty()) {
        throw new BadInputException("sweep needs --config, --budget and at least one --grid (or --resume with --out)");
      }
      Budget.parse(budget);
      List<SweepSpec.Axis> axes = new ArrayList<>();
      for (String g : grid) {
        axes.add(SweepSpec.parseAxis(g));
      }
      if (eval != null && !java.nio.file.Files.isDirectory(eval)) {
        throw new BadInputException("--eval " + eval + ": not a folder");
      }
      spec = new SweepSpec(config, sets, budget, axes, seeds, evalRows,
          eval == null ? null : eval.toAbsolutePath().toString());
    } else if (config != null || budget != null || !grid.isEmpty()) {
      throw new BadInputException("--resume continues the stored sweep; drop --config, --budget and --grid");
    }
    SweepState state = SweepState.open(out, spec);
    spec = state.spec();
    if (tokenizer != null) {
      copyTokenizer(tokenizer, out.resolve("cells").resolve("tokenizer"));
    }
    if (spec.eval() != null) {
      dev.cramjet.eval.GlueTasks.discover(Path.of(spec.eval()), List.of()); // fail before training when it has no tasks
    }
    if (retryFailed) {
      int n = state.requeueFailed();
      io.err().println("retrying " + n + " failed cells");
    }
    CellTrainer trainer = new CellTrainer(spec, peakFlops);
    LocalSweep.validate(state, trainer);
    List<String> keys = spec.keys();
    int total = state.entries().size();
    io.err().printf(Locale.ROOT, "sweep %s: %d cells (%d done, %d to train), budget %s each%n", out, total,
        state.count(SweepState.Status.DONE), state.pending().size(), spec.budget());
    Progress progress = new Progress(io.err(), 0);
    if (localWorker && clusterPort == null) {
      throw new BadInputException("--local-worker goes with --cluster-port");
    }
    boolean finished;
    dev.cramjet.metrics.CramjetMetrics metrics = metricsPort == null ? null : new dev.cramjet.metrics.CramjetMetrics();
    java.util.concurrent.ScheduledExecutorService publisher = null;
    try (dev.cramjet.actors.control.MetricsServer server = metrics == null ? null
        : dev.cramjet.actors.control.MetricsServer.start(metrics, metricsPort)) {
      if (metrics != null) {
        io.err().println("metrics: " + server.url());
        publisher = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
          Thread t = new Thread(r, "sweep-metrics");
          t.setDaemon(true);
          return t;
        });
        publisher.scheduleAtFixedRate(() -> publish(state, metrics), 0, 1, java.util.concurrent.TimeUnit.SECONDS);
      }
      finished = clusterPort != null ? runOnCluster(state, keys, progress) : runHere(state, trainer, keys, progress);
    } finally {
      if (publisher != null) {
        publisher.shutdownNow();
      }
    }
    return finish(state, keys, finished);
  }

  /** Copies vocab.txt (and tokenizer.json) so that every cell finds its tokenizer beside it. */
  private static void copyTokenizer(Path from, Path to) throws java.io.IOException {
    if (!java.nio.file.Files.isRegularFile(from.resolve("vocab.txt"))) {
      throw new BadInputException("--tokenizer " + from + ": no vocab.txt there");
    }
    java.nio.file.Files.createDirectories(to);
    for (String f : dev.cramjet.export.Exporter.TOKENIZER_FILES) {
      if (java.nio.file.Files.isRegularFile(from.resolve(f))) {
        dev.cramjet.util.AtomicFiles.writeBytes(to.resolve(f), java.nio.file.Files.readAllBytes(from.resolve(f)));
      }
    }
  }

  static void publish(SweepState state, dev.cramjet.metrics.CramjetMetrics metrics) {
    metrics.publishSweep(state.count(SweepState.Status.QUEUED), state.count(SweepState.Status.RUNNING),
        state.count(SweepState.Status.DONE), state.count(SweepState.Status.FAILED),
        state.best().map(e -> e.result().heldOutLoss()).orElse(Double.NaN));
  }

  private boolean runHere(SweepState state, CellTrainer trainer, List<String> keys, Progress progress) {
    boolean finished;
    try (CleanStop stop = new CleanStop(progress)) {
      finished = LocalSweep.run(state, trainer, stop::requested,
          cell -> new PretrainCommand.Printer(progress, io.err()), new LocalSweep.Listener() {
            @Override
            public void cellStarted(SweepCell cell, int position, int pending) {
              progress.line(String.format(Locale.ROOT, "== %s (%d of %d to train): %s ==", cell.id(), position,
                  pending, cell.label(keys)));
            }

            @Override
            public void cellFinished(SweepCell cell, CellResult r) {
              progress.done();
              progress.line(r.failed() ? cell.id() + " failed: " + r.error()
                  : String.format(Locale.ROOT, "%s: held-out loss %.4f, accuracy %.1f%%, %d steps, %s tokens",
                      cell.id(), r.heldOutLoss(), r.heldOutAccuracy() * 100, r.steps(), Progress.si(r.tokens())));
            }
          });
      progress.done();
    }
    return finished;
  }

  /** Runs the coordinator (and, with --local-worker, a worker) in a cluster node until every cell is done or Ctrl-C. */
  private boolean runOnCluster(SweepState state, List<String> keys, Progress progress) throws Exception {
    java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
    java.util.concurrent.atomic.AtomicBoolean stopCells = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.ExecutorService cells = dev.cramjet.actors.sweep.SweepWorker.newCellExecutor();
    dev.cramjet.actors.sweep.SweepCoordinator.Listener listener =
        new dev.cramjet.actors.sweep.SweepCoordinator.Listener() {
          @Override
          public void assigned(SweepCell cell, String node) {
            progress.line(cell.id() + " (" + cell.label(keys) + ") -> " + node);
          }

          @Override
          public void finished(SweepCell cell, CellResult r) {
            progress.line(r.failed() ? cell.id() + " failed on " + r.node() + ": " + r.error()
                : String.format(Locale.ROOT, "%s done on %s: held-out loss %.4f, %d steps", cell.id(), r.node(),
                    r.heldOutLoss(), r.steps()));
          }

          @Override
          public void lost(SweepCell cell, String node) {
            progress.line(node + " left the cluster; " + cell.id() + " goes back to the queue and resumes from its"
                + " newest checkpoint");
          }
        };
    var system = org.apache.pekko.actor.typed.ActorSystem.create(
        org.apache.pekko.actor.typed.javadsl.Behaviors.<Void>setup(ctx -> {
          ctx.spawn(dev.cramjet.actors.sweep.SweepCoordinator.create(state, done, listener), "sweep-coordinator");
          if (localWorker) {
            ctx.spawn(dev.cramjet.actors.sweep.SweepWorker.create("local", cells, stopCells::get,
                cell -> new PretrainCommand.Printer(progress, io.err())), "sweep-worker");
          }
          return org.apache.pekko.actor.typed.javadsl.Behaviors.empty();
        }),
        dev.cramjet.actors.cluster.ClusterNode.SYSTEM,
        dev.cramjet.actors.cluster.ClusterNode.config(host, clusterPort,
            dev.cramjet.actors.cluster.ClusterNode.COORDINATOR_ROLE));
    dev.cramjet.actors.cluster.ClusterNode.join(system, List.of());
    String at = dev.cramjet.actors.cluster.ClusterNode.hostPort(system);
    io.err().println("sweep coordinator at " + at + "; start workers with: bin/cramjet worker --role sweep"
        + " --seed-nodes " + at);
    try (CleanStop stop = new CleanStop(progress)) {
      while (!done.isDone() && !stop.requested()) {
        try {
          done.get(1, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          // keep waiting
        }
      }
      stopCells.set(true);
      cells.shutdown();
      cells.awaitTermination(3, java.util.concurrent.TimeUnit.MINUTES);
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
    }
    return done.isDone();
  }

  private int finish(SweepState state, List<String> keys, boolean finished) throws Exception {
    SweepReport.write(state);
    long failed = state.count(SweepState.Status.FAILED);
    if (json) {
      io.out().print(java.nio.file.Files.readString(out.resolve(SweepState.FILE)));
    } else {
      state.best().ifPresentOrElse(
          b -> io.out().printf(Locale.ROOT, "best so far: %s (%s), held-out loss %.4f%n", b.cell().id(),
              b.cell().label(keys), b.result().heldOutLoss()),
          () -> io.out().println("no cell has finished"));
      io.out().println("report: " + out.resolve("report.md") + " (and report.html, sweep.csv, sweep.json)");
    }
    if (!finished) {
      io.out().println("stopped; continue with: bin/cramjet sweep --out " + out + " --resume");
      return 0;
    }
    if (failed > 0) {
      io.err().println(failed + " cells failed (see " + out.resolve("report.md") + "); retry them with --resume"
          + " --retry-failed");
      return Main.EXIT_FAILURE;
    }
    return 0;
  }
}
