package dev.cramjet.actors.runtime;

import dev.cramjet.actors.StatusBoard;
import dev.cramjet.budget.Budget;
import dev.cramjet.budget.BudgetClock;
import java.time.Duration;
import java.util.Locale;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Owns the run's {@link BudgetClock}: starts it when training starts, stops it during a pause (so a pause does not eat
 * the budget), publishes it to the status board on a timer, and tells its parent once the budget is spent. The trainer
 * reads the same clock directly (the clock is thread-safe) for the fraction t of each step and records its steps on
 * it, so a step budget ends after exactly the right step; it never starts or pauses it.
 */
public final class BudgetKeeper {
  private BudgetKeeper() {}

  public sealed interface Command permits Start, PauseClock, ResumeClock, Tick {}

  public enum Start implements Command { INSTANCE }

  public enum PauseClock implements Command { INSTANCE }

  public enum ResumeClock implements Command { INSTANCE }

  private enum Tick implements Command { INSTANCE }

  /** Told to the parent once, when the budget is spent. */
  public record Spent(double elapsedSeconds) {}

  public static Behavior<Command> create(BudgetClock clock, StatusBoard board, ActorRef<Spent> notify,
      Duration tick) {
    return Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Tick.INSTANCE, tick);
      boolean[] told = {false};
      return Behaviors.receive(Command.class)
          .onMessageEquals(Start.INSTANCE, () -> {
            if (!clock.isStarted()) {
              clock.start();
            }
            publish(clock, board);
            return Behaviors.same();
          })
          .onMessageEquals(PauseClock.INSTANCE, () -> {
            if (clock.isStarted()) {
              clock.pause();
            }
            publish(clock, board);
            return Behaviors.same();
          })
          .onMessageEquals(ResumeClock.INSTANCE, () -> {
            if (clock.isStarted()) {
              clock.resume();
            }
            publish(clock, board);
            return Behaviors.same();
          })
          .onMessageEquals(Tick.INSTANCE, () -> {
            publish(clock, board);
            if (!told[0] && clock.isStarted() && clock.isSpent()) {
              told[0] = true;
              notify.tell(new Spent(clock.elapsedSeconds()));
            }
            return Behaviors.same();
          })
          .build();
    });
  }

  static void publish(BudgetClock clock, StatusBoard board) {
    Budget b = clock.budget();
    board.budget(new StatusBoard.BudgetView(b.toString(), b.kind().name().toLowerCase(Locale.ROOT), b.amount(),
        clock.used(), clock.fraction(), clock.elapsedSeconds(), clock.remainingSeconds(), clock.isPaused()));
  }
}
