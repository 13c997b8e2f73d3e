package dev.cramjet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.cramjet.actors.ControlAction;
import dev.cramjet.actors.control.ControlClient;
import dev.cramjet.actors.control.Daemon;
import dev.cramjet.actors.control.PlatformLauncher;
import dev.cramjet.actors.runtime.DaemonSettings;
import dev.cramjet.config.RunConfig;
import dev.cramjet.testing.Await;
import dev.cramjet.text.SpecialTokens;
import dev.cramjet.text.Vocabulary;
import dev.cramjet.text.WordPieceTokenizer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A control token given in the config ({@code --set daemon.token=...}) appears in no file of the run folder but the
 * owner-only token file: not in config.conf, not in any checkpoint's state.json, not in logs, metrics or /status.
 */
class TokenRedactionTest {
  private static final String TOKEN = "Leak-Canary-7f3a9c1e5b2d4068aa11";

  @TempDir Path tmp;

  private String conf(Path run) throws Exception {
    Path conf = tmp.resolve("run.conf");
    Files.writeString(conf, """
        arch { preset = crammed-bert, name = test, vocab-size = 32, hidden = 32, layers = 1, heads = 2,
               intermediate = 64, max-seq-len = 16 }
        train { preset = cpu-short, budget = 4steps, micro-batch = 8, batch-size = 8, checkpoint-every = 2steps,
                keep-checkpoints = 5 }
        run { shards = synthetic, out = "%s" }
        daemon.eval-rows = 0
        """.formatted(run.toString().replace("\\", "\\\\")));
    return conf.toString();
  }

  /** Every regular file under {@code dir} (the token file excepted) that holds the token, as text or bytes. */
  private static List<Path> filesHoldingToken(Path dir) throws Exception {
    List<Path> hits = new ArrayList<>();
    byte[] needle = TOKEN.getBytes(StandardCharsets.UTF_8);
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path f : s.filter(Files::isRegularFile).toList()) {
        if (f.getFileName().toString().equals(Daemon.TOKEN_FILE) && f.getParent().equals(dir)) {
          continue;
        }
        byte[] b = Files.readAllBytes(f);
        outer:
        for (int i = 0; i + needle.length <= b.length; i++) {
          for (int j = 0; j < needle.length; j++) {
            if (b[i + j] != needle[j]) {
              continue outer;
            }
          }
          hits.add(f);
          break;
        }
      }
    }
    return hits;
  }

  private static List<Path> stateFiles(Path run) throws Exception {
    try (Stream<Path> s = Files.walk(run)) {
      return s.filter(p -> p.getFileName().toString().equals("state.json")).toList();
    }
  }

  @Test
  void pretrainWritesTheTokenNowhere() throws Exception {
    Path run = tmp.resolve("pretrain-run");
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code;
    try {
      // The process streams, not CliRun's writers: the token must not reach the log (logback writes to System.err)
      // any more than the command's own output, which Main.run(args) prints to these streams too.
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
      code = Main.run("pretrain", "--config", conf(run), "--peak-flops", "1e12",
          "--set", "daemon.token=\"" + TOKEN + "\"");
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    String printed = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, printed);
    assertFalse(printed.contains(TOKEN), "the token is not printed: " + printed);
    assertEquals(List.of(), filesHoldingToken(run));
    assertTrue(Files.readString(run.resolve("config.conf")).contains("\"<redacted>\""));
    List<Path> states = stateFiles(run);
    assertEquals(2, states.size(), "checkpoints at steps 2 and 4: " + states);
    for (Path s : states) {
      assertTrue(Files.readString(s).contains("<redacted>"), s.toString());
    }

    // the export of that run holds no token either (a 32-token tokenizer fits the synthetic 32-token model)
    List<String> tokens = new ArrayList<>(List.of(SpecialTokens.ALL));
    for (int i = tokens.size(); i < 32; i++) {
      tokens.add("w" + i);
    }
    new WordPieceTokenizer(Vocabulary.of(tokens)).save(tmp.resolve("tok"));
    Path export = tmp.resolve("export");
    assertEquals(0, Main.run("export", "--checkpoint", run.toString(), "--tokenizer", tmp.resolve("tok").toString(),
        "--out", export.toString()));
    assertTrue(Files.isRegularFile(export.resolve("config.json")));
    assertEquals(List.of(), filesHoldingToken(export));
  }

  @Test
  void daemonWritesTheTokenOnlyIntoTheOwnerOnlyTokenFile() throws Exception {
    Path run = tmp.resolve("daemon-run");
    RunConfig cfg = RunConfig.load(conf(run), List.of("daemon.token=\"" + TOKEN + "\"", "train.budget=100000steps",
        "train.checkpoint-every=\"0\""));
    String token = DaemonSettings.of(cfg).token();
    assertEquals(TOKEN, token, "the daemon still gets the configured token");
    PlatformLauncher.Launched launched = PlatformLauncher.launch(cfg, "127.0.0.1", 0, token, null, 8, 1e12,
        dev.cramjet.train.StepListener.NONE, ConfigFactory.load());
    Daemon daemon = launched.daemon();
    try {
      ControlClient ctl = new ControlClient(daemon.url(), TOKEN);
      ControlClient.Answer status = ctl.status();
      assertEquals(200, status.status(), status.body().toString());
      assertFalse(status.body().toString().contains(TOKEN), status.body().toString());
      Await.until(Duration.ofSeconds(60), "step 4 in /status", () -> ctl.status().body(),
          b -> b.path("step").asLong() >= 4);
      assertEquals(200, ctl.act(ControlAction.CHECKPOINT).status());
      assertEquals(200, ctl.act(ControlAction.STOP).status());
      daemon.whenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } finally {
      daemon.close();
    }
    assertEquals(List.of(), filesHoldingToken(run));
    Path tokenFile = run.resolve(Daemon.TOKEN_FILE);
    if (Files.exists(tokenFile)) { // removed or kept on exit: either way, owner-only while it exists
      assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
          Files.getPosixFilePermissions(tokenFile));
    }
    assertTrue(Files.readString(run.resolve("config.conf")).contains("\"<redacted>\""));
    List<Path> states = stateFiles(run);
    assertFalse(states.isEmpty(), "the run wrote checkpoints");
    for (Path s : states) {
      assertTrue(Files.readString(s).contains("<redacted>"), s.toString());
    }
  }
}
