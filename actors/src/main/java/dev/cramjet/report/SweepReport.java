package dev.cramjet.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cramjet.sweep.CellResult;
import dev.cramjet.sweep.SweepSpec;
import dev.cramjet.sweep.SweepState;
import dev.cramjet.util.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A sweep's results: {@code sweep.csv} (one row per cell), {@code report.md} and {@code report.html} (the same
 * content: the winner, the table, per-grid-point medians when there are several seeds, and plots), and the plots
 * {@code final-loss.png}, {@code loss-tokens.png} and {@code loss-time.png}.
 */
public final class SweepReport {
  private SweepReport() {}

  /** A cell's status as the report and CSV show it: "stopped" for a cell left running by a stopped sweep. */
  static String statusWord(SweepState.Entry e) {
    return e.status() == SweepState.Status.RUNNING ? "stopped" : e.status().name().toLowerCase(Locale.ROOT);
  }

  /** One grid point's cells (its seeds) and their median held-out loss. */
  public record Point(String label, List<SweepState.Entry> cells, double median, double min, double max) {}

  /**
   * Writes every file; returns the report's Markdown. It is written when a sweep process ends, so a cell that
   * {@code sweep.json} still lists as running was stopped mid-cell: the report and the CSV call it "stopped" (it
   * resumes from its newest checkpoint with {@code --resume}).
   */
  public static String write(SweepState state) throws IOException {
    Path dir = state.dir();
    SweepSpec spec = state.spec();
    List<String> keys = spec.keys();
    List<SweepState.Entry> entries = state.entries();

    StringBuilder csv = new StringBuilder("cell");
    keys.forEach(k -> csv.append(',').append(k));
    csv.append(",seed,status,held_out_loss,held_out_accuracy,train_loss,steps,tokens,train_seconds,eval_score,node,"
        + "run_folder\n");
    List<List<String>> rows = new ArrayList<>();
    for (SweepState.Entry e : entries) {
      CellResult r = e.result();
      csv.append(e.cell().id());
      keys.forEach(k -> csv.append(',').append(csvCell(e.cell().values().get(k))));
      csv.append(',').append(e.cell().seed()).append(',').append(statusWord(e));
      csv.append(',').append(r == null ? "" : num(r.heldOutLoss(), "%.6f"))
          .append(',').append(r == null ? "" : num(r.heldOutAccuracy(), "%.6f"))
          .append(',').append(r == null ? "" : num(r.trainLoss(), "%.6f"))
          .append(',').append(r == null ? "" : r.steps())
          .append(',').append(r == null ? "" : r.tokens())
          .append(',').append(r == null ? "" : num(r.trainSeconds(), "%.1f"))
          .append(',').append(r == null ? "" : num(r.evalScore(), "%.2f"))
          .append(',').append(csvCell(e.node() == null ? "" : e.node()))
          .append(',').append(csvCell(dir.relativize(state.cellDir(e.cell())).toString())).append('\n');
      List<String> row = new ArrayList<>();
      row.add("`" + e.cell().id() + "`");
      keys.forEach(k -> row.add(e.cell().values().get(k)));
      row.add(Integer.toString(e.cell().seed()));
      row.add(statusWord(e) + (r != null && r.failed() ? ": " + r.error() : ""));
      row.add(r == null ? "" : num(r.heldOutLoss(), "%.4f"));
      row.add(r == null ? "" : num(r.heldOutAccuracy() * 100, "%.1f%%"));
      row.add(r == null ? "" : num(r.trainLoss(), "%.4f"));
      row.add(r == null ? "" : String.format(Locale.ROOT, "%,d", r.steps()));
      row.add(r == null ? "" : String.format(Locale.ROOT, "%,d", r.tokens()));
      row.add(r == null ? "" : num(r.trainSeconds(), "%.0f"));
      if (spec.eval() != null) {
        row.add(r == null ? "" : num(r.evalScore(), "%.1f"));
      }
      rows.add(row);
    }
    AtomicFiles.writeString(dir.resolve("sweep.csv"), csv.toString());

    Report report = new Report("Sweep: " + spec.axes().size() + " axes, " + entries.size() + " cells, budget "
        + spec.budget());
    List<Point> points = points(state);
    Point best = points.stream().filter(p -> Double.isFinite(p.median()))
        .min(java.util.Comparator.comparingDouble(Point::median)).orElse(null);
    long done = state.count(SweepState.Status.DONE);
    if (best == null) {
      report.paragraph("No cell has finished yet (" + done + " of " + entries.size() + " done).");
    } else {
      report.paragraph(String.format(Locale.ROOT, "**Winner: %s**, held-out MLM loss %.4f%s (%d of %d cells done;"
          + " lower is better).", best.label(), best.median(), spec.seeds() > 1 ? " (median of " + best.cells().size()
          + " seeds, range " + num(best.min(), "%.4f") + " to " + num(best.max(), "%.4f") + ")" : "", done,
          entries.size()));
    }
    long stopped = state.count(SweepState.Status.RUNNING);
    if (stopped > 0) {
      report.paragraph(stopped + (stopped == 1 ? " cell was" : " cells were") + " stopped mid-cell; `bin/cramjet sweep"
          + " --out " + dir + " --resume` continues " + (stopped == 1 ? "it" : "them") + " from the newest checkpoint.");
    }
    report.bullets(List.of("run config `" + spec.config() + "`" + (spec.sets().isEmpty() ? "" : " with "
            + String.join(", ", spec.sets().stream().map(s -> "`" + s + "`").toList())),
        "every cell: budget `" + spec.budget() + "` (training time only when it is a time budget), seeds 1.."
            + spec.seeds(),
        "score: MLM loss on the last " + spec.evalRows() + " rows of the data, held out from every cell, with the same"
            + " masks for every cell",
        "grid: " + String.join("; ", spec.axes().stream().map(a -> "`" + a.key() + "` = " + String.join(", ",
            a.values())).toList())));
    report.heading("Cells");
    List<String> header = new ArrayList<>(List.of("cell"));
    header.addAll(keys);
    header.addAll(List.of("seed", "status", "held-out loss", "held-out accuracy", "train loss", "steps", "tokens",
        "train s"));
    if (spec.eval() != null) {
      header.add("task average");
    }
    report.table(header, rows);
    if (spec.seeds() > 1) {
      report.heading("Grid points (median over seeds)");
      List<List<String>> pr = new ArrayList<>();
      for (Point p : points) {
        pr.add(List.of(p.label(), num(p.median(), "%.4f"), num(p.min(), "%.4f") + " to " + num(p.max(), "%.4f"),
            Integer.toString(p.cells().size())));
      }
      report.table(List.of("grid point", "median held-out loss", "range", "seeds done"), pr);
    }

    Map<String, List<JsonNode>> logs = new LinkedHashMap<>();
    List<String> labels = new ArrayList<>();
    List<Double> finals = new ArrayList<>();
    for (SweepState.Entry e : entries) {
      String label = e.cell().id() + " " + e.cell().label(keys);
      logs.put(label, Plots.readLog(state.cellDir(e.cell()).resolve("metrics.jsonl")));
      if (e.result() != null && Double.isFinite(e.result().heldOutLoss())) {
        labels.add(e.cell().id());
        finals.add(e.result().heldOutLoss());
      }
    }
    if (!labels.isEmpty()) {
      Plots.bars(labels, Map.of("held-out MLM loss", finals), "Held-out MLM loss per cell", "loss",
          dir.resolve("final-loss.png"));
      report.image("final-loss.png", "Held-out MLM loss per cell (lower is better)");
    }
    Plots.lines(logs, "tokens", 1e6, "loss", "Training loss against tokens", "million tokens", "loss",
        dir.resolve("loss-tokens.png"));
    Plots.lines(logs, "elapsed_seconds", 60, "loss", "Training loss against time", "training minutes", "loss",
        dir.resolve("loss-time.png"));
    report.image("loss-tokens.png", "Training loss against tokens, all cells");
    report.image("loss-time.png", "Training loss against training time, all cells");
    report.paragraph("Each cell is a run folder under `cells/`: `bin/cramjet glue --checkpoint " + "cells/<cell>"
        + "`, `export` and `pretrain --resume` work on it.");
    String md = report.toMarkdown();
    AtomicFiles.writeString(dir.resolve("report.md"), md);
    AtomicFiles.writeString(dir.resolve("report.html"), report.toHtml());
    return md;
  }

