package dev.cramjet.train;

import dev.cramjet.checkpoint.CheckpointWriteException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The run trained to its end but its final checkpoint could not be written, while an older checkpoint is intact: the
 * run is resumable from that one, so this is not a plain failure (the CLI exits with its own code).
 */
public final class FinalCheckpointFailed extends IOException {
  private final long step;
  private final long intactStep;
  private final transient Path intact;

  public FinalCheckpointFailed(CheckpointWriteException cause, long intactStep, Path intact) {
    super(message(cause.step(), cause.reason(), intactStep, intact), cause);
    this.step = cause.step();
    this.intactStep = intactStep;
    this.intact = intact;
  }

  /** "final checkpoint at step N failed: REASON; newest intact checkpoint is step M at PATH". */
  public static String message(long step, String reason, long intactStep, Path intact) {
    return "final checkpoint at step " + step + " failed: " + reason + "; newest intact checkpoint is step "
        + intactStep + " at " + intact;
  }

  public long step() {
    return step;
  }

  public long intactStep() {
    return intactStep;
  }

  public Path intact() {
    return intact;
  }
}
