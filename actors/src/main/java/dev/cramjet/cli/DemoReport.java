package dev.cramjet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cramjet.config.RunConfig;
import dev.cramjet.data.CorpusFetcher;
import dev.cramjet.data.DocumentCounts;
import dev.cramjet.data.Manifest;
import dev.cramjet.eval.GlueReport;
import dev.cramjet.report.Plots;
import dev.cramjet.report.Report;
import dev.cramjet.text.WordPieceTokenizer;
import dev.cramjet.train.PretrainRun;
import dev.cramjet.util.AtomicFiles;
import dev.cramjet.util.Provenance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The demo's run report: {@code report.md} and {@code report.html} with the same content, and the PNG plots they
 * show (loss, learning rate, batch size and tokens/s against training time).
 */
final class DemoReport {
  private DemoReport() {}

  /** Everything the report shows. */
  record Inputs(RunConfig cfg, CorpusFetcher.Result corpus, Path tokDir, WordPieceTokenizer tokenizer,
      Manifest manifest, PretrainRun.Summary summary, String precision, DemoEvaluation.HeldOut heldOut,
      Map<String, Double> phases, Path run, DemoEvaluation.Result eval, List<DemoEvaluation.FillRow> fill) {}

  /** "held-out MLM loss 5.61 (accuracy 17.2%) on 256 rows never trained on; random weights: 9.12 (0.0%)". */
  static String heldOutText(DemoEvaluation.HeldOut h) {
    return String.format(Locale.ROOT, "held-out MLM loss %.4f (accuracy %.1f%%) on the last %d rows of the data, never"
            + " trained on; random weights: %.4f (%.1f%%)", h.pretrained().loss(), 100 * h.pretrained().accuracy(),
        h.pretrained().rows(), h.random().loss(), 100 * h.random().accuracy());
  }

  /** Writes the plots, report.md and report.html into the run folder; returns the report. */
  static Report write(Inputs in) throws IOException {
    List<JsonNode> log = readMetrics(in.run().resolve("metrics.jsonl"));
    Plots.line(log, "loss", "MLM loss", "loss", in.run().resolve("loss.png"));
    Plots.line(log, "lr", "Learning rate", "lr", in.run().resolve("lr.png"));
    Plots.line(log, "batch_rows", "Batch size", "rows per optimizer step", in.run().resolve("batch.png"));
    Plots.line(log, "tokens_per_second", "Throughput", "tokens/s", in.run().resolve("throughput.png"));
    if (in.eval() != null) {
      List<String> tasks = new ArrayList<>();
      List<Double> pre = new ArrayList<>();
      List<Double> scratch = new ArrayList<>();
      for (List<String> row : evalRows(in.eval())) {
        tasks.add(row.get(0));
        pre.add(parse(row.get(4)));
        scratch.add(parse(row.get(2)));
      }
      Map<String, List<Double>> series = new java.util.LinkedHashMap<>();
      series.put("no pretraining", scratch);
      series.put("pretrained", pre);
      Plots.bars(tasks, series, "Offline stand-in suite (not GLUE)", "score (%)", in.run().resolve("eval.png"));
    }
    Report r = build(in, log);
    AtomicFiles.writeString(in.run().resolve("report.md"), r.toMarkdown());
    AtomicFiles.writeString(in.run().resolve("report.html"), r.toHtml());
    return r;
  }

