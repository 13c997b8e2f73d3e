package dev.cramjet.train;

import ai.djl.ndarray.NDManager;
import dev.cramjet.checkpoint.CheckpointStore;
import dev.cramjet.checkpoint.CheckpointWriteException;
import dev.cramjet.checkpoint.Snapshot;
import dev.cramjet.config.RunConfig;
import dev.cramjet.config.TrainConfig;
import dev.cramjet.data.RowSource;
import dev.cramjet.model.ArchConfig;
import dev.cramjet.util.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A pretraining run in the foreground, on the calling thread: reads rows, masks them, steps the optimizer with the
 * budget-driven learning rate and batch ramp, logs, and checkpoints until the budget is spent or a stop is asked
 * for. It always ends with a checkpoint, so a stopped run resumes where it stopped. The bookkeeping of each step is
 * the {@link StepLedger}'s, shared with the actor runtime's trainer, which feeds it data prefetched by other actors;
 * this class is the plain single-thread path: it reads the rows itself and writes checkpoints in line.
 *
 * <p>The run folder gets {@code config.conf} (the resolved config), {@code metrics.jsonl} (one JSON object per logged
 * step; on a resume it is first cut back to the resumed step) and {@code checkpoints/}; crash leftovers there are
 * removed at the start ({@link RunFolder}). A periodic checkpoint that fails is reported and training goes on; a final
 * one that fails while an older one is intact ends with {@link FinalCheckpointFailed}.
 */
public final class PretrainRun implements AutoCloseable {
  /** How the run ended. */
  public record Summary(long steps, long tokens, double elapsedSeconds, double finalLoss, Path lastCheckpoint,
      boolean stoppedEarly, long skippedSteps) {}

  private final RunConfig config;
  private final RowSource data;
  private final Path runDir;
  private final StepListener listener;
  private final String vocabHash;
  private final NDManager manager;
  private final MlmTrainer trainer;
  private final MlmMasker masker;
  private final CheckpointStore checkpoints;
  private final StepLogWriter stepLog;
  private final StepLedger ledger;

  /**
   * @param resumeFrom a checkpoint folder to continue from, or null for a fresh run
   * @param peakFlops FLOP/s that MFU is measured against: null to take the stored {@code bench peak} result or measure
   *     at start, NaN for none (see {@link PeakFlops#choose})
   * @param vocabHash the tokenizer's hash for provenance ("none" for synthetic data)
   * @param listener told the start, every step, each checkpoint and messages; the run adds its own
   *     {@code metrics.jsonl} writer
   */
  public PretrainRun(RunConfig config, RowSource data, Path runDir, Path resumeFrom, Double peakFlops,
      String vocabHash, StepListener listener) throws IOException {
    ArchConfig arch = config.arch();
    this.config = config;
    this.data = data;
    this.runDir = runDir;
    this.listener = listener;
    this.vocabHash = vocabHash;
    TrainConfig tc = config.train();
    this.masker = new MlmMasker(tc.maskRate(), data.seqLen(), data.vocabSize(), tc.seed());
    this.checkpoints = new CheckpointStore(runDir.resolve("checkpoints"), tc.keepCheckpoints());
    Snapshot resume = resumeFrom == null ? null : CheckpointStore.read(resumeFrom); // verified before any write
    RunChecks.validate(arch, data, resume == null ? null : resume.state(), resumeFrom);
    this.manager = NDManager.newBaseManager();
    this.trainer = new MlmTrainer(arch, tc, manager);
    PeakFlops peak = PeakFlops.choose(peakFlops, trainer.precision(), manager);
    if (resume != null) {
      trainer.restore(resume, resumeFrom.toString());
    }
    for (String m : RunFolder.open(runDir, checkpoints, resume == null ? -1 : resume.state().step()).messages()) {
      listener.onMessage(m); // crash leftovers removed, metrics.jsonl cut back to the resumed step
    }
    Files.createDirectories(runDir);
    AtomicFiles.writeString(runDir.resolve("config.conf"), config.render());
    this.stepLog = new StepLogWriter(runDir.resolve(StepLogWriter.FILE_NAME));
    this.ledger = new StepLedger(config, data.seqLen(), trainer, checkpoints, peak,
        resume == null ? null : resume.state(), StepListener.all(stepLog, listener));
  }

  public MlmTrainer trainer() {
    return trainer;
  }

  /** Trains until the budget is spent or {@code stop} turns true; ends with a checkpoint. */
  public Summary run(BooleanSupplier stop) throws IOException {
    TrainConfig tc = config.train();
    int seqLen = data.seqLen();
    int[] rowBuf = new int[seqLen];
    Path lastCheckpoint = null;
    boolean stoppedEarly = false;
    ledger.start();
    while (!ledger.spent()) {
      if (stop.getAsBoolean()) {
        stoppedEarly = true;
        break;
      }
      int micro = ledger.microBatchesDue();
      List<MaskedBatch> batches = new ArrayList<>(micro);
      long first = ledger.rowsConsumed();
      for (int i = 0; i < micro; i++) {
        int[] flat = new int[tc.microBatch() * seqLen];
        for (int r = 0; r < tc.microBatch(); r++) {
          data.read((first + r) % data.rows(), rowBuf);
          System.arraycopy(rowBuf, 0, flat, r * seqLen, seqLen);
        }
        batches.add(masker.mask(flat, tc.microBatch(), first));
        first += tc.microBatch();
      }
      ledger.step(batches);
      if (ledger.checkpointDue()) {
        try (StepLedger.ClockPause p = ledger.pauseClock()) { // writing a checkpoint is not training time
          lastCheckpoint = checkpoint();
        } catch (CheckpointWriteException e) {
          // Training goes on (as in the daemon): the next checkpoint may succeed, and the older ones are intact.
          listener.onCheckpointFailed(e.getMessage());
          listener.onMessage(e.getMessage() + "; training goes on, newest intact checkpoint: "
              + checkpoints.newestIntact().map(Path::toString).orElse("none"));
        }
      }
    }
    ledger.stopClock();
    try {
      lastCheckpoint = checkpoint();
    } catch (CheckpointWriteException e) {
      listener.onCheckpointFailed(e.getMessage());
      var intact = checkpoints.newestIntact();
      if (intact.isEmpty()) {
        throw e;
      }
      throw new FinalCheckpointFailed(e, CheckpointStore.readState(intact.get()).step(), intact.get());
    }
    return new Summary(ledger.steps(), ledger.tokens(), ledger.elapsedSeconds(), ledger.lastLoss(), lastCheckpoint,
        stoppedEarly, ledger.skippedSteps());
  }

  private Path checkpoint() throws IOException {
    long start = System.nanoTime();
    Path folder = checkpoints.write(ledger.snapshot(vocabHash));
    double seconds = (System.nanoTime() - start) / 1e9;
    long bytes;
    try {
      bytes = CheckpointStore.sizeOf(folder);
    } catch (IOException | java.io.UncheckedIOException e) {
      bytes = 0; // the checkpoint was written; a size we cannot read must not fail the run
    }
    listener.onCheckpoint(folder, seconds, bytes);
    return folder;
  }

  @Override
  public void close() {
    try {
      stepLog.close();
    } catch (IOException e) {
      listener.onMessage("closing " + runDir.resolve(StepLogWriter.FILE_NAME) + ": " + e.getMessage());
    }
    trainer.close();
    manager.close();
  }
}
