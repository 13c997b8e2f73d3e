package dev.cramjet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.cramjet.checkpoint.CheckpointStore;
import dev.cramjet.config.RunConfig;
import dev.cramjet.data.SyntheticRows;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The step bookkeeping both loops share, driven directly with hand-made batches. */
class StepLedgerTest {
  @TempDir Path tmp;

  private final SyntheticRows data = SyntheticRows.standard(16, 32, 3);
  private final NDManager manager = NDManager.newBaseManager();
  private final PretrainRunTest.Collect collect = new PretrainRunTest.Collect();
  private MlmTrainer trainer;
  private MlmMasker masker;

  @AfterEach
  void close() {
    if (trainer != null) {
      trainer.close();
    }
    manager.close();
  }

  private StepLedger ledger(RunConfig cfg, CheckpointStore store) {
    trainer = new MlmTrainer(cfg.arch(), cfg.train(), manager);
    masker = new MlmMasker(cfg.train().maskRate(), data.seqLen(), data.vocabSize(), cfg.train().seed());
    return new StepLedger(cfg, data.seqLen(), trainer, store, PeakFlops.unknown(), null, collect);
  }

  /** The micro-batches the ledger asks for, read from its row cursor on. */
  private List<MaskedBatch> batches(StepLedger ledger, int microRows) {
    List<MaskedBatch> out = new ArrayList<>();
    long first = ledger.rowsConsumed();
    int[] row = new int[data.seqLen()];
    for (int i = 0; i < ledger.microBatchesDue(); i++) {
      int[] flat = new int[microRows * data.seqLen()];
      for (int r = 0; r < microRows; r++) {
        data.read((first + r) % data.rows(), row);
        System.arraycopy(row, 0, flat, r * data.seqLen(), data.seqLen());
      }
      out.add(masker.mask(flat, microRows, first));
      first += microRows;
    }
    return out;
  }

  @Test
  void everyStepIsRecordedOnceAndEveryLogEveryStepIsLogged() {
    RunConfig cfg = PretrainRunTest.config("5steps", "train.log-every = 2");
    StepLedger ledger = ledger(cfg, new CheckpointStore(tmp.resolve("c"), 2));
    ledger.start();
    while (!ledger.spent()) {
      ledger.step(batches(ledger, 8));
    }
    assertEquals(5, collect.steps.size());
    long rows = 0;
    for (int i = 0; i < 5; i++) {
      StepRecord r = collect.steps.get(i);
      rows += r.batchRows();
      assertEquals(i + 1, r.step());
      assertEquals(rows, r.rows(), "rows are totals");
      assertEquals(rows * 16, r.tokens());
      assertTrue(r.stepSeconds() > 0, "a real duration: " + r.stepSeconds());
      assertEquals((i + 1) / 5.0, r.budgetFraction(), 1e-12);
    }
    // Logged: every second step, and the step that spent the budget.
    assertEquals(List.of(false, true, false, true, true), collect.steps.stream().map(StepRecord::logged).toList());
    assertEquals(8, collect.steps.get(0).batchRows(), "the ramp starts at one micro-batch");
    assertEquals(16, collect.steps.get(4).batchRows(), "and ends at the full batch");
    assertEquals(rows, ledger.rowsConsumed());
    double tps = collect.steps.get(4).tokensPerSecond();
    assertTrue(Double.isFinite(tps) && tps > 0, "throughput " + tps);
    assertEquals(collect.steps.get(4), ledger.last());
  }

  @Test
  void tooManyBadStepsInARowRollBackToTheNewestCheckpoint() throws Exception {
    RunConfig cfg = PretrainRunTest.config("8steps", "train.max-bad-steps = 2");
    CheckpointStore store = new CheckpointStore(tmp.resolve("c"), 2);
    StepLedger ledger = ledger(cfg, store);
    ledger.start();
    ledger.step(batches(ledger, 8));
    Path saved = store.write(ledger.snapshot("none"));
    poison();
    StepRecord first = ledger.step(batches(ledger, 8));
    assertTrue(first.skipped());
    assertEquals(1, first.skippedSteps());
    assertEquals(0, first.rollbacks());
    StepRecord second = ledger.step(batches(ledger, 8));
    assertEquals(2, second.skippedSteps());
    assertEquals(1, second.rollbacks(), "the second bad step in a row rolls back");
    assertTrue(collect.messages.stream().anyMatch(m -> m.startsWith("rolled back to " + saved)),
        collect.messages.toString());
    StepRecord after = ledger.step(batches(ledger, 8));
    assertFalse(after.skipped(), "the restored weights train again");
    assertTrue(Double.isFinite(after.loss()));
    assertEquals(4, after.step(), "skipped steps still count as steps");
  }

  @Test
  void divergenceWithoutACheckpointIsAnError() {
    RunConfig cfg = PretrainRunTest.config("8steps", "train.max-bad-steps = 1");
    StepLedger ledger = ledger(cfg, new CheckpointStore(tmp.resolve("c"), 2));
    ledger.start();
    poison();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> ledger.step(batches(ledger, 8)));
    assertTrue(e.getMessage().contains("no checkpoint to roll back to"), e.getMessage());
  }

  @Test
  void aPausedClockCountsNoTraining() throws Exception {
    RunConfig cfg = PretrainRunTest.config("1h", "");
    StepLedger ledger = ledger(cfg, new CheckpointStore(tmp.resolve("c"), 2));
    ledger.start();
    ledger.step(batches(ledger, 8));
    double before;
    try (StepLedger.ClockPause p = ledger.pauseClock()) {
      before = ledger.elapsedSeconds();
      assertFalse(ledger.clockRunning());
      Thread.sleep(300);
      assertEquals(before, ledger.elapsedSeconds(), "no time passes on a paused clock");
    }
    assertTrue(ledger.clockRunning(), "closing the pause lets the clock run again");
    ledger.stopClock();
    double stopped = ledger.elapsedSeconds();
    Thread.sleep(50);
    assertEquals(stopped, ledger.elapsedSeconds());
    assertFalse(ledger.checkpointDue(), "checkpoint-every = 0: only the final one");
  }

  private void poison() {
    NDArray first = trainer.model().params().all().values().iterator().next();
    try (NDArray nan = first.getManager().create(Float.NaN)) {
      first.muli(nan);
    }
  }
}
