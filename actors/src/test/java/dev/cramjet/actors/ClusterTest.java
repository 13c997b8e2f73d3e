package dev.cramjet.actors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cramjet.actors.cluster.ClusterNode;
import dev.cramjet.actors.cluster.DataWorker;
import dev.cramjet.actors.runtime.DataLoader;
import dev.cramjet.actors.runtime.RunSupervisor;
import dev.cramjet.actors.runtime.Trainer;
import dev.cramjet.checkpoint.CheckpointStore;
import dev.cramjet.config.RunConfig;
import dev.cramjet.data.RowSource;
import dev.cramjet.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trainer node and a data worker node, two actor systems joined over Artery on 127.0.0.1 (ports chosen by the OS):
 * the trainer trains on rows the worker serves through Kryo; the worker is killed mid-run (its actor system
 * terminated with requests in flight) and the trainer falls back to its local loader; a new worker joins and serves
 * again. No row is lost or repeated: the trainer checks that batches arrive in row order, and the final parameters
 * equal those of a local-only run of the same step budget.
 */
class ClusterTest {
  static final Duration LONG = Duration.ofSeconds(60);

  @TempDir Path tmp;

  @Test
  void aRemoteWorkerServesRowsAndLosingItLosesAndRepeatsNoRows() throws Exception {
    RunConfig cfg = TestRuns.config("60steps", "");
    RowSource data = TestRuns.data();

    ActorTestKit local = ActorTestKit.create();
    try {
      TestProbe<Trainer.Finished> done = local.createTestProbe();
      local.spawn(RunSupervisor.create(spec(cfg, data, tmp.resolve("local")), new StatusBoard(), done.getRef()));
      assertEquals(60, done.expectMessageClass(Trainer.Finished.class, LONG).step());
    } finally {
      local.shutdownTestKit();
    }

    RunSupervisor.Spec spec = spec(cfg, data, tmp.resolve("cluster"));
    ServiceKey<DataLoader.Command> key = spec.loaderKey();
    ActorTestKit trainerNode = ActorTestKit.create(ClusterNode.SYSTEM,
        ClusterNode.config("127.0.0.1", 0, ClusterNode.TRAINER_ROLE));
    ActorSystem<DataWorker.Command> worker = null;
    try {
      ClusterNode.join(trainerNode.system(), List.of());
      Address seed = Cluster.get(trainerNode.system()).selfMember().address();
      assertEquals("127.0.0.1", seed.getHost().orElse(""));
      worker = startWorker(data, key, seed);
      awaitListed(trainerNode, key, 1);

      StatusBoard board = new StatusBoard();
      TestProbe<Trainer.Finished> done = trainerNode.createTestProbe();
      ActorRef<RunSupervisor.Command> run = trainerNode.spawn(RunSupervisor.create(spec, board, done.getRef()));
      Await.until(LONG, "the remote worker serves rows", board::dataSource, d -> d.rowsRemote() >= 16);
      assertEquals(1, board.dataSource().remoteLoaders());

      // Pause first, so that a fast machine cannot finish the run before the test has done its part; the assembler
      // keeps prefetching meanwhile, so the worker may still have requests when it is killed. Their timeouts send
      // the same ranges to the local loader.
      control(trainerNode, run, ControlAction.PAUSE);
      worker.terminate();
      worker.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      worker = null;
      Await.until(LONG, "the lost worker leaves the listing", board::dataSource, d -> d.remoteLoaders() == 0);
      long localBefore = board.dataSource().rowsLocal();
      control(trainerNode, run, ControlAction.RESUME);
      Await.until(LONG, "local loading takes over", board::dataSource, d -> d.rowsLocal() >= localBefore + 16);
      control(trainerNode, run, ControlAction.PAUSE);
      long stepAtSecondWorker = board.progress().step();
      assertTrue(stepAtSecondWorker < 56, "the run must still have steps left: " + stepAtSecondWorker);

      // A worker joins again and is used again.
      worker = startWorker(data, key, seed);
      Await.until(LONG, "the new worker is listed", board::dataSource, d -> d.remoteLoaders() == 1);
      long remoteBefore = board.dataSource().rowsRemote();
      control(trainerNode, run, ControlAction.RESUME);

      Trainer.Finished f = done.expectMessageClass(Trainer.Finished.class, LONG);
      assertEquals(RunPhase.FINISHED, f.phase(), String.valueOf(f.error()));
      assertEquals(60, f.step());
      assertTrue(board.dataSource().rowsRemote() > remoteBefore, "the returning worker served rows");
    } finally {
      if (worker != null) {
        worker.terminate();
        worker.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
      trainerNode.shutdownTestKit();
    }

    Map<String, float[]> reference = TestRuns.checkpointParams(tmp.resolve("local"));
    Map<String, float[]> clustered = TestRuns.checkpointParams(tmp.resolve("cluster"));
    assertEquals(reference.keySet(), clustered.keySet());
    for (String name : reference.keySet()) {
      assertArrayEquals(reference.get(name), clustered.get(name), 1e-6f, name);
    }
    assertEquals(CheckpointStore.readState(CheckpointStore.resolve(tmp.resolve("local"))).rowsConsumed(),
        CheckpointStore.readState(CheckpointStore.resolve(tmp.resolve("cluster"))).rowsConsumed());
  }

  private static RunSupervisor.Spec spec(RunConfig cfg, RowSource data, Path dir) {
    return new RunSupervisor.Spec(cfg, data, null, dir, null, "none",
        RunSupervisor.Tuning.defaults().withEvalRows(0).withLoadTimeout(Duration.ofSeconds(1)));
  }

  private static ActorSystem<DataWorker.Command> startWorker(RowSource data, ServiceKey<DataLoader.Command> key,
      Address seed) {
    ActorSystem<DataWorker.Command> w = ActorSystem.create(
        DataWorker.create(data, key, 1, "worker", RunSupervisor.BLOCKING_DISPATCHER), ClusterNode.SYSTEM,
        ClusterNode.config("127.0.0.1", 0, ClusterNode.DATA_ROLE));
    ClusterNode.join(w, List.of(seed));
    return w;
  }

  private static void awaitListed(ActorTestKit kit, ServiceKey<DataLoader.Command> key, int n) {
    TestProbe<org.apache.pekko.actor.typed.receptionist.Receptionist.Listing> probe = kit.createTestProbe();
    kit.system().receptionist().tell(
        org.apache.pekko.actor.typed.receptionist.Receptionist.subscribe(key, probe.getRef()));
    probe.fishForMessage(LONG, l -> l.getServiceInstances(key).size() == n
        ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
        : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore());
  }

  private static void control(ActorTestKit kit, ActorRef<RunSupervisor.Command> run, ControlAction a) {
    TestProbe<ControlReply> reply = kit.createTestProbe();
    run.tell(new RunSupervisor.Control(a, reply.getRef()));
    ControlReply r = reply.expectMessageClass(ControlReply.class, LONG);
    assertTrue(r.accepted(), a + ": " + r.message());
  }
}
