package dev.cramjet.jit;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.pytorch.jni.ScriptCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A TorchScript module compiled by libtorch from source written by the program (see {@link TorchScriptArchive}). Its
 * methods run in training mode: under an open {@code GradientCollector} what they compute is differentiable, and a
 * method may itself call {@code torch.autograd.backward}. Loading takes a few milliseconds. Not thread-safe: call it on
 * the one DJL thread.
 */
public final class ScriptModule implements AutoCloseable {
  private final PtSymbolBlock block;
  private final String className;

  private ScriptModule(PtSymbolBlock block, String className) {
    this.block = block;
    this.className = className;
  }

  /**
   * Compiles {@code source} as class {@code className}.
   *
   * @throws IllegalStateException when libtorch rejects the source; the message carries libtorch's, which names the
   *     line of the source
   */
  public static ScriptModule compile(NDManager manager, String className, String source) {
    byte[] archive = TorchScriptArchive.write(className, source);
    try {
      PtSymbolBlock block =
          JniUtils.loadModule((PtNDManager) manager, new ByteArrayInputStream(archive), false, false);
      return new ScriptModule(block, className);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      throw new IllegalStateException("libtorch could not compile the TorchScript program " + className + ": "
          + e.getMessage(), e);
    }
  }

  /** Runs {@code method}; the inputs stay open and the caller closes the result. */
  public IValue call(String method, IValue... inputs) {
    return ScriptCalls.run(block, method, inputs);
  }

  public String className() {
    return className;
  }

  @Override
  public void close() {
    block.close();
  }
}
