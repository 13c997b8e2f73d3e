package dev.cramjet.actors.runtime;

import dev.cramjet.actors.CrossNode;
import dev.cramjet.data.RowSource;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * Reads token rows from a {@link RowSource}. Each request names its cursor (the global index of the first row), so the
 * loader holds no position of its own: after a failure it is restarted (the request that failed is dropped, and the
 * requester asks again for the same range), and a loader on another node can serve any range. Row {@code i} is read
 * from index {@code i mod rows()}, as the foreground loop does. It does not mask; the {@link BatchAssembler} does.
 */
public final class DataLoader {
  /**
   * The Receptionist key under which loaders of one row set are registered: {@code cramjet-data-loader-} and the
   * set's {@link #dataId}. A trainer subscribes to the key of its own rows, so a worker started with other data (another
   * shard folder, seed, sequence length or held-out split) is never asked for rows.
   */
  public static ServiceKey<Command> serviceKey(String dataId) {
    return ServiceKey.create(Command.class, "cramjet-data-loader-" + dataId);
  }

  /**
   * A short fingerprint of a row source as a loader serves it: its shape, the tokenizer hash, and the tokens of its
   * first, middle and last rows. Two nodes that open the same data with the same config get the same id.
   */
  public static String dataId(RowSource source, String vocabHash) {
    long h = dev.cramjet.util.Hashing.FNV_OFFSET;
    long[] head = {source.seqLen(), source.rows(), source.vocabSize()};
    for (long v : head) {
      h = mix(h, v);
    }
    for (char c : String.valueOf(vocabHash).toCharArray()) {
      h = mix(h, c);
    }
    int[] row = new int[source.seqLen()];
    for (long i : new long[] {0, source.rows() / 2, source.rows() - 1}) {
      source.read(i, row);
      for (int t : row) {
        h = mix(h, t);
      }
    }
    return String.format("%016x", h);
  }

  private static long mix(long h, long v) {
    return dev.cramjet.util.Hashing.fnv1a(h, v);
  }

  private DataLoader() {}

  /** What a loader accepts. */
  public sealed interface Command extends CrossNode permits Load {}

  /** Read {@code rows} rows starting at global index {@code firstRow}. */
  public record Load(long firstRow, int rows, ActorRef<Rows> replyTo) implements Command {
    public Load {
      if (firstRow < 0 || rows < 1) {
        throw new IllegalArgumentException("bad range: " + rows + " rows from " + firstRow);
      }
    }
  }

  /** The rows read: {@code rows * seqLen} token ids, row-major. */
  public record Rows(long firstRow, int rows, int seqLen, int[] tokens, String loadedBy) implements CrossNode {
    public Rows {
      if (tokens.length != rows * seqLen) {
        throw new IllegalArgumentException(tokens.length + " tokens for " + rows + " rows of " + seqLen);
      }
    }
  }

  /** A loader restarted on any failure, reading {@code source}; {@code name} says where its rows come from. */
  public static Behavior<Command> create(RowSource source, String name) {
    return Behaviors.supervise(Behaviors.<Command>setup(ctx -> serving(ctx, source, name)))
        .onFailure(RuntimeException.class, SupervisorStrategy.restart());
  }

  private static Behavior<Command> serving(ActorContext<Command> ctx, RowSource source, String name) {
    int seqLen = source.seqLen();
    int[] row = new int[seqLen];
    return Behaviors.receive(Command.class)
        .onMessage(Load.class, load -> {
          int[] tokens = new int[load.rows() * seqLen];
          for (int r = 0; r < load.rows(); r++) {
            source.read(Math.floorMod(load.firstRow() + r, source.rows()), row);
            System.arraycopy(row, 0, tokens, r * seqLen, seqLen);
          }
          load.replyTo().tell(new Rows(load.firstRow(), load.rows(), seqLen, tokens, name));
          return Behaviors.same();
        })
        .build();
  }
}
