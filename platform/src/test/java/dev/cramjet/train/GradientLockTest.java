package dev.cramjet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The process-wide gate around DJL's one-per-process gradient collector. */
class GradientLockTest {

  /** Forward and backward of sum(x * x) inside a scope: the gradient is 2x. */
  private static float[] gradOfSquareSum(NDManager m, float[] values, AtomicInteger inside, AtomicInteger maxInside) {
    try (NDManager scope = m.newSubManager()) {
      NDArray x = scope.create(values);
      x.setRequiresGradient(true);
      try (GradientLock.Scope gc = GradientLock.open()) {
        int now = inside.incrementAndGet();
        maxInside.accumulateAndGet(now, Math::max);
        gc.backward(x.mul(x).sum());
        Thread.yield();
        inside.decrementAndGet();
      }
      return x.getGradient().toFloatArray();
    }
  }

  @Test
  void twoThreadsCollectingGradientsTakeTurnsAndNeverOverlap() throws Exception {
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger maxInside = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    List<CompletableFuture<Integer>> workers = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      float base = t + 1;
      workers.add(CompletableFuture.supplyAsync(() -> {
        try (NDManager m = NDManager.newBaseManager()) {
          go.await();
          int ok = 0;
          for (int i = 0; i < 200; i++) {
            float[] g = gradOfSquareSum(m, new float[] {base, i}, inside, maxInside);
            if (g[0] == 2 * base && g[1] == 2f * i) {
              ok++;
            }
          }
          return ok;
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      }));
    }
    go.countDown();
    for (CompletableFuture<Integer> w : workers) {
      // a collector opened while the other thread's was open would throw "already collecting" here
      assertEquals(200, w.get(60, TimeUnit.SECONDS), "every scope computed its own gradient");
    }
    assertEquals(1, maxInside.get(), "two collector scopes were open at once");
    assertFalse(GradientLock.isHeld());
  }

  @Test
  void aCollectorOpenedBesideTheGateFailsWhileAScopeIsOpen() throws Exception {
    // Why the gate exists: DJL allows one collector per process, whatever the thread.
    CountDownLatch opened = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Void> holder = CompletableFuture.runAsync(() -> {
      try (GradientLock.Scope gc = GradientLock.open()) {
        opened.countDown();
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    try {
      assertTrue(opened.await(30, TimeUnit.SECONDS));
      assertTrue(GradientLock.isHeld());
      AtomicReference<Throwable> thrown = new AtomicReference<>();
      Thread other = new Thread(() -> {
        try {
          Engine.getInstance().newGradientCollector().close();
        } catch (Throwable x) {
          thrown.set(x);
        }
      });
      other.start();
      other.join(30_000);
      assertTrue(thrown.get() instanceof IllegalStateException, "expected DJL to refuse: " + thrown.get());
      assertTrue(thrown.get().getMessage().contains("already collecting"), thrown.get().getMessage());
    } finally {
      release.countDown();
      holder.get(30, TimeUnit.SECONDS);
    }
    assertFalse(GradientLock.isHeld());
  }
}
