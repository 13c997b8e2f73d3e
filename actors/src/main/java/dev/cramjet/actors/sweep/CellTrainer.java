package dev.cramjet.actors.sweep;

import dev.cramjet.train.StepListener;
import dev.cramjet.actors.runtime.RunRows;
import dev.cramjet.checkpoint.CheckpointStore;
import dev.cramjet.config.RunConfig;
import dev.cramjet.eval.MlmEvaluator;
import dev.cramjet.sweep.CellResult;
import dev.cramjet.sweep.SweepCell;
import dev.cramjet.sweep.SweepSpec;
import dev.cramjet.train.PretrainRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Trains one sweep cell in this JVM as a normal run in its own folder (so {@code glue}, {@code export} and {@code
 * --resume} work on it), resuming from the folder's newest checkpoint when there is one, then scores it on the
 * sweep's held-out rows. Every cell is scored on the same rows with the same masks: the masker's seed and mask rate
 * are the sweep's, not the cell's, so cells that vary {@code train.mask-rate} or the seed stay comparable.
 */
public final class CellTrainer {
  private final SweepSpec spec;
  private final Double peakFlops;

  public CellTrainer(SweepSpec spec, Double peakFlops) {
    this.spec = spec;
    this.peakFlops = peakFlops;
  }

  /** The cell's resolved config (its run folder set to {@code dir}). */
  public RunConfig config(SweepCell cell, Path dir) {
    List<String> overrides = new ArrayList<>(spec.overrides(cell));
    overrides.add("run.out=\"" + dir.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
    return RunConfig.load(spec.config(), overrides);
  }

  /**
   * Trains the cell to the end of its budget and scores it; null when {@code stop} ended it early (its checkpoint is
   * on disk and the next run resumes it).
   */
  public CellResult train(SweepCell cell, Path dir, String node, BooleanSupplier stop, StepListener listener)
      throws IOException {
    RunConfig cfg = config(cell, dir);
    RunRows rows = RunRows.open(cfg);
    if (rows.heldOut() == null) {
      throw new IllegalStateException("no held-out rows for " + cell.id());
    }
    // A cell folder with a checkpoint resumes as `pretrain --resume` does: from its newest valid checkpoint.
    boolean started = new CheckpointStore(dir.resolve("checkpoints"), 1).latest().isPresent();
    Path resumeFrom = started ? CheckpointStore.resolveForResume(dir).checkpoint() : null;
    double maskRate = RunConfig.load(spec.config(), spec.sets()).train().maskRate();
    try (PretrainRun run = new PretrainRun(rows.config(), rows.train(), dir, resumeFrom, peakFlops,
        rows.vocabHash(), listener)) {
      PretrainRun.Summary s = run.run(stop);
      if (s.stoppedEarly()) {
        return null;
      }
      var model = run.trainer().model();
      MlmEvaluator.Result r = MlmEvaluator.heldOut(model, rows.heldOut(), maskRate);
      double evalScore = spec.eval() == null ? Double.NaN : fineTune(s.lastCheckpoint(), dir);
      return new CellResult(cell.id(), r.loss(), r.accuracy(), s.finalLoss(), s.steps(), s.tokens(),
          s.elapsedSeconds(), evalScore, node, null);
    }
  }

  /**
   * Fine-tunes the cell's final checkpoint on every task of the sweep's {@code eval} folder (crammed protocol, seed
   * 1) and returns the average score; the report goes to the cell's {@code eval/}. The tokenizer is found as {@code
   * glue} finds it: beside the cell, where {@code sweep --tokenizer} puts it ({@code cells/tokenizer/}).
   */
  private double fineTune(Path checkpoint, Path dir) throws IOException {
    dev.cramjet.eval.Pretrained p = dev.cramjet.eval.Pretrained.load(checkpoint, null);
    var tasks = dev.cramjet.eval.GlueTasks.discover(Path.of(spec.eval()), List.of());
    var report = dev.cramjet.eval.TaskRunner.run("Sweep cell evaluation", checkpoint.toString(), p.arch(), p.params(),
        p.tokenizer(), dev.cramjet.eval.FinetuneConfig.preset("crammed"), tasks, List.of(1L), false,
        new dev.cramjet.eval.TaskRunner.Listener() {});
    Path out = dir.resolve("eval");
    Files.createDirectories(out);
    dev.cramjet.util.AtomicFiles.writeString(out.resolve("report.json"), report.toJson() + "\n");
    dev.cramjet.util.AtomicFiles.writeString(out.resolve("report.md"), report.toMarkdown());
    return report.average();
  }
}
