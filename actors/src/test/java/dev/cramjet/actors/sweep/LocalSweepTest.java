package dev.cramjet.actors.sweep;

import dev.cramjet.train.StepListener;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cramjet.checkpoint.CheckpointStore;
import dev.cramjet.report.Plots;
import dev.cramjet.report.SweepReport;
import dev.cramjet.sweep.CellResult;
import dev.cramjet.sweep.SweepCell;
import dev.cramjet.sweep.SweepSpec;
import dev.cramjet.sweep.SweepState;
import dev.cramjet.train.PretrainRun;
import dev.cramjet.util.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real sweep of small models on the synthetic stream: every cell trains, is scored, and a stopped sweep resumes. */
class LocalSweepTest {
  @TempDir Path dir;

  private static final List<String> SMALL = List.of("arch.hidden=32", "arch.layers=1", "arch.heads=2",
      "arch.intermediate=64", "arch.vocab-size=512", "train.micro-batch=4", "train.batch-size=4",
      "train.log-every=1", "train.checkpoint-every=2steps");

  private static final StepListener QUIET = StepListener.NONE;

  private static LocalSweep.Listener record(List<String> events) {
    return new LocalSweep.Listener() {
      @Override
      public void cellStarted(SweepCell cell, int position, int pending) {
        events.add("start " + cell.id());
      }

      @Override
      public void cellFinished(SweepCell cell, CellResult result) {
        events.add("done " + cell.id());
      }
    };
  }

