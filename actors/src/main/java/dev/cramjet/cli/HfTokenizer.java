package dev.cramjet.cli;

import dev.cramjet.util.BadInputException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Path;
import java.util.Map;

/**
 * Hugging Face's tokenizer through DJL ({@code ai.djl.huggingface:tokenizers}), for {@code bench tokenizer
 * --compare-hf} only. That library is an optional runtime dependency of the command line (actors/pom.xml): it is
 * looked up by name here, so the other commands neither compile against it nor need it on the class path, and a class
 * path without it makes {@code --compare-hf} fail with a message that says so.
 */
final class HfTokenizer implements AutoCloseable {
  static final String CLASS = "ai.djl.huggingface.tokenizers.HuggingFaceTokenizer";
  private static final String ENCODING = "ai.djl.huggingface.tokenizers.Encoding";

  private final AutoCloseable tokenizer;
  private final MethodHandle encode; // (tokenizer, text) -> long[] ids, no special tokens, no overflow
  private final MethodHandle ids;

  private HfTokenizer(AutoCloseable tokenizer, MethodHandle encode, MethodHandle ids) {
    this.tokenizer = tokenizer;
    this.encode = encode;
    this.ids = ids;
  }

  /** Loads {@code tokenizer.json} with special tokens, truncation and padding off, through this class's loader. */
  static HfTokenizer load(Path json) {
    return load(json, HfTokenizer.class.getClassLoader());
  }

  static HfTokenizer load(Path json, ClassLoader loader) {
    Class<?> type;
    Class<?> encoding;
    try {
      type = Class.forName(CLASS, true, loader);
      encoding = Class.forName(ENCODING, true, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new BadInputException("--compare-hf needs the Hugging Face tokenizers library (Maven artifact "
          + "ai.djl.huggingface:tokenizers, in actors/target/lib/ after `mvn package`), and it is not on the class path"
          + " (" + e + "); run without --compare-hf, or rebuild with `mvn -pl actors -am package`");
    }
    try {
      MethodHandles.Lookup lookup = MethodHandles.publicLookup();
      MethodHandle newInstance =
          lookup.findStatic(type, "newInstance", MethodType.methodType(type, Path.class, Map.class));
      MethodHandle encode = lookup.findVirtual(type, "encode",
          MethodType.methodType(encoding, String.class, boolean.class, boolean.class));
      MethodHandle ids = lookup.findVirtual(encoding, "getIds", MethodType.methodType(long[].class));
      Object tokenizer = newInstance.invoke(json,
          Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
      return new HfTokenizer((AutoCloseable) tokenizer,
          MethodHandles.insertArguments(encode, 2, false, false).asType(MethodType.methodType(Object.class,
              Object.class, String.class)),
          ids.asType(MethodType.methodType(long[].class, Object.class)));
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("--compare-hf: cannot use " + CLASS + " (" + e + ")", e);
    }
  }

  /** The ids of {@code text}, without special tokens. */
  int[] encode(String text) {
    long[] got;
    try {
      Object encoding = (Object) encode.invokeExact((Object) tokenizer, text);
      got = (long[]) ids.invokeExact(encoding);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
    int[] out = new int[got.length];
    for (int i = 0; i < got.length; i++) {
      out[i] = Math.toIntExact(got[i]);
    }
    return out;
  }

  @Override
  public void close() throws Exception {
    tokenizer.close();
  }
}
