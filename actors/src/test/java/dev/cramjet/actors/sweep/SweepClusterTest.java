package dev.cramjet.actors.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cramjet.actors.cluster.ClusterNode;
import dev.cramjet.checkpoint.CheckpointStore;
import dev.cramjet.sweep.CellResult;
import dev.cramjet.sweep.SweepCell;
import dev.cramjet.sweep.SweepSpec;
import dev.cramjet.sweep.SweepState;
import dev.cramjet.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sweep coordinator (this JVM) and two sweep worker JVMs on loopback. One worker is killed with SIGKILL while it
 * trains a cell that has a checkpoint; the other resumes that cell from its checkpoint. Every cell ends done exactly
 * once, each at the full step budget.
 */
class SweepClusterTest {
  @TempDir Path tmp;

  private static final Pattern NODE = Pattern.compile("sweep node at (\\S+),");

  private Process worker(String seed, Path log) throws Exception {
    return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx768m",
        "-Dai.djl.offline=true", "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"),
        "dev.cramjet.cli.Main", "worker", "--role", "sweep", "--seed-nodes", seed)
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static String nodeOf(Path log) throws Exception {
    String text = Await.until(Duration.ofSeconds(60), Duration.ofMillis(100), "the worker to say where it is",
        () -> Files.exists(log) ? Files.readString(log) : "", t -> NODE.matcher(t).find());
    Matcher m = NODE.matcher(text);
    m.find();
    return m.group(1);
  }

  /** A cell that {@code node} trains and that has a checkpoint on disk, or null. */
  private static String checkpointedCellOn(SweepState state, String node) throws Exception {
    for (SweepState.Entry e : state.entries()) {
      if (e.status() == SweepState.Status.RUNNING && node.equals(e.node())) {
        Path ckpts = state.cellDir(e.cell()).resolve("checkpoints");
        try (Stream<Path> folders = Files.isDirectory(ckpts) ? Files.list(ckpts) : Stream.empty()) {
          if (folders.anyMatch(p -> Files.exists(p.resolve("state.json")))) {
            return e.cell().id();
          }
        }
      }
    }
    return null;
  }

  @Test
  void aKilledWorkersCellResumesOnAnotherNodeAndNoCellRunsTwice() throws Exception {
    SweepSpec spec = new SweepSpec("tiny-synthetic", List.of("arch.hidden=32", "arch.layers=1", "arch.heads=2",
        "arch.intermediate=64", "arch.vocab-size=512", "train.micro-batch=4", "train.batch-size=4",
        "train.log-every=10", "train.checkpoint-every=10steps"), "100steps",
        List.of(SweepSpec.parseAxis("train.lr=1e-3,2e-3,3e-3")), 1, 16, null);
    Path sweepDir = tmp.resolve("sweep");
    SweepState state = SweepState.open(sweepDir, spec);
    CompletableFuture<Void> done = new CompletableFuture<>();
    List<String> lost = Collections.synchronizedList(new ArrayList<>());
    ActorTestKit coordinator = ActorTestKit.create(ClusterNode.SYSTEM,
        ClusterNode.config("127.0.0.1", 0, ClusterNode.COORDINATOR_ROLE));
    Process a = null;
    Process b = null;
    try {
      ClusterNode.join(coordinator.system(), List.of());
      String seed = ClusterNode.hostPort(coordinator.system());
      coordinator.spawn(SweepCoordinator.create(state, done, new SweepCoordinator.Listener() {
        @Override
        public void assigned(SweepCell cell, String node) {}

        @Override
        public void finished(SweepCell cell, CellResult result) {}

        @Override
        public void lost(SweepCell cell, String node) {
          lost.add(cell.id() + "@" + node);
        }
      }), "sweep-coordinator");
      a = worker(seed, tmp.resolve("a.log"));
      b = worker(seed, tmp.resolve("b.log"));
      String nodeA = nodeOf(tmp.resolve("a.log"));
      String nodeB = nodeOf(tmp.resolve("b.log"));

      // Wait until A trains a cell that has a checkpoint on disk, then kill A.
      String victim;
      try {
        victim = Await.until(Duration.ofSeconds(120), Duration.ofMillis(50), "worker A to hold a checkpointed cell",
            () -> checkpointedCellOn(state, nodeA), Objects::nonNull);
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "; A: " + Files.readString(tmp.resolve("a.log")), e);
      }
      a.destroyForcibly().waitFor(30, TimeUnit.SECONDS);

      done.get(180, TimeUnit.SECONDS);
      for (SweepState.Entry e : state.entries()) {
        assertEquals(SweepState.Status.DONE, e.status(), e.cell().id() + " " + e.result());
        assertEquals(100, e.result().steps(), e.cell().id());
        assertEquals(100, CheckpointStore.readState(CheckpointStore.resolve(state.cellDir(e.cell()))).step());
        assertTrue(Double.isFinite(e.result().heldOutLoss()));
      }
      SweepState.Entry resumed = state.entry(victim);
      assertEquals(2, resumed.attempts(), "the killed cell was handed out twice");
      assertEquals(nodeB, resumed.result().node(), "and finished on the surviving node");
      assertEquals(List.of(victim + "@" + nodeA), lost);
      String bLog = Files.readString(tmp.resolve("b.log"));
      assertTrue(Pattern.compile("resuming at step [1-9]").matcher(bLog).find(),
          "B resumed the cell from its checkpoint, not from step 0: " + bLog);
    } finally {
      for (Process p : new Process[] {a, b}) {
        if (p != null && p.isAlive()) {
          p.destroy(); // SIGTERM: the worker leaves the cluster, so the coordinator can leave without waiting
          if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
          }
        }
      }
      ActorTestKit.shutdown(coordinator.system(), java.time.Duration.ofSeconds(30), false);
    }
  }
}
