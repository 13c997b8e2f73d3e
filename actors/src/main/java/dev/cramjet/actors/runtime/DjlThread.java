package dev.cramjet.actors.runtime;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Prepares the calling thread for DJL work. libtorch keeps grad mode per thread and a new thread starts with it on,
 * so the optimizer's in-place updates of parameters would fail there ("a leaf Variable that requires grad is being
 * used in an in-place operation"); the gradient collector switches it on only around the forward and backward pass.
 */
final class DjlThread {
  private DjlThread() {}

  static void prepare() {
    Engine.getInstance(); // loads the native library before the first JNI call
    JniUtils.setGradMode(false);
  }
}
