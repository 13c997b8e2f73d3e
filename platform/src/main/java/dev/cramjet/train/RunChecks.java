package dev.cramjet.train;

import dev.cramjet.checkpoint.CheckpointState;
import dev.cramjet.data.RowSource;
import dev.cramjet.model.ArchConfig;
import dev.cramjet.util.BadInputException;
import java.nio.file.Path;

/**
 * Checks made before any training starts, by the foreground loop and the actor runtime alike: the rows fit the
 * architecture, and a checkpoint to resume from holds the same architecture. Each failure names what to fix.
 */
public final class RunChecks {
  private RunChecks() {}

  /**
   * @param resumed the state of the checkpoint to resume from, or null for a fresh run
   * @param from where that checkpoint is, for the message
   */
  public static void validate(ArchConfig arch, RowSource data, CheckpointState resumed, Path from) {
    if (data.seqLen() > arch.maxSeqLen()) {
      throw new BadInputException("the data has rows of " + data.seqLen() + " tokens but arch '" + arch.name()
          + "' covers at most " + arch.maxSeqLen() + " (arch.max-seq-len)");
    }
    if (data.vocabSize() > arch.vocabSize()) {
      throw new BadInputException("the data uses a vocabulary of " + data.vocabSize() + " but arch '" + arch.name()
          + "' has vocab-size " + arch.vocabSize());
    }
    if (resumed != null) {
      ArchConfig theirs = resumed.arch();
      if (theirs.vocabSize() != arch.vocabSize() || theirs.hidden() != arch.hidden() || theirs.layers() != arch.layers()
          || theirs.heads() != arch.heads() || theirs.intermediate() != arch.intermediate()
          || theirs.ffn() != arch.ffn() || theirs.positions() != arch.positions()) {
        throw new BadInputException(from + " holds a '" + theirs.name() + "' model (" + describe(theirs)
            + ") but this run uses '" + arch.name() + "' (" + describe(arch) + "); resume with the same architecture");
      }
    }
  }

  private static String describe(ArchConfig a) {
    return a.layers() + " layers, hidden " + a.hidden() + ", " + a.heads() + " heads, vocabulary " + a.vocabSize();
  }
}
