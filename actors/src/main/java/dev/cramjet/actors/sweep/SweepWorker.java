package dev.cramjet.actors.sweep;

import dev.cramjet.train.StepListener;
import dev.cramjet.actors.CrossNode;
import dev.cramjet.sweep.CellResult;
import dev.cramjet.sweep.SweepCell;
import dev.cramjet.sweep.SweepSpec;
import dev.cramjet.sweep.SweepState;
import dev.cramjet.train.PretrainRun;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * A sweep worker: registers with the Receptionist under {@link #KEY}, takes one cell at a time from a coordinator,
 * trains it with a {@link CellTrainer} on its own thread (resuming from the cell folder's newest checkpoint when there
 * is one), and answers {@link SweepCoordinator.CellDone}. The cell folder is the coordinator's path, so every node
 * must see the sweep folder at the same path (one machine, or a shared mount).
 */
public final class SweepWorker {
  /** The key workers register under and coordinators look them up by. */
  public static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "cramjet-sweep-worker");

  private SweepWorker() {}

  /** The thread cells train on: one, a daemon, so that a JVM told to exit is not held open by a cell. */
  public static java.util.concurrent.ExecutorService newCellExecutor() {
    return java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "sweep-cell");
      t.setDaemon(true);
      return t;
    });
  }

  public sealed interface Command permits RunCell, Trained {}

  /** Train a cell; {@code specJson} is the sweep's spec ({@link SweepState#specJson}). */
  public record RunCell(String specJson, String cellId, String cellDir, ActorRef<SweepCoordinator.Command> replyTo)
      implements Command, CrossNode {}

  /** The training thread's outcome (local only). */
  record Trained(RunCell request, CellResult result, Throwable failure) implements Command {}

  /**
   * @param node how this worker names itself in results ({@code host:port})
   * @param executor where cells train (a dedicated thread: training blocks for minutes)
   * @param stop raised when the node shuts down: the cell in progress checkpoints and ends
   * @param listener what to tell about the training run of each cell
   */
  public static Behavior<Command> create(String node, Executor executor, BooleanSupplier stop,
      java.util.function.Function<String, StepListener> listener) {
    return Behaviors.setup(ctx -> {
      ctx.getSystem().receptionist().tell(Receptionist.register(KEY, ctx.getSelf()));
      return Behaviors.receive(Command.class)
          .onMessage(RunCell.class, r -> {
            ctx.getLog().info("sweep worker {}: training {}", node, r.cellId());
            CompletableFuture<CellResult> f = CompletableFuture.supplyAsync(() -> {
              SweepSpec spec = SweepState.parseSpec(r.specJson());
              SweepCell cell = spec.cells().stream().filter(c -> c.id().equals(r.cellId())).findFirst()
                  .orElseThrow(() -> new IllegalArgumentException("no cell " + r.cellId() + " in the sweep"));
              try {
                return new CellTrainer(spec, Double.NaN).train(cell, Path.of(r.cellDir()), node, stop,
                    listener.apply(cell.id()));
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            }, executor);
            ctx.pipeToSelf(f, (result, failure) -> new Trained(r, result, failure));
            return Behaviors.same();
          })
          .onMessage(Trained.class, t -> {
            RunCell r = t.request();
            if (t.failure() != null) {
              Throwable cause = t.failure() instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                  ? c.getCause() : t.failure();
              String why = cause.getMessage() == null ? cause.toString() : cause.getMessage();
              r.replyTo().tell(SweepCoordinator.CellDone.failed(r.cellId(), node, why, ctx.getSelf()));
            } else if (t.result() == null) {
              ctx.getLog().info("sweep worker {}: {} stopped with a checkpoint", node, r.cellId());
            } else {
              r.replyTo().tell(SweepCoordinator.CellDone.of(t.result(), ctx.getSelf()));
            }
            return Behaviors.same();
          })
          .build();
    });
  }
}