  /** Cells grouped by grid point (their seeds), in grid order. */
  public static List<Point> points(SweepState state) {
    List<String> keys = state.spec().keys();
    Map<String, List<SweepState.Entry>> groups = new LinkedHashMap<>();
    for (SweepState.Entry e : state.entries()) {
      String label = keys.stream().map(k -> k + "=" + e.cell().values().get(k))
          .collect(java.util.stream.Collectors.joining(" "));
      groups.computeIfAbsent(label, x -> new ArrayList<>()).add(e);
    }
    List<Point> out = new ArrayList<>();
    groups.forEach((label, cells) -> {
      double[] losses = cells.stream().filter(e -> e.status() == SweepState.Status.DONE && e.result() != null)
          .mapToDouble(e -> e.result().heldOutLoss()).filter(Double::isFinite).sorted().toArray();
      double median = losses.length == 0 ? Double.NaN : losses.length % 2 == 1 ? losses[losses.length / 2]
          : (losses[losses.length / 2 - 1] + losses[losses.length / 2]) / 2;
      out.add(new Point(label, cells.stream().filter(e -> e.status() == SweepState.Status.DONE).toList(), median,
          losses.length == 0 ? Double.NaN : losses[0], losses.length == 0 ? Double.NaN : losses[losses.length - 1]));
    });
    return out;
  }

  private static String num(double v, String fmt) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, fmt, v) : "n/a";
  }

  private static String csvCell(String s) {
    return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }
}
