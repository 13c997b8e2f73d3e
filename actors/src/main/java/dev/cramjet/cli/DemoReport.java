package dev.cramjet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cramjet.config.RunConfig;
import dev.cramjet.data.CorpusFetcher;
import dev.cramjet.data.DocumentCounts;
import dev.cramjet.data.Manifest;
import dev.cramjet.text.WordPieceTokenizer;
import dev.cramjet.train.PretrainRun;
import dev.cramjet.util.Provenance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The demo's {@code report.md}: what ran, on what data, how long each phase took, and how training went. */
final class DemoReport {
  private DemoReport() {}

  static String markdown(RunConfig cfg, CorpusFetcher.Result corpus, Path tokDir, WordPieceTokenizer tokenizer,
      Manifest manifest, PretrainRun.Summary summary, Map<String, Double> phases, Path run) throws IOException {
    StringBuilder md = new StringBuilder();
    md.append("# Cramjet demo report\n\n");
    md.append(String.format(Locale.ROOT, "Model `%s` (%d layers, hidden %d, %d heads, vocabulary %d) pretrained for "
            + "%s on CPU. Code %s, config hash `%s`.%n%n", cfg.arch().name(), cfg.arch().layers(), cfg.arch().hidden(),
        cfg.arch().heads(), cfg.arch().vocabSize(), cfg.train().budget(), Provenance.gitCommit(),
        cfg.hash().substring(0, 12)));
    md.append("## Phases\n\n| phase | seconds |\n|---|---:|\n");
    phases.forEach((k, v) -> md.append(String.format(Locale.ROOT, "| %s | %.1f |%n", k, v)));
    md.append("\n## Data\n\n");
    md.append(String.format(Locale.ROOT, "- corpus: `%s` version %s, %d files, %.1f MB (%s)%n", corpus.info().name(),
        corpus.info().version(), corpus.info().files().size(), corpus.info().bytes() / 1e6,
        String.join(", ", corpus.info().sources())));
    md.append(String.format(Locale.ROOT, "- tokenizer: %d WordPiece tokens, `%s`, vocab sha256 `%s`%n",
        tokenizer.vocabSize(), tokDir, tokenizer.vocabHash().substring(0, 12)));
    DocumentCounts d = manifest.documents();
    md.append(String.format(Locale.ROOT, "- documents: %d read = %d kept + %d filtered (compression) + %d duplicate + "
            + "%d empty + %d unreadable%n", d.read(), d.kept(), d.filtered(), d.duplicate(), d.empty(), d.unreadable()));
    md.append(String.format(Locale.ROOT, "- shards: %d rows of %d tokens (%d tokens), order `%s`%n%n", manifest.rows(),
        manifest.seqLen(), manifest.tokens(), manifest.order()));
    md.append("## Pretraining\n\n");
    List<JsonNode> log = readMetrics(run.resolve("metrics.jsonl"));
    md.append(String.format(Locale.ROOT, "- %d optimizer steps, %d tokens, %.0f s of training%s%n", summary.steps(),
        summary.tokens(), summary.elapsedSeconds(), summary.stoppedEarly() ? " (stopped early)" : ""));
    if (!log.isEmpty()) {
      JsonNode first = log.get(0);
      JsonNode last = log.get(log.size() - 1);
      md.append(String.format(Locale.ROOT, "- MLM loss %.3f at step %d, %.3f at step %d; masked-token accuracy %.3f "
              + "-> %.3f%n", first.get("loss").asDouble(), first.get("step").asLong(), last.get("loss").asDouble(),
          last.get("step").asLong(), first.get("accuracy").asDouble(), last.get("accuracy").asDouble()));
      double mfu = log.stream().mapToDouble(n -> n.path("mfu").asDouble(0)).average().orElse(0);
      md.append(String.format(Locale.ROOT, "- throughput %.0f tokens/s over the run, mean MFU %.1f%% (against this "
          + "machine's measured float32 matmul peak)%n", summary.tokens() / Math.max(summary.elapsedSeconds(), 1e-9),
          mfu * 100));
    }
    md.append(String.format(Locale.ROOT, "- final checkpoint: `%s`%n- step log: `metrics.jsonl`; resolved config: "
        + "`config.conf`%n", run.relativize(summary.lastCheckpoint())));
    return md.toString();
  }

  static List<JsonNode> readMetrics(Path file) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    if (!Files.isRegularFile(file)) {
      return out;
    }
    ObjectMapper m = new ObjectMapper();
    for (String line : Files.readAllLines(file)) {
      if (!line.isBlank()) {
        out.add(m.readTree(line));
      }
    }
    return out;
  }
}
