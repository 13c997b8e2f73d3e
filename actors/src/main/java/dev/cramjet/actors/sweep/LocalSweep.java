package dev.cramjet.actors.sweep;

import dev.cramjet.train.StepListener;
import dev.cramjet.sweep.CellResult;
import dev.cramjet.sweep.SweepCell;
import dev.cramjet.sweep.SweepState;
import dev.cramjet.train.PretrainRun;
import dev.cramjet.util.BadInputException;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Runs a sweep's pending cells one after another in this JVM. A cell that throws is recorded as failed with its
 * message and the sweep goes on; a stop request leaves the running cell as it is (checkpointed, marked running) so
 * that the next {@code sweep --resume} continues it.
 */
public final class LocalSweep {
  /** What the sweep reports between cells. */
  public interface Listener {
    void cellStarted(SweepCell cell, int position, int pending);

    void cellFinished(SweepCell cell, CellResult result);
  }

  private LocalSweep() {}

  /**
   * Every cell's config must bind before any cell trains: a bad grid value fails the sweep at once, naming the cell.
   */
  public static void validate(SweepState state, CellTrainer trainer) {
    for (SweepState.Entry e : state.entries()) {
      try {
        trainer.config(e.cell(), state.cellDir(e.cell()));
      } catch (BadInputException | IllegalArgumentException ex) {
        throw new BadInputException(e.cell().id() + " (" + e.cell().label(
            state.spec().keys()) + "): " + ex.getMessage());
      }
    }
  }

  /** Trains the pending cells; returns false when a stop request ended it before the last one. */
  public static boolean run(SweepState state, CellTrainer trainer, BooleanSupplier stop,
      Function<SweepCell, StepListener> runListener, Listener listener) {
    var pending = state.pending();
    int position = 0;
    for (SweepCell cell : pending) {
      if (stop.getAsBoolean()) {
        return false;
      }
      listener.cellStarted(cell, ++position, pending.size());
      state.started(cell, "local");
      CellResult result;
      try {
        result = trainer.train(cell, state.cellDir(cell), "local", stop, runListener.apply(cell));
      } catch (Exception | OutOfMemoryError e) {
        String why = e.getMessage() == null ? e.toString() : e.getMessage();
        result = new CellResult(cell.id(), Double.NaN, Double.NaN, Double.NaN, 0, 0, Double.NaN, Double.NaN,
            "local", why);
      }
      if (result == null) {
        return false; // stopped mid-cell: it stays "running" and resumes from its checkpoint
      }
      state.finished(result);
      listener.cellFinished(cell, result);
    }
    return true;
  }
}
