package dev.cramjet.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cramjet.model.ArchConfig;
import dev.cramjet.util.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every config mistake names the file, the line where it can, and the key. */
class ConfigErrorsTest {
  @TempDir Path tmp;

  private Path write(String text) throws Exception {
    Path f = tmp.resolve("run.conf");
    Files.writeString(f, text);
    return f;
  }

  private String error(String text) throws Exception {
    Path f = write(text);
    return assertThrows(BadInputException.class, () -> RunConfig.load(f.toString(), List.of())).getMessage();
  }

  @Test
  void everyPresetLoads() {
    for (String arch : Presets.names("arch")) {
      ArchConfig a = ConfigBinder.bind(Presets.load("arch", arch), ArchConfig.class, "arch");
      assertEquals(arch, a.name());
    }
    for (String run : Presets.names("run")) {
      RunConfig.load(run, List.of());
    }
    assertTrue(Presets.names("arch").containsAll(List.of("crammed-bert", "bert-original", "crammed-bert-simple", "tiny")));
    assertTrue(Presets.names("train").containsAll(List.of("bert-o4", "cpu-short")));
  }

  @Test
  void tinyIsTheFixedBenchmarkShape() {
    ArchConfig t = ConfigBinder.bind(Presets.load("arch", "tiny"), ArchConfig.class, "arch");
    assertEquals(List.of(4, 256, 4, 1024, 512, 8192, 128),
        List.of(t.layers(), t.hidden(), t.heads(), t.intermediate(), t.ffnInner(), t.vocabSize(), t.maxSeqLen()));
    assertEquals(ArchConfig.FeedForward.GLU, t.ffn());
  }

  @Test
  void unknownKeyNamesKeyFileAndLine() throws Exception {
    String m = error("arch { preset = tiny\n  hiden = 12 }\ntrain = cpu-short\n");
    assertTrue(m.contains("run.conf:2") && m.contains("arch.hiden") && m.contains("hidden"), m);
  }

  @Test
  void wrongTypeNamesKeyAndExpectedType() throws Exception {
    String m = error("arch { preset = tiny, layers = many }\ntrain = cpu-short\n");
    assertTrue(m.contains("run.conf:1") && m.contains("arch.layers") && m.contains("int"), m);
  }

  @Test
  void valueOutOfRangeNamesFileAndKey() throws Exception {
    String m = error("arch { preset = tiny, heads = 3 }\ntrain = cpu-short\n");
    assertTrue(m.contains("run.conf") && m.contains("heads (3) must divide hidden (256)"), m);
    String lr = error("arch = tiny\ntrain { preset = cpu-short, batch-size = 100 }\n");
    assertTrue(lr.contains("batch-size (100) must be a positive multiple of micro-batch (32)"), lr);
  }

  @Test
  void badBudgetAndScheduleAreCaughtWhenTheConfigIsRead() throws Exception {
    String b = error("arch = tiny\ntrain { preset = cpu-short, budget = soon }\n");
    assertTrue(b.contains("run.conf") && b.contains("budget") && b.contains("'soon'") && b.contains("500steps"), b);
    String s = error("arch = tiny\ntrain { preset = cpu-short, schedule = zigzag }\n");
    assertTrue(s.contains("schedule") && s.contains("zigzag") && s.contains("budget-triangle"), s);
  }

  @Test
  void badEnumListsTheChoices() throws Exception {
    String m = error("arch { preset = tiny, norm = sideways }\ntrain = cpu-short\n");
    assertTrue(m.contains("arch.norm") && m.contains("[pre, post]") && m.contains("sideways"), m);
  }

  @Test
  void unknownPresetListsTheKnownOnes() throws Exception {
    String m = error("arch = giant\ntrain = cpu-short\n");
    assertTrue(m.contains("unknown arch preset 'giant'") && m.contains("crammed-bert") && m.contains("tiny"), m);
  }

  @Test
  void malformedHoconNamesTheFileAndLine() throws Exception {
    String m = error("arch = tiny\ntrain { preset = cpu-short\n");
    assertTrue(m.contains("run.conf") && m.contains("malformed"), m);
  }

  @Test
  void missingFileIsNamed() {
    String m = assertThrows(BadInputException.class, () -> RunConfig.load("/no/such/run.conf", List.of())).getMessage();
    assertTrue(m.contains("/no/such/run.conf"), m);
  }

  @Test
  void overridesApplyOnTopOfPresets() {
    RunConfig c = RunConfig.load("demo", List.of("arch.layers=3", "train.budget=\"7steps\""));
    assertEquals(3, c.arch().layers());
    assertEquals("7steps", c.train().budget());
    String m = assertThrows(BadInputException.class, () -> RunConfig.load("demo", List.of("arch.layers"))).getMessage();
    assertTrue(m.contains("key=value"), m);
  }
}
