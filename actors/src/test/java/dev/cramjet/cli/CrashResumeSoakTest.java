package dev.cramjet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cramjet.checkpoint.CheckpointStore;
import dev.cramjet.testing.Await;
import dev.cramjet.util.Hashing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short variant of {@code bench/soak.sh}: the real CLI in a child JVM, killed (SIGKILL, {@link
 * Process#destroyForcibly}) at a random moment during a step, a checkpoint write and a prune, resumed each time; then
 * every checkpoint left must verify, no crash leftover may remain, metrics.jsonl must hold each step once, and the
 * final tensor files must be bit-identical to an uninterrupted run's.
 */
class CrashResumeSoakTest {
  @TempDir Path dir;

  private static final int STEPS = 12;
  private static final long PAUSE_MS = 400;

  private Path conf() throws IOException {
    Path conf = dir.resolve("run.conf");
    Files.writeString(conf, """
        arch { preset = crammed-bert, name = test, vocab-size = 64, hidden = 32, layers = 2, heads = 2,
               intermediate = 64, max-seq-len = 16 }
        train { preset = cpu-short, budget = %dsteps, micro-batch = 4, batch-size = 8, checkpoint-every = 2steps,
                keep-checkpoints = 2, log-every = 1 }
        run { shards = synthetic }
        """.formatted(STEPS));
    return conf;
  }

  private Process start(Path conf, Path run, Path log, boolean hooks) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx1g", "-Dai.djl.offline=true", "-Djava.io.tmpdir=" + dir));
    if (hooks) {
      cmd.add("-Dcramjet.fault.checkpoint-pause-ms=" + PAUSE_MS);
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.cramjet.cli.Main", "pretrain", "--config",
        conf.toString(), "--out", run.toString(), "--peak-flops", "1e12"));
    if (new CheckpointStore(run.resolve("checkpoints"), 1).latest().isPresent()) {
      cmd.addAll(List.of("--resume", run.toString()));
    }
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static String read(Path log) throws IOException {
    return Files.isRegularFile(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
  }

  /** SHA-256 of the final checkpoint's tensor files. */
  private static List<String> finalSums(Path run) throws IOException {
    Path last = new CheckpointStore(run.resolve("checkpoints"), 1).latest().orElseThrow();
    assertEquals(STEPS, CheckpointStore.readState(last).step(), last.toString());
    return List.of(Hashing.sha256(last.resolve(CheckpointStore.MODEL_FILE)),
        Hashing.sha256(last.resolve(CheckpointStore.OPTIMIZER_FILE)));
  }

  @Test
  void killedDuringAStepACheckpointWriteAndAPruneThenResumedReachesTheSameBits() throws Exception {
    Path conf = conf();
    Path reference = dir.resolve("reference");
    Process ref = start(conf, reference, dir.resolve("reference.log"), false);
    assertTrue(ref.waitFor(120, TimeUnit.SECONDS), "reference run timed out");
    assertEquals(0, ref.exitValue(), read(dir.resolve("reference.log")));

    Path run = dir.resolve("run");
    Random random = new Random(); // a different kill moment each time; the log says where it landed
    String[] targets = {"cramjet-fault: checkpoint-write-begin", "cramjet-fault: prune-begin", "  loss "};
    List<String> landed = new ArrayList<>();
    for (int trial = 0; trial < targets.length; trial++) {
      Path log = dir.resolve("trial-" + trial + ".log");
      Process p = start(conf, run, log, true);
      String target = targets[trial];
      Await.until(Duration.ofSeconds(60), "trial " + trial + " to log \"" + target + "\" (or end)",
          () -> read(log).contains(target) || !p.isAlive());
      assertTrue(p.isAlive(), "trial " + trial + " ended before its kill: " + read(log));
      Thread.sleep(targets[trial].startsWith("cramjet-fault") ? random.nextLong(PAUSE_MS) : random.nextLong(300));
      p.destroyForcibly(); // SIGKILL: no shutdown hook, no final checkpoint
      assertTrue(p.waitFor(30, TimeUnit.SECONDS));
      String text = read(log);
      int write = text.lastIndexOf("checkpoint-write-begin");
      int prune = text.lastIndexOf("prune-begin");
      int end = Math.max(text.lastIndexOf("checkpoint-write-end"), text.lastIndexOf("prune-end"));
      landed.add(write > end && write > prune ? "write" : prune > end ? "prune" : "step");
    }
    // A kill inside a write or a prune leaves a leftover; the next start removes it and says so.
    Path finishLog = dir.resolve("finish.log");
    Process finish = start(conf, run, finishLog, false);
    assertTrue(finish.waitFor(120, TimeUnit.SECONDS), "final resume timed out");
    String finished = read(finishLog);
    assertEquals(0, finish.exitValue(), finished);

    assertEquals(finalSums(reference), finalSums(run), "final tensors after kills at " + landed);
    Path ck = run.resolve("checkpoints");
    try (Stream<Path> s = Files.list(ck)) {
      List<String> names = s.map(p -> p.getFileName().toString()).sorted().toList();
      assertTrue(names.stream().allMatch(n -> n.matches("step-\\d{8}")), "leftovers or rejections: " + names);
      assertEquals(2, names.size(), names.toString());
    }
    for (Path c : new CheckpointStore(ck, 2).list()) {
      CheckpointStore.read(c); // checksums and finite values
    }
    ObjectMapper json = new ObjectMapper();
    List<Long> steps = new ArrayList<>();
    for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
      steps.add(json.readTree(line).get("step").asLong());
    }
    List<Long> expected = new ArrayList<>();
    for (long i = 1; i <= STEPS; i++) {
      expected.add(i);
    }
    assertEquals(expected, steps, "each step logged once");
    String all = read(dir.resolve("trial-1.log")) + read(dir.resolve("trial-2.log")) + finished;
    assertTrue(!landed.contains("write") && !landed.contains("prune") || all.contains("checkpoint cleanup freed"),
        "a kill inside a write or prune (" + landed + ") leaves a leftover that a later start reports freeing");
    assertFalse(all.contains("skipping checkpoint"), "no kill may corrupt a checkpoint: " + all);
  }
}