  static Report build(Inputs in, List<JsonNode> log) {
    RunConfig cfg = in.cfg();
    Report r = new Report("Cramjet demo report");
    r.paragraph(String.format(Locale.ROOT, "Model `%s` (%d layers, hidden %d, %d heads, vocabulary %d) pretrained for "
            + "%s on CPU in %s. Code `%s`, config hash `%s`.", cfg.arch().name(), cfg.arch().layers(),
        cfg.arch().hidden(), cfg.arch().heads(), cfg.arch().vocabSize(), cfg.resolved().getString("train.budget"),
        in.precision(), Provenance.gitCommit(), cfg.hash().substring(0, 12)));

    r.heading("Phases");
    List<List<String>> phaseRows = new ArrayList<>();
    in.phases().forEach((k, v) -> phaseRows.add(List.of(k, String.format(Locale.ROOT, "%.1f", v))));
    r.table(List.of("phase", "seconds"), phaseRows);

    r.heading("Data");
    CorpusFetcher.CorpusInfo ci = in.corpus().info();
    DocumentCounts d = in.manifest().documents();
    r.bullets(List.of(
        String.format(Locale.ROOT, "corpus: `%s` version %s, %d files, %.1f MB (%s)", ci.name(), ci.version(),
            ci.files().size(), ci.bytes() / 1e6, String.join(", ", ci.sources())),
        String.format(Locale.ROOT, "tokenizer: %d WordPiece tokens, vocabulary sha256 `%s`",
            in.tokenizer().vocabSize(), in.tokenizer().vocabHash().substring(0, 12)),
        String.format(Locale.ROOT, "documents: %d read = %d kept + %d filtered (compression) + %d duplicate + %d "
            + "empty + %d unreadable", d.read(), d.kept(), d.filtered(), d.duplicate(), d.empty(), d.unreadable()),
        String.format(Locale.ROOT, "shards: %d rows of %d tokens (%d tokens), order `%s`", in.manifest().rows(),
            in.manifest().seqLen(), in.manifest().tokens(), in.manifest().order())));

    r.heading("Pretraining");
    PretrainRun.Summary s = in.summary();
    List<String> facts = new ArrayList<>();
    facts.add(String.format(Locale.ROOT, "%d optimizer steps, %d tokens, %.0f s of training%s", s.steps(), s.tokens(),
        s.elapsedSeconds(), s.stoppedEarly() ? " (stopped early)" : ""));
    if (!log.isEmpty()) {
      JsonNode first = log.get(0);
      JsonNode last = log.get(log.size() - 1);
      facts.add(String.format(Locale.ROOT, "MLM loss %.3f at step %d, %.3f at step %d; masked-token accuracy %.3f -> "
              + "%.3f", first.get("loss").asDouble(), first.get("step").asLong(), last.get("loss").asDouble(),
          last.get("step").asLong(), first.get("accuracy").asDouble(), last.get("accuracy").asDouble()));
      double mfu = log.stream().mapToDouble(n -> n.path("mfu").asDouble(0)).average().orElse(0);
      facts.add(String.format(Locale.ROOT, "throughput %.0f tokens/s over the run, mean MFU %.1f%% (against this "
          + "machine's measured %s matmul peak)", s.tokens() / Math.max(s.elapsedSeconds(), 1e-9), mfu * 100,
          in.precision()));
    }
    if (in.heldOut() != null) {
      facts.add(heldOutText(in.heldOut()) + "; the same rows and masks as `sweep` scores cells on, so the number "
          + "compares with a sweep's table");
    }
    facts.add("final checkpoint: `" + in.run().relativize(s.lastCheckpoint()) + "`; step log `metrics.jsonl`; "
        + "resolved config `config.conf`");
    r.bullets(facts);
    r.image("loss.png", "MLM loss against training time");
    r.image("lr.png", "Learning rate (budget-triangle schedule)");
    r.image("batch.png", "Batch size (ramp in whole micro-batches)");
    r.image("throughput.png", "Tokens per second");
    if (in.eval() != null) {
      r.heading("Evaluation: offline stand-in suite (not GLUE)");
      int seeds = in.eval().pretrained().seeds().size();
      r.paragraph(String.format(Locale.ROOT, "Each task fine-tuned under the crammed protocol (%s), from the "
          + "pretrained weights and from random weights of the same architecture, with %s. Scores in percent; a "
          + "task's score is the mean of its metrics; each cell is the median over seeds and its range (lowest to "
          + "highest seed). \"Clear\" means the two ranges do not overlap. Tasks from `%s`.",
          in.eval().pretrained().protocol(), seeds == 1 ? "seed 1" : seeds + " seeds each (1.." + seeds + ")",
          in.eval().suite()));
      r.table(List.of("task", "metrics", "no pretraining", "range", "pretrained", "range", "difference", "clear"),
          evalRows(in.eval()));
      long wins = evalRows(in.eval()).stream().filter(row -> row.get(7).equals("pretraining")).count();
      r.paragraph(String.format(Locale.ROOT, "Average: %.1f without pretraining, %.1f pretrained. Pretraining wins on"
          + " %d of %d tasks by more than the seed spread.", in.eval().scratch().average(),
          in.eval().pretrained().average(), wins, in.eval().pretrained().entries().size()));
      r.image("eval.png", "Scores per task, with and without pretraining");
    }
    if (in.fill() != null && !in.fill().isEmpty()) {
      r.heading("What pretraining taught: fill-mask");
      r.paragraph("The three most likely tokens for each `[MASK]`, with their probabilities, from the pretrained model"
          + " and from random weights of the same architecture.");
      List<List<String>> rows = new ArrayList<>();
      for (DemoEvaluation.FillRow f : in.fill()) {
        rows.add(List.of("`" + f.prompt() + "`", candidates(f.pretrained()), candidates(f.random())));
      }
      r.table(List.of("prompt", "pretrained", "random weights"), rows);
    }
    return r;
  }

