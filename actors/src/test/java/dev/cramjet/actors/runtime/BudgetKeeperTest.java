package dev.cramjet.actors.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cramjet.actors.StatusBoard;
import dev.cramjet.budget.Budget;
import dev.cramjet.budget.ClockState;
import dev.cramjet.testing.Await;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The budget keeper alone: it learns the trainer's clock only from readings, and says "spent" exactly once. */
class BudgetKeeperTest {
  private static final ActorTestKit KIT = ActorTestKit.create();
  private static final Duration TICK = Duration.ofMillis(20);
  private static final long SECOND = 1_000_000_000L;

  @AfterAll
  static void stop() {
    KIT.shutdownTestKit();
  }

  @Test
  void aRunningClockIsReadForwardUntilATimeBudgetIsSpentAndTheParentHearsItOnce() throws Exception {
    StatusBoard board = new StatusBoard();
    TestProbe<BudgetKeeper.Spent> parent = KIT.createTestProbe();
    ActorRef<BudgetKeeper.Command> keeper = keeper(Budget.seconds(1), board, parent);
    // 0.7 s used when read; the clock runs on, so the keeper must find it spent about 0.3 s later with no new reading.
    keeper.tell(new BudgetKeeper.Reading(new ClockState(7 * SECOND / 10, 3, 300), true, System.nanoTime()));
    BudgetKeeper.Spent spent = parent.expectMessageClass(BudgetKeeper.Spent.class, Duration.ofSeconds(5));
    assertTrue(spent.elapsedSeconds() >= 1.0, "told when the budget ran out: " + spent.elapsedSeconds());
    parent.expectNoMessage(Duration.ofMillis(200)); // once
    StatusBoard.BudgetView view = board.budget();
    assertNotNull(view);
    assertEquals("seconds", view.unit());
    assertEquals(1.0, view.fraction());
    assertFalse(view.paused());
    // Readings after that still reach the board (the trainer's final one, with its clock stopped).
    keeper.tell(new BudgetKeeper.Reading(new ClockState(SECOND + SECOND / 10, 4, 400), false, System.nanoTime()));
    awaitPaused(board);
    assertEquals(1.1, board.budget().elapsedSeconds(), 1e-9);
    parent.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void aPausedClockStandsStillAndIsNotSpent() throws Exception {
    StatusBoard board = new StatusBoard();
    TestProbe<BudgetKeeper.Spent> parent = KIT.createTestProbe();
    ActorRef<BudgetKeeper.Command> keeper = keeper(Budget.seconds(1), board, parent);
    keeper.tell(new BudgetKeeper.Reading(new ClockState(9 * SECOND / 10, 3, 300), false, System.nanoTime()));
    parent.expectNoMessage(Duration.ofMillis(300)); // fifteen ticks, and the paused clock never moved
    awaitPaused(board);
    assertEquals(0.9, board.budget().elapsedSeconds(), 1e-9);
    assertEquals(0.1, board.budget().remainingSeconds(), 1e-9);
  }

  @Test
  void aStepBudgetIsSpentByTheReadingOfItsLastStep() {
    StatusBoard board = new StatusBoard();
    TestProbe<BudgetKeeper.Spent> parent = KIT.createTestProbe();
    ActorRef<BudgetKeeper.Command> keeper = keeper(Budget.steps(10), board, parent);
    keeper.tell(new BudgetKeeper.Reading(new ClockState(2 * SECOND, 9, 900), true, System.nanoTime()));
    parent.expectNoMessage(Duration.ofMillis(200)); // nine steps of ten, however long it runs
    assertEquals(0.9, board.budget().fraction(), 1e-12);
    keeper.tell(new BudgetKeeper.Reading(new ClockState(2 * SECOND, 10, 1000), true, System.nanoTime()));
    parent.expectMessageClass(BudgetKeeper.Spent.class, Duration.ofSeconds(5));
    parent.expectNoMessage(Duration.ofMillis(100));
  }

  private static ActorRef<BudgetKeeper.Command> keeper(Budget budget, StatusBoard board,
      TestProbe<BudgetKeeper.Spent> parent) {
    return KIT.spawn(BudgetKeeper.create(budget, board, parent.getRef(), TICK));
  }

  private static void awaitPaused(StatusBoard board) throws Exception {
    Await.until(Duration.ofSeconds(5), "the board to show the paused reading", board::budget,
        b -> b != null && b.paused());
  }
}
