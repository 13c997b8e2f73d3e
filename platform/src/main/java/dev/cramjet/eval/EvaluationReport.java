package dev.cramjet.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.cramjet.util.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The report of one evaluation of a training run at an optimizer step: the fine-tuning {@link GlueReport} with the step
 * and, when there was one, the held-out MLM score added. The daemon's evaluator writes it into the run's evaluation
 * folder, one {@code step-NNNNNNNN} folder per evaluation.
 */
public final class EvaluationReport {
  private EvaluationReport() {}

  /** Writes {@code report.json} and {@code report.md} into {@code dir}, creating it; {@code mlm} may be null. */
  public static void write(Path dir, long step, MlmEvaluator.Result mlm, GlueReport report) throws IOException {
    Files.createDirectories(dir);
    AtomicFiles.writeString(dir.resolve("report.json"), json(step, mlm, report) + "\n");
    AtomicFiles.writeString(dir.resolve("report.md"), markdown(step, mlm, report));
  }

  /** The JSON object: "step", then "mlm_heldout" (loss, accuracy, rows) when there is one, then the report's keys. */
  public static String json(long step, MlmEvaluator.Result mlm, GlueReport report) throws IOException {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    @SuppressWarnings("unchecked")
    Map<String, Object> body = json.readValue(report.toJson(), LinkedHashMap.class);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("step", step);
    if (mlm != null) {
      Map<String, Object> h = new LinkedHashMap<>();
      h.put("loss", mlm.loss());
      h.put("accuracy", mlm.accuracy());
      h.put("rows", mlm.rows());
      m.put("mlm_heldout", h);
    }
    m.putAll(body);
    return json.writeValueAsString(m);
  }

  /** The report's Markdown, followed by a line with the held-out MLM score when there is one. */
  public static String markdown(long step, MlmEvaluator.Result mlm, GlueReport report) {
    String md = report.toMarkdown();
    if (mlm != null) {
      md = md + String.format(Locale.ROOT, "%nHeld-out MLM at step %d: loss %.4f, accuracy %.1f%% (%d rows).%n", step,
          mlm.loss(), 100 * mlm.accuracy(), mlm.rows());
    }
    return md;
  }
}
