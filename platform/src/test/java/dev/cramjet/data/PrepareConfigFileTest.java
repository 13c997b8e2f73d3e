package dev.cramjet.data;

import static org.junit.jupiter.api.Assertions.*;

import dev.cramjet.util.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrepareConfigFileTest {
  @TempDir Path dir;

  private Path conf(String body) throws IOException {
    return Files.writeString(dir.resolve("data.conf"), body);
  }

  @Test
  void readsEverySettingAndResolvesPathsAgainstTheFile() throws IOException {
    Path f = conf("train { lr = 1 }\ndata { inputs = [\"a.txt\", \"c/*.jsonl\"], tokenizer = tok, seq-len = 64,"
        + " compression-cutoff = 0.3, dedup = none, span-dedup = true, order = shuffle, seed = 9, threads = 3,"
        + " shard-rows = 1000 }");
    PrepareConfigFile.Loaded l = PrepareConfigFile.load(f);
    PrepareConfig c = l.config();
    assertEquals(List.of("a.txt", "c/*.jsonl"), c.inputs());
    assertEquals(64, c.seqLen());
    assertEquals(0.3, c.compressionCutoff());
    assertEquals(PrepareConfig.Dedup.NONE, c.dedup());
    assertTrue(c.spanDedup());
    assertEquals(PrepareConfig.Order.SHUFFLE, c.order());
    assertEquals(9, c.seed());
    assertEquals(3, c.threads());
    assertEquals(1000, c.shardRows());
    assertEquals(dir.resolve("tok").toAbsolutePath(), l.tokenizer());
    assertEquals(dir.toAbsolutePath(), l.baseDir());
  }

  @Test
  void defaultsFollowTheRecipe() throws IOException {
    PrepareConfig c = PrepareConfigFile.load(conf("data.inputs = corpus")).config();
    assertEquals(128, c.seqLen());
    assertEquals(0.25, c.compressionCutoff());
    assertEquals(PrepareConfig.Dedup.EXACT, c.dedup());
    assertFalse(c.spanDedup());
    assertEquals(PrepareConfig.Order.CURRICULUM, c.order());
  }

  @Test
  void unknownKeyIsNamedWithTheFile() throws IOException {
    Path f = conf("data { inputs = [x], seqlen = 3 }");
    BadInputException e = assertThrows(BadInputException.class, () -> PrepareConfigFile.load(f));
    assertTrue(e.getMessage().contains("data.seqlen") && e.getMessage().contains(f.toString()), e.getMessage());
  }

  @Test
  void wrongTypeAndBadChoiceAndBadRangeAreNamed() throws IOException {
    BadInputException e =
        assertThrows(BadInputException.class, () -> PrepareConfigFile.load(conf("data { inputs = [x], seq-len = many }")));
    assertTrue(e.getMessage().contains("seq-len"), e.getMessage());
    e = assertThrows(BadInputException.class, () -> PrepareConfigFile.load(conf("data { inputs = [x], order = random }")));
    assertTrue(e.getMessage().contains("data.order") && e.getMessage().contains("curriculum"), e.getMessage());
    e = assertThrows(BadInputException.class, () -> PrepareConfigFile.load(conf("data { inputs = [x], seq-len = 1 }")));
    assertTrue(e.getMessage().contains("data.seq-len"), e.getMessage());
    e = assertThrows(BadInputException.class, () -> PrepareConfigFile.load(conf("data { tokenizer = t }")));
    assertTrue(e.getMessage().contains("data.inputs"), e.getMessage());
    e = assertThrows(BadInputException.class, () -> PrepareConfigFile.load(dir.resolve("missing.conf")));
    assertTrue(e.getMessage().contains("missing.conf"), e.getMessage());
  }

  @Test
  void fractionsHugeNumbersAndWrongTypesNameFileLineAndKey() throws IOException {
    Path f = conf("data {\n  inputs = [x]\n  seq-len = 64.5\n}\n");
    String m = assertThrows(BadInputException.class, () -> PrepareConfigFile.load(f)).getMessage();
    assertEquals(f + ":3: data.seq-len must be a whole number, got number 64.5 (a fraction is not rounded)", m);
    m = assertThrows(BadInputException.class,
        () -> PrepareConfigFile.load(conf("data {\n  inputs = [x]\n  threads = 1e12\n}\n"))).getMessage();
    assertTrue(m.startsWith(f + ":3: data.threads must be a whole number (int) between"), m);
    m = assertThrows(BadInputException.class,
        () -> PrepareConfigFile.load(conf("data {\n  inputs = [x]\n  compression-cutoff = \"NaN\"\n}\n"))).getMessage();
    assertTrue(m.startsWith(f + ":3: data.compression-cutoff must be a finite number"), m);
    m = assertThrows(BadInputException.class,
        () -> PrepareConfigFile.load(conf("data {\n  inputs = [x]\n  tokeniser = tok\n}\n"))).getMessage();
    assertTrue(m.startsWith(f + ":3: unknown key 'data.tokeniser'") && m.contains("tokenizer"), m);
    m = assertThrows(BadInputException.class,
        () -> PrepareConfigFile.load(conf("data {\n  inputs = [x]\n  threads = 0\n}\n"))).getMessage();
    assertTrue(m.startsWith(f + ":3: data.threads must be in [1, 256]"), m);
  }
}
