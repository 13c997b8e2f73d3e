package dev.cramjet.actors.runtime;

import dev.cramjet.actors.StatusBoard;
import dev.cramjet.budget.Budget;
import dev.cramjet.budget.ClockState;
import java.time.Duration;
import java.util.Locale;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Keeps time for the run's budget between steps. The trainer owns the budget clock (its {@code StepLedger}) and
 * sends a {@link Reading} after each step, pause and resume; the keeper publishes the budget to the status board on a
 * timer, reading a running clock forward from the latest reading, and tells its parent once, when a time budget runs
 * out (which matters while the trainer waits for data and takes no step). It shares no state with the trainer.
 *
 * <p>Behaviours: {@code waiting} for the first reading, {@code watching} the latest one, and {@code spent} once the
 * parent has been told.
 */
public final class BudgetKeeper {
  private BudgetKeeper() {}

  public sealed interface Command permits Reading, Tick {}

  /**
   * The trainer's budget clock at {@code atNanos} ({@link System#nanoTime()}).
   *
   * @param running whether the clock was counting time then (started and not paused)
   */
  public record Reading(ClockState state, boolean running, long atNanos) implements Command {
    /** The clock now: a running clock has counted the time since the reading. */
    ClockState now(long nanos) {
      return running ? state.plusNanos(nanos - atNanos) : state;
    }
  }

  private enum Tick implements Command { INSTANCE }

  /** Told to the parent once, when the budget is spent. */
  public record Spent(double elapsedSeconds) {}

  public static Behavior<Command> create(Budget budget, StatusBoard board, ActorRef<Spent> notify, Duration tick) {
    return Behaviors.withTimers(timers -> new Keeper(budget, board, notify, timers, tick).waiting());
  }

  private static final class Keeper {
    private final Budget budget;
    private final StatusBoard board;
    private final ActorRef<Spent> notify;
    private final TimerScheduler<Command> timers;
    private final Duration tick;

    Keeper(Budget budget, StatusBoard board, ActorRef<Spent> notify, TimerScheduler<Command> timers, Duration tick) {
      this.budget = budget;
      this.board = board;
      this.notify = notify;
      this.timers = timers;
      this.tick = tick;
    }

    Behavior<Command> waiting() {
      return Behaviors.receive(Command.class)
          .onMessage(Reading.class, r -> {
            timers.startTimerWithFixedDelay(Tick.INSTANCE, tick);
            return watch(r);
          })
          .onMessageEquals(Tick.INSTANCE, Behaviors::same)
          .build();
    }

    private Behavior<Command> watching(Reading latest) {
      return Behaviors.receive(Command.class)
          .onMessage(Reading.class, this::watch)
          .onMessageEquals(Tick.INSTANCE, () -> watch(latest))
          .build();
    }

    /** Publishes the clock as of now; the parent hears once that it is spent. */
    private Behavior<Command> watch(Reading r) {
      ClockState now = publish(r);
      if (now.spent(budget)) {
        notify.tell(new Spent(now.elapsedNanos() / 1e9));
        return spent();
      }
      return watching(r);
    }

    private Behavior<Command> spent() {
      return Behaviors.receive(Command.class)
          .onMessage(Reading.class, r -> {
            publish(r);
            return Behaviors.same();
          })
          .onMessageEquals(Tick.INSTANCE, Behaviors::same)
          .build();
    }

    private ClockState publish(Reading r) {
      ClockState c = r.now(System.nanoTime());
      board.budget(new StatusBoard.BudgetView(budget.toString(), budget.kind().name().toLowerCase(Locale.ROOT),
          budget.amount(), c.used(budget), c.fraction(budget), c.elapsedNanos() / 1e9, c.remainingSeconds(budget),
          !r.running()));
      return c;
    }
  }
}
