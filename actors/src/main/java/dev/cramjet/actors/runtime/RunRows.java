package dev.cramjet.actors.runtime;

import dev.cramjet.config.RunConfig;
import dev.cramjet.data.ForwardingRowSource;
import dev.cramjet.data.RowSource;
import dev.cramjet.data.RunData;
import dev.cramjet.util.BadInputException;

/**
 * The rows of a daemon run, split in two explicit, disjoint ranges of the data that {@link RunData#open} finds
 * ({@code run.shards}: prepared shards or the synthetic stream; or {@code run.raw-text}, packed at start): the training range is rows {@code [0, N - H)}, and the
 * held-out range, evaluated and never trained on, is the last {@code H} rows {@code [N - H, N)}. The trainer's cursor
 * wraps within the training range, so a long run repeats training rows but never reaches held-out ones. A data worker
 * opens its rows through this class too, so it serves exactly the trainer's training range.
 *
 * @param config the run config (vocabulary size adopted from the data, see {@link RunData})
 * @param train the training range, re-indexed from 0
 * @param heldOut the held-out range, re-indexed from 0; null when nothing is held out
 * @param firstHeldOut index in the whole data of the first held-out row ({@code N - H}; N when none)
 */
public record RunRows(RunConfig config, RowSource train, RowSource heldOut, long firstHeldOut, String vocabHash,
    String note) {

  /** The held-out size a config asks for, rounded down to whole micro-batches (0: none). */
  public static int heldOutRows(RunConfig cfg) {
    int asked = DaemonSettings.of(cfg).evalRows();
    int mb = cfg.train().microBatch();
    if (asked == 0) {
      return 0;
    }
    if (asked < mb) {
      throw new BadInputException("daemon.eval-rows = " + asked + " is less than one micro-batch (" + mb
          + " rows); use 0 for no evaluation or at least " + mb);
    }
    return asked / mb * mb;
  }

  /**
   * Opens the config's data ({@code run.raw-text} through the {@link TokenizerPrefetch} pool, else {@code run.shards})
   * and splits off {@link #heldOutRows} rows at its end.
   */
  public static RunRows open(RunConfig cfg) {
    dev.cramjet.data.RawTextSettings raw = dev.cramjet.data.RawTextSettings.of(cfg);
    RunData data = raw != null ? TokenizerPrefetch.runData(cfg, raw) : RunData.open(cfg);
    return split(data, heldOutRows(data.config()));
  }

  /** Splits off the last {@code heldOut} rows of {@code data}. */
  public static RunRows split(RunData data, int heldOut) {
    RowSource all = data.rows();
    int mb = data.config().train().microBatch();
    long n = all.rows();
    if (heldOut == 0) {
      return new RunRows(data.config(), all, null, n, data.vocabHash(), data.note());
    }
    if (n - heldOut < mb) {
      throw new BadInputException("the data has " + n + " rows; holding out " + heldOut + " for evaluation leaves "
          + Math.max(0, n - heldOut) + " to train on, less than one micro-batch (" + mb + "); prepare more data or "
          + "lower daemon.eval-rows");
    }
    return new RunRows(data.config(), slice(all, 0, n - heldOut), slice(all, n - heldOut, heldOut), n - heldOut,
        data.vocabHash(), data.note());
  }

  /** Rows {@code [first, first + count)} of {@code inner}, as a source indexed from 0. */
  public static RowSource slice(RowSource inner, long first, long count) {
    if (first < 0 || count < 1 || first + count > inner.rows()) {
      throw new IllegalArgumentException("slice " + first + "+" + count + " outside " + inner.rows() + " rows");
    }
    return new ForwardingRowSource(inner) {
      @Override
      public long rows() {
        return count;
      }

      @Override
      public void read(long index, int[] dst) {
        if (index < 0 || index >= count) {
          throw new IndexOutOfBoundsException("row " + index + " of a range of " + count);
        }
        super.read(first + index, dst);
      }
    };
  }
}
