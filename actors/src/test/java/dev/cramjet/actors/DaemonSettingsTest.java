package dev.cramjet.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cramjet.actors.runtime.DaemonSettings;
import dev.cramjet.config.RunConfig;
import dev.cramjet.util.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon block is bound like every other section: defaults, and errors naming file, line and key. */
class DaemonSettingsTest {
  @TempDir Path tmp;

  private DaemonSettings load(String daemonBlock) throws Exception {
    Path f = tmp.resolve("run.conf");
    Files.writeString(f, "arch = mini\ntrain = cpu-short\n" + daemonBlock + "\n");
    return DaemonSettings.of(RunConfig.load(f.toString(), List.of()));
  }

  @Test
  void defaultsWhenTheBlockIsAbsentAndOverridesWhenPresent() throws Exception {
    DaemonSettings d = load("");
    assertEquals("127.0.0.1", d.host());
    assertEquals(8077, d.port());
    assertEquals(256, d.evalRows());
    assertFalse(d.cluster().enabled());
    DaemonSettings e = load("daemon { port = 0, eval-rows = 64, cluster.port = 2552, eval { data = x } }");
    assertEquals(0, e.port());
    assertEquals(64, e.evalRows());
    assertTrue(e.cluster().enabled());
    assertEquals(2552, e.cluster().port());
  }

  @Test
  void typosAndWrongTypesAreNamed() {
    String typo = assertThrows(BadInputException.class, () -> load("daemon {\n  prot = 9000\n}")).getMessage();
    assertTrue(typo.contains("run.conf:4") && typo.contains("daemon.prot") && typo.contains("port"), typo);
    String type = assertThrows(BadInputException.class, () -> load("daemon { port = high }")).getMessage();
    assertTrue(type.contains("run.conf:3") && type.contains("daemon.port") && type.contains("int"), type);
    String range = assertThrows(BadInputException.class, () -> load("daemon { eval-rows = -1 }")).getMessage();
    assertTrue(range.contains("eval-rows must be >= 0"), range);
  }

  @Test
  void aRedactedTokenCopiedFromConfigConfIsRefusedAndAWrongTypedTokenIsNotShown() {
    String redacted = assertThrows(BadInputException.class, () -> load("daemon { token = \"<redacted>\" }"))
        .getMessage();
    assertTrue(redacted.contains("run.conf:3: daemon.token") && redacted.contains("config.conf"), redacted);
    String list = assertThrows(BadInputException.class, () -> load("daemon { token = [\"hidden-secret-value\"] }"))
        .getMessage();
    assertTrue(list.contains("daemon.token must be a string") && !list.contains("hidden-secret-value"), list);
  }
}
