package dev.cramjet.actors.sweep;

import dev.cramjet.actors.CrossNode;
import dev.cramjet.sweep.CellResult;
import dev.cramjet.sweep.SweepCell;
import dev.cramjet.sweep.SweepState;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * Hands a sweep's cells to the {@link SweepWorker}s the Receptionist lists, one cell per worker at a time, and records
 * every change in the {@link SweepState}. A worker that is terminated (its node died and was downed, or it left)
 * gives its cell back to the front of the queue; the next worker resumes it from the cell folder's newest checkpoint. A result
 * from a worker that no longer holds the cell is dropped, so no cell is counted twice. When every cell is done or
 * failed, {@code done} completes and the coordinator stops.
 */
public final class SweepCoordinator {
  private SweepCoordinator() {}

  public sealed interface Command permits Workers, CellDone, WorkerGone {}

  /** The Receptionist's current list of workers (local only). */
  record Workers(Set<ActorRef<SweepWorker.Command>> refs) implements Command {}

  /** A watched worker terminated (local only). */
  record WorkerGone(ActorRef<SweepWorker.Command> worker) implements Command {}

  /** A worker's result for one cell; {@code error} is null unless the cell failed. */
  public record CellDone(String cellId, double heldOutLoss, double heldOutAccuracy, double trainLoss, long steps,
      long tokens, double trainSeconds, String node, String error, ActorRef<SweepWorker.Command> worker)
      implements Command, CrossNode {

    static CellDone of(CellResult r, ActorRef<SweepWorker.Command> worker) {
      return new CellDone(r.cell(), r.heldOutLoss(), r.heldOutAccuracy(), r.trainLoss(), r.steps(), r.tokens(),
          r.trainSeconds(), r.node(), r.error(), worker);
    }

    static CellDone failed(String cell, String node, String error, ActorRef<SweepWorker.Command> worker) {
      return new CellDone(cell, Double.NaN, Double.NaN, Double.NaN, 0, 0, Double.NaN, node, error, worker);
    }

    CellResult result() {
      return new CellResult(cellId, heldOutLoss, heldOutAccuracy, trainLoss, steps, tokens, trainSeconds, Double.NaN,
          node, error);
    }
  }

  /** What the coordinator reports as cells move (for logs and the live status). */
  public interface Listener {
    void assigned(SweepCell cell, String node);

    void finished(SweepCell cell, CellResult result);

    void lost(SweepCell cell, String node);
  }

  public static Behavior<Command> create(SweepState state, CompletableFuture<Void> done, Listener listener) {
    return Behaviors.setup(ctx -> {
      ActorRef<Receptionist.Listing> adapter = ctx.messageAdapter(Receptionist.Listing.class,
          l -> new Workers(l.getServiceInstances(SweepWorker.KEY)));
      ctx.getSystem().receptionist().tell(Receptionist.subscribe(SweepWorker.KEY, adapter));
      return new Running(ctx, state, done, listener).behavior();
    });
  }

  private static final class Running {
    private final ActorContext<Command> ctx;
    private final SweepState state;
    private final CompletableFuture<Void> done;
    private final Listener listener;
    private final Deque<SweepCell> queue;
    private final Set<ActorRef<SweepWorker.Command>> workers = new HashSet<>();
    private final Set<ActorRef<SweepWorker.Command>> watched = new HashSet<>();
    private final Map<ActorRef<SweepWorker.Command>, SweepCell> assigned = new HashMap<>();
    private final String specJson;

    Running(ActorContext<Command> ctx, SweepState state, CompletableFuture<Void> done, Listener listener) {
      this.ctx = ctx;
      this.state = state;
      this.done = done;
      this.listener = listener;
      this.queue = new ArrayDeque<>(state.pending());
      this.specJson = SweepState.specJson(state.spec());
    }

    Behavior<Command> behavior() {
      if (finishedAll()) {
        return Behaviors.stopped();
      }
      return Behaviors.receive(Command.class)
          .onMessage(Workers.class, this::onWorkers)
          .onMessage(WorkerGone.class, g -> {
            lose(g.worker());
            return next();
          })
          .onMessage(CellDone.class, this::onDone)
          .build();
    }

    /**
     * The listing holds the reachable workers: only they get new cells. A worker that drops out of it (unreachable)
     * keeps its cell until it is terminated (downed by the split-brain resolver, or stopped): giving the cell away
     * earlier could have two nodes write the same cell folder after a long pause.
     */
    private Behavior<Command> onWorkers(Workers w) {
      for (ActorRef<SweepWorker.Command> ref : w.refs()) {
        if (watched.add(ref)) {
          ctx.watchWith(ref, new WorkerGone(ref));
          ctx.getLog().info("sweep: worker {} joined", node(ref));
        }
      }
      workers.clear();
      workers.addAll(w.refs());
      return next();
    }

    private Behavior<Command> onDone(CellDone d) {
      SweepCell held = assigned.get(d.worker());
      if (held == null || !held.id().equals(d.cellId())) {
        ctx.getLog().warn("sweep: dropped a result for {} from {}, which no longer holds it", d.cellId(),
            node(d.worker()));
        return Behaviors.same();
      }
      assigned.remove(d.worker());
      CellResult r = d.result();
      state.finished(r);
      listener.finished(held, r);
      return next();
    }

    private void lose(ActorRef<SweepWorker.Command> ref) {
      workers.remove(ref);
      if (!watched.remove(ref)) {
        return;
      }
      SweepCell cell = assigned.remove(ref);
      ctx.getLog().warn("sweep: worker {} left{}", node(ref), cell == null ? "" : "; " + cell.id() + " goes back to"
          + " the queue and resumes from its newest checkpoint");
      if (cell != null) {
        state.requeue(cell);
        queue.addFirst(cell);
        listener.lost(cell, node(ref));
      }
    }

    private Behavior<Command> next() {
      for (ActorRef<SweepWorker.Command> w : workers) {
        if (queue.isEmpty()) {
          break;
        }
        if (!assigned.containsKey(w)) {
          SweepCell cell = queue.poll();
          assigned.put(w, cell);
          state.started(cell, node(w));
          listener.assigned(cell, node(w));
          w.tell(new SweepWorker.RunCell(specJson, cell.id(), state.cellDir(cell).toAbsolutePath().toString(),
              ctx.getSelf()));
        }
      }
      if (finishedAll()) {
        return Behaviors.stopped();
      }
      return Behaviors.same();
    }

    private boolean finishedAll() {
      if (queue.isEmpty() && assigned.isEmpty()) {
        done.complete(null);
        return true;
      }
      return false;
    }

    private static String node(ActorRef<?> ref) {
      var a = ref.path().address();
      return a.host().isDefined() ? a.host().get() + ":" + a.port().get() : "local";
    }
  }
}
