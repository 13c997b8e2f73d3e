package dev.cramjet.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluationReportTest {
  @TempDir Path tmp;

  @Test
  void theStepAndTheHeldOutScoreComeFirstThenTheFineTuningReport() throws Exception {
    GlueReport glue = GlueReportTest.report();
    Path dir = tmp.resolve("evaluations/step-00000042");
    EvaluationReport.write(dir, 42, new MlmEvaluator.Result(2.5, 0.375, 256, 80), glue);

    JsonNode json = new ObjectMapper().readTree(Files.readString(dir.resolve("report.json")));
    List<String> keys = new ArrayList<>();
    json.fieldNames().forEachRemaining(keys::add);
    assertEquals(List.of("step", "mlm_heldout", "title", "source", "protocol", "seeds", "tasks", "average",
        "average_without_cola"), keys);
    assertEquals(42, json.path("step").asLong());
    assertEquals(2.5, json.path("mlm_heldout").path("loss").asDouble());
    assertEquals(256, json.path("mlm_heldout").path("rows").asLong());
    assertEquals(new ObjectMapper().readTree(glue.toJson()).path("tasks"), json.path("tasks"));

    String md = Files.readString(dir.resolve("report.md"));
    assertTrue(md.startsWith(glue.toMarkdown()), md);
    assertTrue(md.endsWith("\nHeld-out MLM at step 42: loss 2.5000, accuracy 37.5% (256 rows).\n"), md);
  }

  @Test
  void withoutAHeldOutScoreOnlyTheStepIsAdded() throws Exception {
    GlueReport glue = GlueReportTest.report();
    String json = EvaluationReport.json(7, null, glue);
    assertTrue(json.startsWith("{\n  \"step\" : 7,\n  \"title\" : \"GLUE\""), json);
    assertFalse(json.contains("mlm_heldout"), json);
    assertEquals(glue.toMarkdown(), EvaluationReport.markdown(7, null, glue));
  }
}
