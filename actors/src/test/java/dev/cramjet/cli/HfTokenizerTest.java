package dev.cramjet.cli;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cramjet.util.BadInputException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** --compare-hf's library is optional at run time: without it on the class path the flag fails with a clear message. */
class HfTokenizerTest {
  @Test
  void aClassPathWithoutTheLibraryGetsAMessageNamingIt() throws Exception {
    try (URLClassLoader bare = new URLClassLoader(new URL[0], ClassLoader.getPlatformClassLoader())) {
      BadInputException e =
          assertThrows(BadInputException.class, () -> HfTokenizer.load(Path.of("tokenizer.json"), bare));
      assertTrue(e.getMessage().startsWith("--compare-hf needs the Hugging Face tokenizers library"), e.getMessage());
      assertTrue(e.getMessage().contains("ai.djl.huggingface:tokenizers"), e.getMessage());
    }
  }
}
