package dev.cramjet.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cramjet.util.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepStateTest {
  @TempDir Path dir;

  private static SweepSpec spec(int seeds) {
    return new SweepSpec("tiny-synthetic", List.of("train.micro-batch=4"), "2m",
        List.of(SweepSpec.parseAxis("arch.hidden=128,256"), SweepSpec.parseAxis("train.lr=5e-4,1e-3,2e-3")), seeds,
        64, null);
  }

  @Test
  void cellsAreTheGridTimesTheSeedsFirstAxisSlowest() {
    List<SweepCell> cells = spec(2).cells();
    assertEquals(2 * 3 * 2, cells.size());
    assertEquals("cell-01", cells.get(0).id());
    assertEquals(Map.of("arch.hidden", "128", "train.lr", "5e-4"), cells.get(0).values());
    assertEquals(2, cells.get(1).seed());
    assertEquals(Map.of("arch.hidden", "128", "train.lr", "1e-3"), cells.get(2).values());
    assertEquals(Map.of("arch.hidden", "256", "train.lr", "2e-3"), cells.get(11).values());
    assertEquals(List.of("train.micro-batch=4", "arch.hidden=256", "train.lr=2e-3", "train.seed=2",
        "train.budget=\"2m\"", "daemon.eval-rows=64"), spec(2).overrides(cells.get(11)));
  }

  @Test
  void aLinkedAxisMovesItsKeysTogetherAndEachKeyIsAColumn() throws Exception {
    SweepSpec spec = new SweepSpec("demo", List.of(), "10m",
        List.of(SweepSpec.parseAxis("arch.hidden+arch.intermediate=128+512, 256+1024"),
            SweepSpec.parseAxis("train.lr=1e-3,2e-3")), 1, 64, null);
    List<SweepCell> cells = spec.cells();
    assertEquals(4, cells.size(), "two linked points times two learning rates");
    assertEquals(List.of("arch.hidden", "arch.intermediate", "train.lr"), spec.keys());
    assertEquals(Map.of("arch.hidden", "256", "arch.intermediate", "1024", "train.lr", "1e-3"), cells.get(2).values());
    assertEquals(List.of("arch.hidden=256", "arch.intermediate=1024", "train.lr=1e-3", "train.seed=1",
        "train.budget=\"10m\"", "daemon.eval-rows=64"), spec.overrides(cells.get(2)));
    // sweep.json keeps each key, and a reopened sweep finds the same cells.
    SweepState.open(dir, spec);
    String json = Files.readString(dir.resolve(SweepState.FILE));
    assertTrue(json.contains("\"arch.intermediate\" : \"1024\""), json);
    assertTrue(assertThrows(BadInputException.class,
        () -> SweepSpec.parseAxis("arch.hidden+arch.intermediate=128+512,256")).getMessage()
        .contains("must give 2 values joined by '+'"));
    assertTrue(assertThrows(BadInputException.class,
        () -> SweepSpec.parseAxis("arch.hidden+lr=1+2")).getMessage().contains("'lr' is not a config key"));
    assertTrue(assertThrows(BadInputException.class, () -> new SweepSpec("x", List.of(), "2m",
        List.of(SweepSpec.parseAxis("train.lr+arch.layers=1+2"), SweepSpec.parseAxis("arch.layers=3")), 1, 8, null))
        .getMessage().contains("arch.layers is given twice"));
  }

  @Test
  void badAxesNameWhatIsWrong() {
    assertTrue(assertThrows(BadInputException.class, () -> SweepSpec.parseAxis("train.lr")).getMessage()
        .contains("key=value1,value2"));
    assertTrue(assertThrows(BadInputException.class, () -> SweepSpec.parseAxis("lr=1,2")).getMessage()
        .contains("'lr' is not a config key"));
    assertTrue(assertThrows(BadInputException.class, () -> SweepSpec.parseAxis("train.lr=1,,2")).getMessage()
        .contains("empty value"));
    assertTrue(assertThrows(BadInputException.class, () -> SweepSpec.parseAxis("train.lr=1,1")).getMessage()
        .contains("given twice"));
    assertTrue(assertThrows(BadInputException.class, () -> SweepSpec.parseAxis("train.seed=1,2")).getMessage()
        .contains("--seeds"));
    assertTrue(assertThrows(BadInputException.class, () -> new SweepSpec("x", List.of(), "2m",
        List.of(SweepSpec.parseAxis("train.lr=1"), SweepSpec.parseAxis("train.lr=2")), 1, 8, null)).getMessage()
        .contains("given twice"));
  }

  @Test
  void stateSurvivesAReopenAndRefusesOtherSettings() throws Exception {
    SweepState s = SweepState.open(dir, spec(1));
    List<SweepCell> cells = spec(1).cells();
    s.started(cells.get(0), "local");
    s.finished(new CellResult("cell-01", 5.5, 0.2, 5.6, 10, 1000, 60, Double.NaN, "local", null));
    s.started(cells.get(1), "local");
    s.finished(new CellResult("cell-02", 5.1, 0.25, 5.2, 10, 1000, 60, Double.NaN, "local", null));
    s.started(cells.get(2), "node-a");
    s.finished(new CellResult("cell-03", Double.NaN, Double.NaN, Double.NaN, 0, 0, Double.NaN, Double.NaN, "node-a",
        "out of memory"));
    s.started(cells.get(4), "local"); // left running by a killed sweep

    SweepState again = SweepState.open(dir, null);
    assertEquals(spec(1), again.spec());
    assertEquals(SweepState.Status.DONE, again.entry("cell-01").status());
    assertEquals(5.1, again.entry("cell-02").result().heldOutLoss());
    assertEquals("cell-02", again.best().orElseThrow().cell().id());
    assertEquals(SweepState.Status.FAILED, again.entry("cell-03").status());
    assertEquals("out of memory", again.entry("cell-03").result().error());
    // The cell left running resumes first, then the queue in order.
    assertEquals(List.of("cell-05", "cell-04", "cell-06"), again.pending().stream().map(SweepCell::id).toList());
    assertEquals(1, again.requeueFailed());
    assertEquals(List.of("cell-05", "cell-03", "cell-04", "cell-06"),
        again.pending().stream().map(SweepCell::id).toList());
    assertTrue(Files.readString(dir.resolve(SweepState.FILE)).contains("\"best\" : \"cell-02\""));

    SweepSpec other = new SweepSpec("tiny-synthetic", List.of("train.micro-batch=4"), "5m", spec(1).axes(), 1, 64,
        null);
    BadInputException e = assertThrows(BadInputException.class, () -> SweepState.open(dir, other));
    assertTrue(e.getMessage().contains("other settings") && e.getMessage().contains("budget 5m"), e.getMessage());
    assertTrue(assertThrows(BadInputException.class, () -> SweepState.open(dir.resolve("none"), null)).getMessage()
        .contains("no sweep.json to resume"));
  }
}