  /**
   * task, metrics, no pretraining (median), its range, pretrained (median), its range, difference, and which model
   * wins by more than the seeds' spread ("pretraining", "no pretraining" or "no").
   */
  static List<List<String>> evalRows(DemoEvaluation.Result eval) {
    List<List<String>> rows = new ArrayList<>();
    Map<String, GlueReport.Entry> scratch = new java.util.LinkedHashMap<>();
    eval.scratch().entries().forEach(e -> scratch.put(e.name(), e));
    for (GlueReport.Entry p : eval.pretrained().entries()) {
      GlueReport.Entry s = scratch.get(p.name());
      double base = s == null ? Double.NaN : s.score();
      double[] pr = range(p.perSeed());
      double[] sr = s == null ? new double[] {Double.NaN, Double.NaN} : range(s.perSeed());
      String clear = pr[0] > sr[1] ? "pretraining" : sr[0] > pr[1] ? "no pretraining" : "no";
      rows.add(List.of(p.name(), String.join(", ", p.metrics().keySet()), fmt(base), fmt(sr[0]) + " to " + fmt(sr[1]),
          fmt(p.score()), fmt(pr[0]) + " to " + fmt(pr[1]), fmt(p.score() - base), clear));
    }
    return rows;
  }

  private static double[] range(List<Double> perSeed) {
    return new double[] {perSeed.stream().mapToDouble(d -> d).min().orElse(Double.NaN),
        perSeed.stream().mapToDouble(d -> d).max().orElse(Double.NaN)};
  }

  private static String candidates(List<dev.cramjet.eval.FillMask.Candidate> cs) {
    List<String> parts = new ArrayList<>();
    for (dev.cramjet.eval.FillMask.Candidate c : cs) {
      parts.add(String.format(Locale.ROOT, "%s (%.3g)", c.token(), c.probability()));
    }
    return String.join(", ", parts);
  }

  /** The fill-mask comparison as plain text, for the terminal. */
  static String fillMaskText(List<DemoEvaluation.FillRow> fill) {
    StringBuilder sb = new StringBuilder("fill-mask, top 3 (pretrained | random weights):\n");
    for (DemoEvaluation.FillRow f : fill) {
      sb.append("  ").append(f.prompt()).append("\n    ").append(candidates(f.pretrained())).append("  |  ")
          .append(candidates(f.random())).append('\n');
    }
    return sb.toString();
  }

  /** The evaluation table as plain text, for the terminal. */
  static String evalTableText(DemoEvaluation.Result eval) {
    StringBuilder sb = new StringBuilder("offline stand-in suite (not GLUE), score in %:\n");
    sb.append(String.format(Locale.ROOT, "  %-22s %15s %11s %11s  %s%n", "task", "no pretraining", "pretrained",
        "difference", "beyond the seed spread"));
    for (List<String> row : evalRows(eval)) {
      sb.append(String.format(Locale.ROOT, "  %-22s %15s %11s %11s  %s%n", row.get(0), row.get(2), row.get(4),
          row.get(6), row.get(7)));
    }
    sb.append(String.format(Locale.ROOT, "  %-22s %15s %11s %11s%n", "average", fmt(eval.scratch().average()),
        fmt(eval.pretrained().average()), fmt(eval.pretrained().average() - eval.scratch().average())));
    return sb.toString();
  }

  private static String fmt(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.1f", v) : "n/a";
  }

  private static double parse(String s) {
    return s.equals("n/a") ? Double.NaN : Double.parseDouble(s);
  }

  static List<JsonNode> readMetrics(Path file) throws IOException {
    return Plots.readLog(file);
  }
}
