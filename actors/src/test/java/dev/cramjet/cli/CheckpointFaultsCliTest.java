package dev.cramjet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import dev.cramjet.actors.ControlAction;
import dev.cramjet.actors.RunPhase;
import dev.cramjet.actors.TestRuns;
import dev.cramjet.actors.control.ControlClient;
import dev.cramjet.actors.control.Daemon;
import dev.cramjet.actors.runtime.RunSupervisor;
import dev.cramjet.checkpoint.CheckpointStore;
import dev.cramjet.checkpoint.SafeTensors;
import dev.cramjet.config.RunConfig;
import dev.cramjet.testing.Await;
import dev.cramjet.util.Hashing;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoint faults through the real command line and the real control API: a corrupt or non-finite newest checkpoint
 * (fall back, say which and why; an explicit one is exit 2), a full disk ({@code /dev/full}) at the final checkpoint
 * (exit 3, naming the intact one), and a failed checkpoint in the daemon's {@code GET /status}.
 */
class CheckpointFaultsCliTest {
  @TempDir Path dir;



  /** A 2-layer model of width 32 on synthetic rows; checkpoints every 2 steps. */
  private Path conf(Path run) throws Exception {
    Path conf = dir.resolve("run.conf");
    Files.writeString(conf, """
        arch { preset = crammed-bert, name = test, vocab-size = 64, hidden = 32, layers = 2, heads = 2,
               intermediate = 64, max-seq-len = 16 }
        train { preset = cpu-short, budget = 4steps, micro-batch = 8, batch-size = 16, checkpoint-every = 2steps,
                log-every = 1 }
        run { shards = synthetic, out = "%s" }
        daemon.eval-rows = 0
        """.formatted(run.toString().replace("\\", "\\\\")));
    return conf;
  }

