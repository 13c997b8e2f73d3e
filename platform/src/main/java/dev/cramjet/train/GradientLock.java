package dev.cramjet.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one gate to a {@link GradientCollector} in this process. DJL's PyTorch engine allows only one collector open at
 * a time per process (a static flag in {@code PtGradientCollector}; a second one throws "already collecting", see
 * DJL-NOTES #8), while the daemon trains on one thread and fine-tunes evaluation tasks on another. Every collector
 * scope (the forward and backward pass of one micro-batch) is therefore opened here, under a fair process-wide lock:
 * the pretraining step ({@link MlmTrainer#step}) and the fine-tuner ({@code dev.cramjet.eval.FineTuner}) take turns
 * batch by batch, so training goes on at a reduced rate while an evaluation fine-tunes, and neither can fail on the
 * other's collector. Only the collector scope is locked: optimizer updates, clipping and scoring run outside it (they
 * need no collector, and each model's gradients live on its own arrays).
 *
 * <p>Code that opens a collector some other way bypasses the gate; the project's own code does not.
 */
public final class GradientLock {
  private static final ReentrantLock LOCK = new ReentrantLock(true); // fair: waiting threads take turns

  private GradientLock() {}

  /**
   * Waits for the gate, then opens a collector (which switches libtorch's grad mode on for this thread). Close the
   * returned scope to close the collector, switch grad mode off on this thread, and let the next thread in. Not re-entrant in effect: opening a second scope
   * on the same thread fails as DJL does.
   */
  public static Scope open() {
    LOCK.lock();
    try {
      return new Scope(Engine.getInstance().newGradientCollector());
    } catch (RuntimeException | Error e) {
      LOCK.unlock();
      throw e;
    }
  }

  /** Whether some thread holds the gate now (for tests and diagnostics). */
  public static boolean isHeld() {
    return LOCK.isLocked();
  }

  /** An open collector that holds the gate until it is closed; close it on the thread that opened it. */
  public static final class Scope implements AutoCloseable {
    private final GradientCollector collector;
    private boolean closed;

    private Scope(GradientCollector collector) {
      this.collector = collector;
    }

    /** Back-propagates {@code loss}; gradients accumulate on the leaves until an optimizer clears them. */
    public void backward(NDArray loss) {
      collector.backward(loss);
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      try {
        collector.close();
        // DJL restores the thread's previous grad mode, which is "on" on a thread that did not load the engine (libtorch's
        // default). Outside a scope the project's code wants it off: the optimizer updates leaves in place.
        JniUtils.setGradMode(false);
      } finally {
        LOCK.unlock();
      }
    }
  }
}
