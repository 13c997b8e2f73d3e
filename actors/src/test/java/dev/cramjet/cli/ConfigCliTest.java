package dev.cramjet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Config mistakes given on the command line exit 2 with one clean line naming the key and --set, and write nothing. */
class ConfigCliTest {
  @TempDir Path tmp;

  private record Result(int code, String err) {}

  private static Result run(String... args) {
    CliRun.Result r = CliRun.run(args);
    return new Result(r.code(), r.err());
  }

  private Result set(String command, String override) {
    String out = "run.out=\"" + tmp.resolve("run").toString().replace("\\", "/") + "\"";
    // one step at most, should a refused override ever be accepted
    return run(command, "--config", "tiny-synthetic", "--set", out, "--set", "train.budget=\"1steps\"", "--set",
        override);
  }

  private void assertRefused(Result r, String... expected) {
    assertEquals(Main.EXIT_USAGE, r.code(), r.err());
    for (String e : expected) {
      assertTrue(r.err().contains(e), "'" + e + "' in: " + r.err());
    }
    assertFalse(r.err().contains("Exception") || r.err().contains("merge of") || r.err().contains("jar:"), r.err());
    assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    assertFalse(Files.exists(tmp.resolve("run")), "nothing written for a refused config");
  }

  @Test
  void anUnknownPresetGivenWithSetExitsTwoListingThePresets() {
    for (String command : new String[] {"pretrain", "daemon"}) {
      assertRefused(set(command, "arch=nosuch"), "--set arch", "unknown arch preset 'nosuch'", "crammed-bert", "tiny");
    }
  }

  @Test
  void unknownSectionsAndFractionsExitTwo() {
    assertRefused(set("pretrain", "foo.bar=1"), "--set foo.bar", "unknown section 'foo'", "arch, train, run, daemon");
    assertRefused(set("pretrain", "train.micro-batch=1.5"), "--set train.micro-batch",
        "train.micro-batch must be a whole number");
    assertRefused(set("pretrain", "train.seed=1.7"), "train.seed must be a whole number");
    assertRefused(set("pretrain", "train.weight-decay=-1"), "--set train.weight-decay: train.weight-decay must be");
  }
}
