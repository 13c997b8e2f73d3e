package dev.cramjet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Commands print through the writers given to {@link Main#run(java.io.PrintWriter, java.io.PrintWriter, String...)}. */
class CliOutputTest {
  @TempDir Path dir;

  @Test
  void aCommandGroupPrintsItsUsageToTheGivenOutWriter() {
    CliRun.Result r = CliRun.run("bench");
    assertEquals(0, r.code());
    assertTrue(r.out().startsWith("Usage: cramjet bench"), r.out());
    assertEquals("", r.err());
  }

  @Test
  void resultsGoToOutAndNotesToErr() throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      lines.add("the cat sat on the mat number " + (i % 17) + " quickly");
    }
    Path corpus = Files.write(dir.resolve("corpus.txt"), lines);
    Path tok = dir.resolve("tok");
    CliRun.Result r =
        CliRun.run("tokenizer", "train", "--input", corpus.toString(), "--vocab-size", "120", "--out", tok.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("wrote " + tok.resolve("vocab.txt")), r.out());
    assertTrue(r.err().contains("tokenizer train: read "), r.err());
    assertFalse(r.out().contains("tokenizer train: read "), r.out());
  }

  @Test
  void optionsFromAMixinKeepTheirNamesRequirednessAndDescriptions() {
    for (String command : List.of("predict", "export")) {
      String help = CliRun.run(command, "--help").out();
      assertTrue(help.contains("--checkpoint=<checkpoint>"), help);
      assertFalse(help.contains("[--checkpoint"), "--checkpoint stays required: " + help);
      assertTrue(help.contains("[--tokenizer=<tokenizer>]"), help);
      assertTrue(help.contains("checkpoint folder, or a run folder (newest checkpoint)"), help);
      assertTrue(help.contains("tokenizer folder (default: found beside the checkpoint)"), help);
    }
  }
}
