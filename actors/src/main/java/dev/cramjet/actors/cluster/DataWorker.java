package dev.cramjet.actors.cluster;

import dev.cramjet.actors.runtime.DataLoader;
import dev.cramjet.data.RowSource;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * The guardian of a data worker node: starts {@code loaders} {@link DataLoader}s over the worker's rows (each
 * restarted on failure) and registers them with the Receptionist under the key of those rows, where a trainer with
 * the same data finds them. It holds no state of its own: every request names its rows.
 */
public final class DataWorker {
  private DataWorker() {}

  /** The worker takes no messages; it lives until its actor system terminates. */
  public sealed interface Command permits Never {}

  public enum Never implements Command { INSTANCE }

  /**
   * @param name how the worker signs the rows it serves (shows in the trainer's status)
   * @param blockingDispatcher config path of the dispatcher the loaders read on
   */
  public static Behavior<Command> create(RowSource rows, ServiceKey<DataLoader.Command> key, int loaders, String name,
      String blockingDispatcher) {
    if (loaders < 1) {
      throw new IllegalArgumentException("a data worker needs at least one loader, got " + loaders);
    }
    return Behaviors.setup(ctx -> {
      for (int i = 0; i < loaders; i++) {
        ActorRef<DataLoader.Command> loader = ctx.spawn(DataLoader.create(rows, name), "data-loader-" + i,
            DispatcherSelector.fromConfig(blockingDispatcher));
        ctx.getSystem().receptionist().tell(Receptionist.register(key, loader));
      }
      ctx.getLog().info("data worker: {} loader(s) registered as {}", loaders, key.id());
      return Behaviors.receive(Command.class).onMessage(Command.class, c -> Behaviors.same()).build();
    });
  }
}
