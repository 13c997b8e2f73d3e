package dev.cramjet.actors.runtime;

import dev.cramjet.actors.StatusBoard;
import dev.cramjet.checkpoint.CheckpointStore;
import dev.cramjet.checkpoint.CheckpointWriteException;
import dev.cramjet.checkpoint.Snapshot;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Writes snapshots to disk through a {@link CheckpointStore} (atomic folders, the newest N kept), on a blocking-IO
 * dispatcher so the trainer only pays for the host copy. It writes one snapshot at a time, in arrival order; it never
 * touches DJL.
 */
public final class Checkpointer {
  private Checkpointer() {}

  public sealed interface Command permits Write {}

  /** Write {@code snapshot}; the result goes to {@code replyTo}. */
  public record Write(Snapshot snapshot, ActorRef<Written> replyTo) implements Command {}

  /**
   * A written checkpoint, or the error (folder null) that stopped it: {@code error} names the step, folder and file,
   * {@code reason} only the file and the system's reason.
   */
  public record Written(long step, Path folder, double seconds, long bytes, String error, String reason) {
    public boolean ok() {
      return folder != null;
    }
  }

  /** Writes each snapshot and records the latest one on {@code board}; the trainer reports the result onwards. */
  public static Behavior<Command> create(CheckpointStore store, StatusBoard board) {
    return Behaviors.receive(Command.class)
        .onMessage(Write.class, w -> {
          long start = System.nanoTime();
          long step = w.snapshot().state().step();
          try {
            Path folder = store.write(w.snapshot());
            double secs = (System.nanoTime() - start) / 1e9;
            long bytes = sizeOf(folder);
            board.lastCheckpoint(new StatusBoard.CheckpointInfo(folder.toString(), step, secs, bytes));
            w.replyTo().tell(new Written(step, folder, secs, bytes, null, null));
          } catch (IOException | RuntimeException e) {
            String error = e instanceof CheckpointWriteException c ? c.getMessage()
                : "checkpoint of step " + step + " to " + store.dir() + " failed: " + e;
            String reason = e instanceof CheckpointWriteException c ? c.reason() : e.toString();
            w.replyTo().tell(new Written(step, null, (System.nanoTime() - start) / 1e9, 0, error, reason));
          }
          return Behaviors.same();
        })
        .build();
  }

  private static long sizeOf(Path folder) throws IOException {
    return CheckpointStore.sizeOf(folder);
  }
}
