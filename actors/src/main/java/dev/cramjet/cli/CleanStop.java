package dev.cramjet.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Turns Ctrl-C (SIGINT/SIGTERM) into a polite request: a shutdown hook raises {@link #requested()} and then holds
 * the JVM open until the work polling it has finished (and written its checkpoint) and closed this.
 */
final class CleanStop implements AutoCloseable {
  private final AtomicBoolean requested = new AtomicBoolean();
  private final CountDownLatch finished = new CountDownLatch(1);
  private final Thread hook;

  CleanStop(Progress progress) {
    hook = new Thread(() -> {
      requested.set(true);
      progress.line("stopping: finishing the current step and writing a checkpoint ...");
      try {
        finished.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "cramjet-stop");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  boolean requested() {
    return requested.get();
  }

  @Override
  public void close() {
    finished.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down: the hook is running and was just released.
    }
  }
}