  @Test
  void everyCellTrainsForTheBudgetAndAStoppedSweepResumesItsRunningCell() throws Exception {
    SweepSpec spec = new SweepSpec("tiny-synthetic", SMALL, "6steps",
        List.of(SweepSpec.parseAxis("train.lr=1e-4,3e-3")), 1, 16, null);
    SweepState state = SweepState.open(dir, spec);
    CellTrainer trainer = new CellTrainer(spec, Double.NaN);
    LocalSweep.validate(state, trainer);

    // Stop during the second cell: the first finishes, the second is left running with a checkpoint.
    AtomicInteger polls = new AtomicInteger();
    List<String> events = new ArrayList<>();
    boolean finished = LocalSweep.run(state, trainer, () -> polls.incrementAndGet() > 6 + 4, c -> QUIET,
        record(events));
    assertFalse(finished);
    assertEquals(List.of("start cell-01", "done cell-01", "start cell-02"), events);
    assertEquals(SweepState.Status.DONE, state.entry("cell-01").status());
    assertEquals(SweepState.Status.RUNNING, state.entry("cell-02").status());
    long stoppedAt = CheckpointStore.readState(CheckpointStore.resolve(dir.resolve("cells/cell-02"))).step();
    assertTrue(stoppedAt >= 2 && stoppedAt < 6, "stopped at step " + stoppedAt);
    long firstCellModified = Files.getLastModifiedTime(dir.resolve("cells/cell-01/metrics.jsonl")).toMillis();
    // The report of the stopped sweep calls the interrupted cell stopped, not running, and says how to continue.
    String stoppedMd = SweepReport.write(state);
    assertTrue(stoppedMd.contains("| `cell-02` | 3e-3 | 1 | stopped |"), stoppedMd);
    assertTrue(stoppedMd.contains("1 cell was stopped mid-cell; `bin/cramjet sweep --out " + dir + " --resume`"),
        stoppedMd);
    assertTrue(Files.readString(dir.resolve("sweep.csv")).contains("cell-02,3e-3,1,stopped,"),
        Files.readString(dir.resolve("sweep.csv")));
    assertEquals(SweepState.Status.RUNNING, SweepState.open(dir, null).entry("cell-02").status(),
        "sweep.json keeps the cell running, so --resume picks it up first");

    // Resume from the stored state only, as `sweep --resume` does.
    SweepState resumed = SweepState.open(dir, null);
    events.clear();
    assertTrue(LocalSweep.run(resumed, new CellTrainer(resumed.spec(), Double.NaN), () -> false, c -> QUIET,
        record(events)));
    assertEquals(List.of("start cell-02", "done cell-02"), events, "the finished cell is not trained again");
    assertEquals(firstCellModified, Files.getLastModifiedTime(dir.resolve("cells/cell-01/metrics.jsonl")).toMillis());
    for (String id : List.of("cell-01", "cell-02")) {
      CellResult r = resumed.entry(id).result();
      assertEquals(6, r.steps(), id);
      assertEquals(6 * 4 * 128, r.tokens(), id);
      assertTrue(Double.isFinite(r.heldOutLoss()) && r.heldOutLoss() > 0, id + " " + r);
      assertEquals(6, CheckpointStore.readState(CheckpointStore.resolve(dir.resolve("cells/" + id))).step());
    }
    // The resumed cell's log continues where it stopped: steps 1..6 once each.
    List<JsonNode> log = Plots.readLog(dir.resolve("cells/cell-02/metrics.jsonl"));
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), log.stream().map(n -> n.get("step").asLong()).distinct().toList());
    // The larger learning rate learns more in 6 steps; the report names the lower held-out loss as the winner.
    double low = resumed.entry("cell-01").result().heldOutLoss();
    double high = resumed.entry("cell-02").result().heldOutLoss();
    assertTrue(high < low, "lr 3e-3 " + high + " against lr 1e-4 " + low);
    // The score is the final checkpoint's loss on the held-out rows with the shared held-out masks
    // (MlmEvaluator.HELD_OUT_SEED, whatever the cell's seed), which the demo and the daemon report too.
    Path cellDir = dir.resolve("cells/cell-02");
    var held = dev.cramjet.actors.runtime.RunRows.open(new CellTrainer(resumed.spec(), Double.NaN)
        .config(resumed.entry("cell-02").cell(), cellDir)).heldOut();
    assertEquals(16, held.rows());
    Path ckpt = CheckpointStore.resolve(cellDir);
    var snap = CheckpointStore.read(ckpt);
    try (ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager();
        dev.cramjet.model.CrammedBert model = new dev.cramjet.model.CrammedBert(snap.state().arch(), manager, 9)) {
      dev.cramjet.checkpoint.Tensors.copyInto(model.params().all(), snap.params(), ckpt.toString());
      var masker = new dev.cramjet.train.MlmMasker(0.25, held.seqLen(), 512, dev.cramjet.eval.MlmEvaluator.HELD_OUT_SEED);
      assertEquals(dev.cramjet.eval.MlmEvaluator.evaluate(model, held, 0, 16, masker, 3).loss(), high, 1e-4);
    }
    String md = SweepReport.write(resumed);
    assertTrue(md.contains("**Winner: train.lr=3e-3**"), md);
    for (String f : List.of("sweep.csv", "report.md", "report.html", "final-loss.png", "loss-tokens.png",
        "loss-time.png")) {
      assertTrue(Files.size(dir.resolve(f)) > 100, f);
    }
    List<String> csv = Files.readAllLines(dir.resolve("sweep.csv"));
    assertEquals(3, csv.size());
    assertTrue(csv.get(2).startsWith("cell-02,3e-3,1,done,"), csv.get(2));
  }

  @Test
  void withAnEvalFolderEveryCellIsAlsoFineTunedAndScored() throws Exception {
    // A 512-token vocabulary (the synthetic rows' size) and an SST-2-format task in its words.
    List<String> tokens = new ArrayList<>(List.of(dev.cramjet.text.SpecialTokens.ALL));
    for (int i = tokens.size(); i < 512; i++) {
      tokens.add("w" + i);
    }
    Path cellsTok = dir.resolve("sweep/cells/tokenizer");
    new dev.cramjet.text.WordPieceTokenizer(dev.cramjet.text.Vocabulary.of(tokens)).save(cellsTok);
    Path task = Files.createDirectories(dir.resolve("tasks/SST-2"));
    StringBuilder train = new StringBuilder("sentence\tlabel\n");
    StringBuilder dev = new StringBuilder("sentence\tlabel\n");
    java.util.Random rnd = new java.util.Random(5);
    for (int i = 0; i < 60; i++) {
      boolean pos = i % 2 == 0;
      String line = "w" + (10 + rnd.nextInt(20)) + " w" + (pos ? 100 : 200) + " w" + (10 + rnd.nextInt(20)) + "\t"
          + (pos ? 1 : 0) + "\n";
      (i < 40 ? train : dev).append(line);
    }
    Files.writeString(task.resolve("train.tsv"), train);
    Files.writeString(task.resolve("dev.tsv"), dev);

    SweepSpec spec = new SweepSpec("tiny-synthetic", SMALL, "3steps",
        List.of(SweepSpec.parseAxis("train.lr=1e-3")), 1, 16, dir.resolve("tasks").toString());
    SweepState state = SweepState.open(dir.resolve("sweep"), spec);
    assertTrue(LocalSweep.run(state, new CellTrainer(spec, Double.NaN), () -> false, c -> QUIET,
        record(new ArrayList<>())));
    CellResult r = state.entry("cell-01").result();
    assertTrue(Double.isFinite(r.evalScore()) && r.evalScore() >= 0 && r.evalScore() <= 100, r.toString());
    assertTrue(Files.readString(dir.resolve("sweep/cells/cell-01/eval/report.md")).contains("SST-2"));
    String md = SweepReport.write(state);
    assertTrue(md.contains("| task average |"), md);
  }

  @Test
  void aBadGridValueFailsBeforeAnyCellTrainsNamingTheCell() {
    SweepSpec spec = new SweepSpec("tiny-synthetic", SMALL, "2steps",
        List.of(SweepSpec.parseAxis("arch.heads=2,3")), 1, 16, null);
    SweepState state = SweepState.open(dir, spec);
    BadInputException e = assertThrows(BadInputException.class,
        () -> LocalSweep.validate(state, new CellTrainer(spec, Double.NaN)));
    assertTrue(e.getMessage().startsWith("cell-02 (arch.heads=3 seed=1)"), e.getMessage());
    assertFalse(Files.exists(dir.resolve("cells")));
  }
}
