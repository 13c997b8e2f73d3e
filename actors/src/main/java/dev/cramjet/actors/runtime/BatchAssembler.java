package dev.cramjet.actors.runtime;

import dev.cramjet.actors.StatusBoard;
import dev.cramjet.train.MlmMasker;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * Turns rows into masked micro-batches ahead of time and hands them to the trainer in strict row order, as the trainer
 * grants demand. The data cursor lives here: micro-batch {@code j} after the start holds rows {@code [start + j*B,
 * start + (j+1)*B)}, and each is masked by its global row indices, so the batches are exactly those of the foreground
 * loop whichever loader read them.
 *
 * <p>Backpressure: at most {@code prefetch} micro-batches are loaded or ready here at any time, and the trainer's
 * demand bounds what it holds. Loaders: the local one, plus any remote loaders the Receptionist lists under
 * {@link DataLoader#serviceKey} of the run's data. While remote loaders are listed they get all requests, round robin; a request that
 * fails or times out is asked again of the local loader, so a lost worker loses and repeats no rows (a late answer to
 * a request that timed out goes to dead letters), and the remote loaders are used again once listed again.
 */
public final class BatchAssembler {
  private BatchAssembler() {}

  public sealed interface Command permits Demand, Loaded, LoadersChanged {}

  /**
   * The trainer may receive {@code count} more micro-batches, sent to {@code replyTo}; it holds {@code buffered}
   * delivered ones it has not trained on yet (for the prefetch-queue metric, which counts both sides).
   */
  public record Demand(int count, ActorRef<MicroBatch> replyTo, int buffered) implements Command {
    public Demand(int count, ActorRef<MicroBatch> replyTo) {
      this(count, replyTo, 0);
    }
  }

  private record Loaded(long firstRow, ActorRef<DataLoader.Command> loader, DataLoader.Rows rows, Throwable failure)
      implements Command {}

  private record LoadersChanged(Receptionist.Listing listing) implements Command {}

  /**
   * @param microBatchRows rows per micro-batch
   * @param startRow the data cursor to start from (0, or a checkpoint's rows consumed)
   * @param prefetch micro-batches loaded or ready ahead of demand, at least 1
   * @param loadTimeout how long a loader may take to answer before the range is asked of the local loader
   */
  public record Settings(int microBatchRows, long startRow, int prefetch, Duration loadTimeout) {
    public Settings {
      if (microBatchRows < 1 || startRow < 0 || prefetch < 1) {
        throw new IllegalArgumentException("bad assembler settings: " + microBatchRows + " rows, start " + startRow
            + ", prefetch " + prefetch);
      }
    }
  }

  /**
   * @param remoteKey the Receptionist key of remote loaders serving the same rows (see {@link DataLoader#serviceKey})
   * @param observer told how many rows each loader delivered, and the prefetch queue's depth
   */
  public static Behavior<Command> create(Settings settings, MlmMasker masker, ActorRef<DataLoader.Command> local,
      StatusBoard board, ServiceKey<DataLoader.Command> remoteKey, RunObserver observer) {
    return Behaviors.setup(ctx -> new State(ctx, settings, masker, local, board, remoteKey, observer).start());
  }

  private static final class State {
    private static final int PER_LOADER = 2;
    private final ActorContext<Command> ctx;
    private final Settings settings;
    private final MlmMasker masker;
    private final ActorRef<DataLoader.Command> local;
    private final StatusBoard board;
    private final TreeMap<Long, MicroBatch> ready = new TreeMap<>();
    // Requests out: first row -> the loader asked (its latest attempt). Each loader gets at most
    // PER_LOADER at a time, so a request never queues long behind others and a timeout means trouble, not a queue.
    private final Map<Long, ActorRef<DataLoader.Command>> inFlight = new HashMap<>();
    private final Map<ActorRef<DataLoader.Command>, Integer> busy = new HashMap<>();
    private final ArrayDeque<Long> toRetry = new ArrayDeque<>();
    private List<ActorRef<DataLoader.Command>> remote = List.of();
    private int nextRemote;
    private long nextToRequest;
    private long nextToDeliver;
    private int credits;
    private int consumerBuffered; // delivered micro-batches the trainer still holds, as of its latest demand
    private ActorRef<MicroBatch> consumer;
    private long rowsLocal;
    private long rowsRemote;
    private long retries;
    private final ServiceKey<DataLoader.Command> remoteKey;
    private final RunObserver observer;

    State(ActorContext<Command> ctx, Settings settings, MlmMasker masker, ActorRef<DataLoader.Command> local,
        StatusBoard board, ServiceKey<DataLoader.Command> remoteKey, RunObserver observer) {
      this.remoteKey = remoteKey;
      this.observer = observer;
      this.ctx = ctx;
      this.settings = settings;
      this.masker = masker;
      this.local = local;
      this.board = board;
      this.nextToRequest = settings.startRow();
      this.nextToDeliver = settings.startRow();
    }

    Behavior<Command> start() {
      ActorRef<Receptionist.Listing> adapter = ctx.messageAdapter(Receptionist.Listing.class, LoadersChanged::new);
      ctx.getSystem().receptionist().tell(Receptionist.subscribe(remoteKey, adapter));
      fill();
      return Behaviors.receive(Command.class)
          .onMessage(Demand.class, this::onDemand)
          .onMessage(Loaded.class, this::onLoaded)
          .onMessage(LoadersChanged.class, this::onLoadersChanged)
          .build();
    }

    private Behavior<Command> onDemand(Demand d) {
      consumer = d.replyTo();
      credits += d.count();
      consumerBuffered = d.buffered();
      deliver();
      fill();
      return Behaviors.same();
    }

    private Behavior<Command> onLoaded(Loaded l) {
      busy.computeIfPresent(l.loader(), (k, n) -> n > 1 ? n - 1 : null);
      if (inFlight.get(l.firstRow()) != l.loader()) {
        fill();
        return Behaviors.same(); // a stale answer: the range was asked again elsewhere
      }
      inFlight.remove(l.firstRow());
      if (l.failure() != null) {
        retries++;
        ctx.getLog().warn("rows {}..{} failed on the {} loader ({}); asking the local loader", l.firstRow(),
            l.firstRow() + settings.microBatchRows() - 1, l.loader() == local ? "local" : "remote",
            l.failure().toString());
        toRetry.add(l.firstRow());
        fill();
        return Behaviors.same();
      }
      DataLoader.Rows rows = l.rows();
      if (rows.firstRow() != l.firstRow() || rows.rows() != settings.microBatchRows()
          || rows.seqLen() != masker.seqLen()) {
        retries++;
        ctx.getLog().warn("the {} loader answered rows {}+{} of {} tokens for rows {}+{}; asking the local loader",
            l.loader() == local ? "local" : "remote", rows.firstRow(), rows.rows(), rows.seqLen(), l.firstRow(),
            settings.microBatchRows());
        toRetry.add(l.firstRow());
        fill();
        return Behaviors.same();
      }
      if (l.loader() != local) {
        rowsRemote += rows.rows();
      } else {
        rowsLocal += rows.rows();
      }
      observer.onLoaderRows(rows.rows());
      ready.put(l.firstRow(), MicroBatch.of(l.firstRow(), masker.mask(rows.tokens(), rows.rows(), l.firstRow()),
          rows.loadedBy()));
      deliver();
      fill();
      return Behaviors.same();
    }

    private Behavior<Command> onLoadersChanged(LoadersChanged c) {
      List<ActorRef<DataLoader.Command>> now = new ArrayList<>();
      for (ActorRef<DataLoader.Command> ref : c.listing().getServiceInstances(remoteKey)) {
        if (!ref.path().address().hasLocalScope()) {
          now.add(ref);
        }
      }
      if (now.size() != remote.size()) {
        ctx.getLog().info("remote data loaders: {}", now.size());
      }
      remote = List.copyOf(now);
      fill();
      publish();
      return Behaviors.same();
    }

    private void deliver() {
      while (credits > 0 && consumer != null && ready.containsKey(nextToDeliver)) {
        consumer.tell(ready.remove(nextToDeliver));
        consumerBuffered++;
        credits--;
        nextToDeliver += settings.microBatchRows();
      }
      publish();
    }

    private void fill() {
      while (!toRetry.isEmpty() && hasRoom(local)) {
        request(toRetry.poll(), local); // failed ranges first, on this node
      }
      while (ready.size() + inFlight.size() + toRetry.size() < settings.prefetch()) {
        ActorRef<DataLoader.Command> loader = nextLoader();
        if (loader == null) {
          return;
        }
        long first = nextToRequest;
        nextToRequest += settings.microBatchRows();
        request(first, loader);
      }
    }

    /** Remote loaders while any are listed (round robin), else the local one; null when all are busy. */
    private ActorRef<DataLoader.Command> nextLoader() {
      if (remote.isEmpty()) {
        return hasRoom(local) ? local : null;
      }
      for (int i = 0; i < remote.size(); i++) {
        ActorRef<DataLoader.Command> r = remote.get(Math.floorMod(nextRemote++, remote.size()));
        if (hasRoom(r)) {
          return r;
        }
      }
      return null;
    }

    private boolean hasRoom(ActorRef<DataLoader.Command> loader) {
      return busy.getOrDefault(loader, 0) < PER_LOADER;
    }

    private void request(long first, ActorRef<DataLoader.Command> loader) {
      int rows = settings.microBatchRows();
      inFlight.put(first, loader);
      busy.merge(loader, 1, Integer::sum);
      ctx.ask(DataLoader.Rows.class, loader, settings.loadTimeout(),
          replyTo -> new DataLoader.Load(first, rows, replyTo),
          (r, failure) -> new Loaded(first, loader, r, failure));
    }

    private void publish() {
      board.dataSource(new StatusBoard.DataSource(rowsLocal, rowsRemote, remote.size(), retries, ready.size()));
      observer.onQueueDepth(ready.size() + consumerBuffered);
    }
  }
}
