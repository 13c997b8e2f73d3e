package dev.cramjet.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.cramjet.budget.Budget;
import dev.cramjet.budget.LrSchedule;
import dev.cramjet.model.ArchConfig;
import dev.cramjet.util.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
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
  void budgetPeriodAndScheduleAreBoundOnceToTypedValuesAndRenderAsWritten() {
    RunConfig c = RunConfig.load("tiny-synthetic", List.of("train.budget=\"1.5h\"", "train.checkpoint-every=250steps",
        "train.schedule=\" Budget-Cosine \""));
    assertEquals(Budget.seconds(5400), c.train().budget());
    assertEquals(Optional.of(Budget.steps(250)), c.train().checkpointEvery());
    assertEquals(LrSchedule.Curve.BUDGET_COSINE, c.train().schedule());
    String rendered = c.render();
    assertTrue(rendered.contains("1.5h") && rendered.contains("250steps") && rendered.contains(" Budget-Cosine "),
        rendered);
    assertEquals(c.train(), RunConfig.fromConfig(ConfigFactory.parseString(rendered), List.of()).train());
    for (String none : List.of("0", "\"0\"", "none", "\" none \"")) {
      assertEquals(Optional.empty(),
          RunConfig.load("tiny-synthetic", List.of("train.checkpoint-every=" + none)).train().checkpointEvery(), none);
    }
  }

  @Test
  void badBudgetPeriodOrScheduleTextNamesTheKey() {
    assertEquals("--set train.budget: train.budget: budget 'soon' is not understood; expected a number and a unit, "
        + "such as 90s, 10m, 1.5h, 24h, 2d, 500steps or 2000000tokens", setError("train.budget=soon"));
    assertEquals("--set train.checkpoint-every: train.checkpoint-every (or \"0\" for only at the end): budget 'often' "
        + "is not understood; expected a number and a unit, such as 90s, 10m, 1.5h, 24h, 2d, 500steps or "
        + "2000000tokens", setError("train.checkpoint-every=\" often \""));
    assertEquals("--set train.schedule: train.schedule: unknown lr schedule 'zigzag'; expected one of budget-triangle, "
        + "budget-cosine, budget-linear, one-cycle-triangular, one-cycle-trapezoidal, constant",
        setError("train.schedule=zigzag"));
    assertEquals("--set train.budget: train.budget must be a string, got list [1,2]", setError("train.budget=[1, 2]"));
  }

  @Test
  void overridesApplyOnTopOfPresets() {
    RunConfig c = RunConfig.load("demo", List.of("arch.layers=3", "train.budget=\"7steps\""));
    assertEquals(3, c.arch().layers());
    assertEquals(Budget.steps(7), c.train().budget());
    String m = assertThrows(BadInputException.class, () -> RunConfig.load("demo", List.of("arch.layers"))).getMessage();
    assertTrue(m.contains("key=value"), m);
  }

  private static String setError(String... sets) {
    return assertThrows(BadInputException.class, () -> RunConfig.load("tiny-synthetic", List.of(sets))).getMessage();
  }

  @Test
  void unknownTopLevelSectionIsAnErrorNamingKeySourceAndTheKnownSections() throws Exception {
    String m = setError("foo.bar=1");
    assertTrue(m.startsWith("--set foo.bar: ") && m.contains("unknown section 'foo'") && m.contains("'foo.bar'")
        && m.contains("arch, train, run, daemon"), m);
    String f = error("arch = tiny\ntrain = cpu-short\nfoo { bar = 1 }\n");
    assertTrue(f.contains("run.conf:3: ") && f.contains("foo.bar") && f.contains("known sections"), f);
  }

  @Test
  void fractionsForWholeNumberKeysAreErrorsNotTruncated() throws Exception {
    String mb = setError("train.micro-batch=1.5");
    assertTrue(mb.startsWith("--set train.micro-batch: train.micro-batch must be a whole number") && mb.contains("1.5"),
        mb);
    String seed = setError("train.seed=1.7");
    assertTrue(seed.contains("train.seed must be a whole number") && seed.contains("1.7"), seed);
    String quoted = setError("arch.layers=\"2.5\"");
    assertTrue(quoted.contains("arch.layers must be a whole number"), quoted);
    String file = error("arch { preset = tiny, layers = 2.5 }\ntrain = cpu-short\n");
    assertTrue(file.startsWith(tmp.resolve("run.conf") + ":1: arch.layers must be a whole number"), file);
    // a whole number written as 2.0 or 1e3 is still that number
    assertEquals(2, RunConfig.load("tiny-synthetic", List.of("arch.layers=2.0")).arch().layers());
    assertEquals(1000L, RunConfig.load("tiny-synthetic", List.of("train.seed=1e3")).train().seed());
  }

  @Test
  void outOfRangeAndNonFiniteNumbersAreErrors() {
    String big = setError("arch.hidden=99999999999");
    assertTrue(big.contains("arch.hidden must be a whole number (int) between"), big);
    String huge = setError("train.seed=1e300");
    assertTrue(huge.contains("train.seed must be a whole number (long) between"), huge);
    String nan = setError("train.lr=NaN");
    assertTrue(nan.contains("train.lr must be a finite number"), nan);
    String inf = setError("train.clip-norm=\"Infinity\"");
    assertTrue(inf.contains("train.clip-norm must be a finite number"), inf);
  }

  @Test
  void unknownPresetGivenWithSetListsThePresets() {
    String m = setError("arch=nosuch");
    assertTrue(m.startsWith("--set arch: ") && m.contains("unknown arch preset 'nosuch'") && m.contains("crammed-bert")
        && m.contains("tiny"), m);
    String t = setError("train=5");
    assertTrue(t.startsWith("--set train: ") && t.contains("bert-o4, cpu-short"), t);
    String r = setError("run=x");
    assertTrue(r.startsWith("--set run: ") && r.contains("must be an object"), r);
    // a preset name given with --set still merges with other overrides
    RunConfig c = RunConfig.load("tiny-synthetic", List.of("arch=mini", "arch.layers=3"));
    assertEquals("mini", c.arch().name());
    assertEquals(3, c.arch().layers());
  }

  @Test
  void rangeErrorsAreShortAndNameTheKeyAndTheSource() throws Exception {
    String lr = setError("train.lr=-1");
    assertEquals("--set train.lr: train.lr must be a finite number >= 0, got -1.0", lr);
    String layers = setError("arch.layers=0");
    assertEquals("--set arch.layers: arch.layers must be > 0, got 0", layers);
    String heads = error("arch { preset = tiny\n  heads = 3 }\ntrain = cpu-short\n");
    assertEquals(tmp.resolve("run.conf") + ":2: arch.heads (3) must divide hidden (256)", heads);
    for (String m : List.of(lr, layers, heads)) {
      assertFalse(m.contains("merge of") || m.contains("jar:") || m.contains("@"), m);
    }
  }

  @Test
  void optimizerErrorsNameTheKey() throws Exception {
    String wd = error("arch = tiny\ntrain { preset = cpu-short\n  weight-decay = -1 }\n");
    assertEquals(tmp.resolve("run.conf") + ":3: train.weight-decay must be a finite number >= 0, got -1.0", wd);
    String b1 = setError("train.beta1=1");
    assertTrue(b1.startsWith("--set train.beta1: train.beta1 must be in [0, 1)"), b1);
    String b2 = setError("train.beta2=-0.5");
    assertTrue(b2.startsWith("--set train.beta2: train.beta2 must be in [0, 1)"), b2);
    String eps = setError("train.eps=0");
    assertTrue(eps.startsWith("--set train.eps: train.eps must be"), eps);
  }

  @Test
  void aSecretIsRedactedInTheRenderedConfigAndLeftOutOfTheHash() {
    String token = "s3cret-token-0123456789abcdef";
    RunConfig with = RunConfig.load("tiny-synthetic", List.of("daemon.token=\"" + token + "\""));
    RunConfig other = RunConfig.load("tiny-synthetic", List.of("daemon.token=\"another-token-0123456789\""));
    RunConfig none = RunConfig.load("tiny-synthetic", List.of());
    assertFalse(with.render().contains(token), with.render());
    assertTrue(with.render().contains("token=\"" + "<redacted>" + "\"")
        || with.render().contains("token = \"" + "<redacted>" + "\""), with.render());
    assertEquals(token, with.resolved().getString("daemon.token"), "the live config keeps the token for the daemon");
    assertEquals(none.hash(), with.hash());
    assertEquals(other.hash(), with.hash());
    assertFalse(none.render().contains("<redacted>"));
    // an error about a secret does not show its value
    String m = setError("daemon.token=\"" + token + "\"", "daemon.bogus=1", "foo=1");
    assertFalse(m.contains(token), m);
    String unparsable = setError("daemon.token=" + token + " } oops { \"");
    assertTrue(unparsable.startsWith("--set daemon.token: cannot parse"), unparsable);
    assertFalse(unparsable.contains(token) || unparsable.contains("oops"), unparsable);
  }
}