  private CliRun.Result pretrain(Path conf, String... more) {
    String[] base = {"pretrain", "--config", conf.toString(), "--peak-flops", "1e12"};
    String[] all = new String[base.length + more.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return CliRun.run(all);
  }

  @Test
  void aCorruptNewestCheckpointIsSkippedMovedAsideAndNamed() throws Exception {
    Path runDir = dir.resolve("run");
    Path conf = conf(runDir);
    CliRun.Result first = pretrain(conf);
    assertEquals(0, first.code(), first.err());
    Path four = runDir.resolve("checkpoints/step-00000004");
    byte[] b = Files.readAllBytes(four.resolve("model.safetensors"));
    b[b.length - 5] ^= 0x11;
    Files.write(four.resolve("model.safetensors"), b);

    // Naming the corrupt checkpoint itself is an error: exit 2, nothing moved.
    CliRun.Result explicit = pretrain(conf, "--budget", "6steps", "--resume", four.toString());
    assertEquals(2, explicit.code(), explicit.err());
    assertTrue(explicit.err().contains("checksum mismatch of model.safetensors") && explicit.err().contains(
        four.toString()), explicit.err());
    assertTrue(Files.isDirectory(four));

    // The run folder falls back to the newest valid one, and says which was skipped, why, and which is used.
    CliRun.Result resumed = pretrain(conf, "--budget", "6steps", "--resume", runDir.toString());
    assertEquals(0, resumed.code(), resumed.err());
    String err = resumed.err();
    assertTrue(err.contains("WARN") && err.contains("skipping checkpoint " + four)
        && err.contains("checksum mismatch of model.safetensors"), err);
    assertTrue(err.contains("using checkpoint " + runDir.resolve("checkpoints/step-00000002")), err);
    assertTrue(err.contains("resuming at step 2"), err);
    assertTrue(Files.isRegularFile(runDir.resolve("checkpoints/rejected/step-00000004/model.safetensors")));
    assertEquals(6, CheckpointStore.readState(CheckpointStore.resolve(runDir)).step());
    // Steps 3 and 4 were trained again and logged once each.
    JsonNode[] lines = Files.readAllLines(runDir.resolve("metrics.jsonl")).stream().map(CheckpointFaultsCliTest::json)
        .toArray(JsonNode[]::new);
    assertEquals(6, lines.length);
    for (int i = 0; i < lines.length; i++) {
      assertEquals(i + 1, lines[i].get("step").asLong());
    }
  }

  private static JsonNode json(String line) {
    try {
      return new ObjectMapper().readTree(line);
    } catch (Exception e) {
      throw new AssertionError(line, e);
    }
  }

  @Test
  void aNonFiniteNewestCheckpointIsRejectedNamingTheTensor() throws Exception {
    Path runDir = dir.resolve("run");
    Path conf = conf(runDir);
    assertEquals(0, pretrain(conf).code());
    Path four = runDir.resolve("checkpoints/step-00000004");
    String tensor = poisonKeepingChecksums(four);

    CliRun.Result explicit = pretrain(conf, "--budget", "6steps", "--resume", four.toString());
    assertEquals(2, explicit.code(), explicit.err());
    assertTrue(explicit.err().contains("non-finite") && explicit.err().contains("'" + tensor + "'"), explicit.err());

    CliRun.Result resumed = pretrain(conf, "--budget", "6steps", "--resume", runDir.toString());
    assertEquals(0, resumed.code(), resumed.err());
    assertTrue(resumed.err().contains("skipping checkpoint " + four) && resumed.err().contains("non-finite")
        && resumed.err().contains("'" + tensor + "'"), resumed.err());
    double loss = CheckpointStore.readState(CheckpointStore.resolve(runDir)).lastLoss();
    assertTrue(Double.isFinite(loss), "trained on from step 2 with finite weights, loss " + loss);
  }

  /** Sets one parameter to NaN and rewrites state.json's checksum to match: only the values are wrong. */
  private static String poisonKeepingChecksums(Path folder) throws Exception {
    Path model = folder.resolve(CheckpointStore.MODEL_FILE);
    SafeTensors.Contents c = SafeTensors.read(model);
    Map<String, SafeTensors.Tensor> t = new LinkedHashMap<>();
    c.tensors().forEach((k, v) -> {
      ByteBuffer copy = ByteBuffer.allocate(v.data().remaining()).order(ByteOrder.LITTLE_ENDIAN);
      copy.put(v.data().duplicate()).flip();
      t.put(k, new SafeTensors.Tensor(v.dtype(), v.shape(), copy));
    });
    String name = t.keySet().stream().filter(k -> k.contains("layer.1")).findFirst().orElseThrow();
    t.get(name).data().putFloat(4, Float.NaN);
    SafeTensors.write(model, t, c.metadata());
    ObjectMapper json = new ObjectMapper();
    ObjectNode state = (ObjectNode) json.readTree(folder.resolve(CheckpointStore.STATE_FILE).toFile());
    ((ObjectNode) state.get("files")).put(CheckpointStore.MODEL_FILE, Hashing.sha256(model));
    json.writeValue(folder.resolve(CheckpointStore.STATE_FILE).toFile(), state);
    return name;
  }

  @Test
  void aFullDiskAtTheFinalCheckpointExits3NamingTheIntactCheckpoint() throws Exception {
    assumeTrue(Files.isWritable(Path.of("/dev/full")), "needs /dev/full");
    Path runDir = dir.resolve("run");
    Path conf = conf(runDir);
    CliRun.Result r;
    System.setProperty("cramjet.fault.checkpoint-enospc-steps", "6");
    try {
      r = pretrain(conf, "--budget", "6steps");
    } finally {
      System.clearProperty("cramjet.fault.checkpoint-enospc-steps");
    }
    assertEquals(Main.EXIT_FINAL_CHECKPOINT_FAILED, r.code(), r.err());
    assertEquals(3, Main.EXIT_FINAL_CHECKPOINT_FAILED);
    Path four = runDir.resolve("checkpoints/step-00000004");
    assertTrue(r.err().contains("final checkpoint at step 6 failed: ") && r.err().contains("No space left on device")
        && r.err().contains("step-00000006") && r.err().contains("newest intact checkpoint is step 4 at " + four)
        && r.err().contains("resume with: bin/cramjet pretrain") && r.err().contains("--resume " + runDir), r.err());
    assertFalse(r.err().contains("cramjet: failed"), r.err());
    // And it does resume from there.
    CliRun.Result resumed = pretrain(conf, "--budget", "6steps", "--resume", runDir.toString());
    assertEquals(0, resumed.code(), resumed.err());
    assertEquals(6, CheckpointStore.readState(CheckpointStore.resolve(runDir)).step());
  }

  @Test
  void theDaemonExits3WhenOnlyItsFinalCheckpointFailed() throws Exception {
    assumeTrue(Files.isWritable(Path.of("/dev/full")), "needs /dev/full");
    Path runDir = dir.resolve("run");
    Path conf = conf(runDir);
    CliRun.Result r;
    System.setProperty("cramjet.fault.checkpoint-enospc-steps", "6");
    try {
      r = CliRun.run("daemon", "--config", conf.toString(), "--port", "0", "--peak-flops", "1e12", "--set",
          "train.budget=\"6steps\"");
    } finally {
      System.clearProperty("cramjet.fault.checkpoint-enospc-steps");
    }
    assertEquals(Main.EXIT_FINAL_CHECKPOINT_FAILED, r.code(), r.err());
    assertTrue(r.err().contains("final checkpoint at step 6 failed") && r.err().contains("No space left on device")
        && r.err().contains("newest intact checkpoint is step 4") && r.err().contains("resume with: bin/cramjet "
        + "daemon"), r.err());
  }

  @Test
  void aFailedCheckpointShowsInStatusWithItsStepTimeAndError() throws Exception {
    Path runDir = dir.resolve("run");
    Files.createDirectories(runDir);
    Path notAFolder = runDir.resolve("checkpoints");
    Files.writeString(notAFolder, "a file where the checkpoint folder belongs\n"); // a real I/O error on every write
    RunConfig cfg = TestRuns.config("1000000steps", "");
    RunSupervisor.Spec spec = new RunSupervisor.Spec(cfg, TestRuns.data(), null, runDir, null, "none",
        RunSupervisor.Tuning.defaults().withEvalRows(0));
    Instant before = Instant.now();
    Daemon daemon = Daemon.start(spec, "127.0.0.1", 0, null, null, ConfigFactory.load());
    try {
      ControlClient ctl = ControlClient.fromRunDir(runDir, null);
      Await.until(java.time.Duration.ofSeconds(60), "step 2 in /status", () -> ctl.status().body(),
          b -> b.path("step").asLong() >= 2);
      assertTrue(ctl.status().body().path("last_checkpoint_error").isNull(), "no error before a checkpoint");
      ControlClient.Answer a = ctl.act(ControlAction.CHECKPOINT);
      assertEquals(409, a.status(), a.body().toString());
      long step = a.body().path("step").asLong();
      JsonNode e = ctl.status().body().path("last_checkpoint_error");
      assertTrue(e.isObject(), ctl.status().body().toString());
      assertEquals(step, e.path("step").asLong());
      assertFalse(e.path("final").asBoolean());
      Instant at = Instant.parse(e.path("time").asText());
      assertFalse(at.isBefore(before) || at.isAfter(Instant.now()), at.toString());
      String error = e.path("error").asText();
      assertTrue(error.contains("checkpoint of step " + step) && error.contains(notAFolder + ": already exists"), error);
      assertEquals("training", ctl.status().body().path("phase").asText(), "training goes on");
      assertTrue(CtlCommand.summary(ctl.status().body()).contains("checkpoint of step " + step + " failed"));
    } finally {
      daemon.stopGracefully(java.time.Duration.ofSeconds(60));
      daemon.close();
    }
    // Its final checkpoint failed too, and no older one is intact: that run failed.
    assertEquals(RunPhase.FAILED, daemon.board().progress().phase());
    assertTrue(daemon.board().lastCheckpointError().last());
  }
}
