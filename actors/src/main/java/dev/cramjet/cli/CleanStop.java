package dev.cramjet.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CompletableFuture;

/**
 * Turns Ctrl-C (SIGINT/SIGTERM) into a polite request: a shutdown hook raises {@link #requested()} (and completes
 * {@link #whenRequested()}) and then holds the JVM open until the work has finished (and written its checkpoint) and
 * closed this.
 */
final class CleanStop implements AutoCloseable {
  private final CompletableFuture<Void> requested = new CompletableFuture<>();
  private final CountDownLatch finished = new CountDownLatch(1);
  private final Thread hook;

  CleanStop(Progress progress) {
    hook = new Thread(() -> {
      progress.line("stopping: finishing the current step and writing a checkpoint ...");
      try {
        requested.complete(null);
        finished.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "cramjet-stop");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  boolean requested() {
    return requested.isDone();
  }

  /** Completes when a stop is requested, for work that waits on a future rather than polling. */
  CompletableFuture<Void> whenRequested() {
    return requested;
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
