package dev.cramjet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cramjet.checkpoint.CheckpointState;
import dev.cramjet.checkpoint.CheckpointStore;
import dev.cramjet.testing.Await;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon as a child process stopped by SIGTERM ({@link Process#destroy()} on Linux), as Ctrl-C would: it exits 0
 * after writing a final checkpoint at its last step. On the way, {@code ctl} answers with sentences and the documented
 * exit codes.
 */
class DaemonSignalTest {
  @TempDir Path tmp;

  @Test
  void sigtermStopsWithAFinalCheckpointAndExitZero() throws Exception {
    Path run = tmp.resolve("run");
    Path conf = tmp.resolve("run.conf");
    Files.writeString(conf, """
        arch { preset = crammed-bert, name = test, vocab-size = 64, hidden = 32, layers = 2, heads = 2,
               intermediate = 64, max-seq-len = 16 }
        train { preset = cpu-short, budget = 1000000steps, micro-batch = 8, batch-size = 16, checkpoint-every = 0 }
        run { shards = synthetic, out = "%s" }
        daemon.eval-rows = 0
        """.formatted(run.toString().replace("\\", "\\\\")));
    Path err = tmp.resolve("daemon.err");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx1g", "-Dai.djl.offline=true", "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"),
        "dev.cramjet.cli.Main", "daemon", "--config", conf.toString(), "--port", "0", "--peak-flops", "1e12")
        .redirectError(err.toFile()).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      assertTrue(line != null && line.startsWith("http://127.0.0.1:"), "URL printed first, got " + line + "; "
          + Files.readString(err));

      Ctl status = Await.until(Duration.ofSeconds(120), Duration.ofMillis(100), "`status` to say step 3 or later",
          () -> {
            Ctl s = ctl("status", "--run", run.toString());
            assertEquals(0, s.code, s.err);
            return s;
          }, s -> s.out.matches("(?s)training at step ([3-9]|\\d\\d+).*"));
      assertTrue(status.out.startsWith("training at step "), status.out);
      assertTrue(status.out.contains("no checkpoint yet"), status.out);

      Ctl resume = ctl("resume", "--run", run.toString());
      assertEquals(1, resume.code, "a state conflict is a refusal");
      assertTrue(resume.err.contains("resume refused: the run is not paused"), resume.err);
      Ctl badToken = ctl("status", "--run", run.toString(), "--token", "not-the-token-not-the-token");
      assertEquals(1, badToken.code);
      assertTrue(badToken.err.contains("refused the token"), badToken.err);
      assertEquals(2, ctl("halt", "--run", run.toString()).code, "an unknown action is input to fix");
      Ctl ckpt = ctl("checkpoint", "--run", run.toString());
      assertEquals(0, ckpt.code, ckpt.err);
      assertTrue(ckpt.out.matches("checkpoint of step \\d+ written to .*step-\\d+\\s*"), ckpt.out);

      p.destroy(); // SIGTERM
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the daemon exits after SIGTERM");
      String log = Files.readString(err);
      assertEquals(0, p.exitValue(), log);
      Path last = CheckpointStore.resolve(run);
      CheckpointState state = CheckpointStore.readState(last);
      assertTrue(log.contains("stopped after step " + state.step() + "; final checkpoint "), log);
      assertTrue(log.contains(last.getFileName().toString()), log);
      assertTrue(log.contains("run stopped at step " + state.step()), log);
      assertEquals(state.step(), CheckpointStore.read(last).state().step(), "the final checkpoint verifies");
      assertFalse(Files.exists(run.resolve("daemon.json")), "daemon.json removed on exit");

      Ctl gone = ctl("status", "--run", run.toString());
      assertEquals(1, gone.code, "no daemon running is exit 1");
      assertTrue(gone.err.contains("no daemon is running"), gone.err);
    } finally {
      p.destroyForcibly();
    }
  }

  private record Ctl(int code, String out, String err) {}

  private static Ctl ctl(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "ctl";
    System.arraycopy(args, 0, all, 1, args.length);
    CliRun.Result r = CliRun.run(all);
    return new Ctl(r.code(), r.out(), r.err());
  }
}
