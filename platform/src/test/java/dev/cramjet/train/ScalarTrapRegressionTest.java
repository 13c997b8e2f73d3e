package dev.cramjet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/**
 * Guards the project's pattern against DJL-NOTES trap #1: {@code mul(Number)} and friends wrap the number in a tensor
 * over a Java buffer that autograd keeps after it is freed, so a garbage collection between forward and backward
 * corrupts the gradient. The pattern is scalars as arrays created in a manager; this test differentiates an expression
 * built that way, forces GCs between forward and backward, and checks the gradient against a hand computation.
 */
class ScalarTrapRegressionTest {
  @Test
  void arrayScalarsSurviveGarbageCollectionBetweenForwardAndBackward() {
    float[] x0 = {0.5f, -1.0f, 2.0f, 0.25f};
    double a = 3.0;
    double b = 0.25;
    double c = 2.0;
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      for (int round = 0; round < 5; round++) {
        try (NDManager step = manager.newSubManager()) {
          NDArray x = step.create(x0);
          x.setRequiresGradient(true);
          NDArray scaleA = step.create((float) a);
          NDArray shiftB = step.create((float) b);
          NDArray divisorC = step.create((float) c);
          try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            // loss = sum(y^2), y = (a x + b) / c
            NDArray y = x.mul(scaleA).add(shiftB).div(divisorC);
            NDArray loss = y.mul(y).sum();
            for (int i = 0; i < 3; i++) {
              System.gc();
              churnJavaHeap();
            }
            gc.backward(loss);
          }
          // d loss / dx = 2 y a / c
          try (NDArray grad = x.getGradient()) {
            float[] g = grad.toFloatArray();
            for (int i = 0; i < x0.length; i++) {
              double y = (a * x0[i] + b) / c;
              assertEquals(2 * y * a / c, g[i], 1e-5, "round " + round + ", element " + i);
            }
          }
        }
      }
    }
  }

  /** Allocates and drops direct buffers so freed native memory is likely to be reused before backward. */
  private static void churnJavaHeap() {
    long sum = 0;
    for (int i = 0; i < 64; i++) {
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocateDirect(4096);
      buf.putFloat(0, Float.NaN);
      sum += buf.capacity();
    }
    if (sum < 0) {
      throw new AssertionError(); // keeps the loop from being optimised away
    }
  }
}
