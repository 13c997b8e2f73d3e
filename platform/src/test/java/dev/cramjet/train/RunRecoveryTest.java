package dev.cramjet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cramjet.checkpoint.CheckpointStore;
import dev.cramjet.config.RunConfig;
import dev.cramjet.data.SyntheticRows;
import dev.cramjet.util.AtomicFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A foreground run opening a folder a crash left behind: leftovers are removed and reported, metrics.jsonl holds
 * each step once after the resume; and a full disk at the final checkpoint ends resumable, not failed.
 */
class RunRecoveryTest {
  @TempDir Path tmp;

  static RunConfig config(String budget) {
    return PretrainRunTest.config(budget, "train { checkpoint-every = 2steps, keep-checkpoints = 2 }");
  }

  private static PretrainRunTest.Collect train(RunConfig cfg, Path run, Path resume) throws Exception {
    PretrainRunTest.Collect c = new PretrainRunTest.Collect();
    try (PretrainRun r = new PretrainRun(cfg, SyntheticRows.standard(16, 32, 3), run, resume, Double.NaN, "none", c)) {
      r.run(() -> false);
    }
    return c;
  }

  private static List<Long> loggedSteps(Path run) throws Exception {
    ObjectMapper json = new ObjectMapper();
    List<Long> steps = new ArrayList<>();
    for (String line : Files.readAllLines(run.resolve(StepLogWriter.FILE_NAME))) {
      steps.add(json.readTree(line).get("step").asLong());
    }
    return steps;
  }

  @Test
  void crashLeftoversAreRemovedAtStartAndTheFreedBytesReported() throws Exception {
    Path run = tmp.resolve("run");
    train(config("6steps"), run, null);
    Path ck = run.resolve("checkpoints");
    // What kills during writes and prunes leave behind.
    byte[] half = new byte[2_500_000];
    Files.createDirectories(ck.resolve(".tmp-step-00000008-5"));
    Files.write(ck.resolve(".tmp-step-00000008-5/model.safetensors"), half);
    Files.createDirectories(ck.resolve(".prune-step-00000002-6"));
    Files.write(ck.resolve(".prune-step-00000002-6/optimizer.safetensors"), half);
    Files.createDirectories(ck.resolve("step-00000001"));
    Files.write(ck.resolve("step-00000001/model.safetensors"), half);
    Files.writeString(run.resolve(".config.conf.tmp-2147483646"), "x".repeat(500_000)); // no such process
    List<Path> valid = new CheckpointStore(ck, 2).list();

    PretrainRunTest.Collect c = train(config("8steps"), run, CheckpointStore.resolve(run));
    String line = c.messages.stream().filter(m -> m.contains("freed")).findFirst().orElseThrow(
        () -> new AssertionError("no cleanup line in " + c.messages));
    assertTrue(line.contains("8.0 MB") && line.contains(".tmp-step-00000008-5") && line.contains("step-00000001")
        && line.contains(".prune-step-00000002-6") && line.contains(".config.conf.tmp-2147483646"), line);
    assertFalse(Files.exists(ck.resolve(".tmp-step-00000008-5")));
    assertFalse(Files.exists(ck.resolve(".prune-step-00000002-6")));
    assertFalse(Files.exists(ck.resolve("step-00000001")));
    assertFalse(Files.exists(run.resolve(".config.conf.tmp-2147483646")));
    assertEquals(List.of(ck.resolve("step-00000006"), ck.resolve("step-00000008")), new CheckpointStore(ck, 2).list());
    assertTrue(valid.contains(ck.resolve("step-00000006")));
  }

  @Test
  void metricsHoldEachStepOnceAfterACrashAndResume() throws Exception {
    Path run = tmp.resolve("run");
    train(config("6steps"), run, null);
    // A crash after step 6 was logged but before its checkpoint: the newest checkpoint is step 4, and the kill cut
    // a line short.
    AtomicFiles.deleteTree(run.resolve("checkpoints/step-00000006"));
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), loggedSteps(run));
    Files.writeString(run.resolve(StepLogWriter.FILE_NAME), "{\"step\":7,\"t\":0.", java.nio.file.StandardOpenOption.APPEND);

    PretrainRunTest.Collect c = train(config("9steps"), run, CheckpointStore.resolve(run));
    assertEquals(5, c.steps.get(0).step(), "resumed after step 4");
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), loggedSteps(run));
    assertTrue(c.messages.stream().anyMatch(m -> m.contains("dropped 3 lines after step 4")), c.messages.toString());
  }

  @Test
  void aFullDiskAtTheFinalCheckpointNamesTheIntactOneInsteadOfFailing() throws Exception {
    assumeTrue(Files.isWritable(Path.of("/dev/full")), "needs /dev/full");
    Path run = tmp.resolve("run");
    System.setProperty("cramjet.fault.checkpoint-enospc-steps", "2,6");
    PretrainRunTest.Collect c = new PretrainRunTest.Collect();
    FinalCheckpointFailed e;
    try (PretrainRun r = new PretrainRun(config("6steps"), SyntheticRows.standard(16, 32, 3), run, null, Double.NaN,
        "none", c)) {
      e = assertThrows(FinalCheckpointFailed.class, () -> r.run(() -> false));
    } finally {
      System.clearProperty("cramjet.fault.checkpoint-enospc-steps");
    }
    // The periodic checkpoint of step 2 failed too: reported, and training went on.
    assertTrue(c.messages.stream().anyMatch(m -> m.contains("checkpoint of step 2") && m.contains("No space left on "
        + "device") && m.contains("training goes on")), c.messages.toString());
    assertEquals(6, c.steps.get(c.steps.size() - 1).step());
    Path four = run.resolve("checkpoints/step-00000004");
    assertEquals(6, e.step());
    assertEquals(4, e.intactStep());
    assertEquals(four, e.intact());
    assertTrue(e.getMessage().startsWith("final checkpoint at step 6 failed: ") && e.getMessage().contains(
        "model.safetensors: No space left on device") && e.getMessage().contains("newest intact checkpoint is step 4 at "
        + four), e.getMessage());
    assertEquals(List.of(four), new CheckpointStore(run.resolve("checkpoints"), 2).list());
    CheckpointStore.read(four);
  }
}
