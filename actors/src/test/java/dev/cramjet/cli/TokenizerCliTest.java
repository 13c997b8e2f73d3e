package dev.cramjet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cramjet.text.WordPieceTokenizer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tokenizer commands end to end: train, tokenize, bench --json with --compare-hf, and bad input. */
class TokenizerCliTest {
  @TempDir Path dir;

  private Path corpus() throws Exception {
    Random r = new Random(4);
    String[] words = {"the", "cat", "sat", "on", "a", "mat", "running", "quickly", "Caf\u00E9", "\u201Cquoted\u201D", "!"};
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      StringBuilder sb = new StringBuilder();
      for (int k = 0; k < 12; k++) {
        sb.append(words[r.nextInt(words.length)]).append(r.nextInt(9) == 0 ? "ing " : " ");
      }
      lines.add(i % 100 == 0 ? "" : sb.toString());
    }
    Path folder = Files.createDirectories(dir.resolve("corpus"));
    Files.write(folder.resolve("a.txt"), lines.subList(0, 1000), StandardCharsets.UTF_8);
    Files.write(folder.resolve("b.txt"), lines.subList(1000, 2000), StandardCharsets.UTF_8);
    return folder;
  }

  private static String stdout(String... args) {
    CliRun.Result r = CliRun.run(args);
    assertEquals(0, r.code(), () -> "exit code of " + String.join(" ", args) + ": " + r.err());
    return r.out();
  }

  @Test
  void trainTokenizeAndBench() throws Exception {
    Path folder = corpus();
    Path tok = dir.resolve("tok");
    stdout("tokenizer", "train", "--input", folder.toString(), "--vocab-size", "300", "--out", tok.toString());
    assertTrue(Files.isRegularFile(tok.resolve(WordPieceTokenizer.VOCAB_FILE)));
    assertTrue(Files.isRegularFile(tok.resolve(WordPieceTokenizer.HF_FILE)));

    Path in = folder.resolve("a.txt");
    Path out = dir.resolve("ids.txt");
    stdout("tokenize", "--tokenizer", tok.toString(), "--input", in.toString(), "--out", out.toString());
    List<String> inLines = Files.readAllLines(in);
    List<String> idLines = Files.readAllLines(out);
    assertEquals(inLines.size(), idLines.size());
    WordPieceTokenizer t = WordPieceTokenizer.load(tok);
    assertEquals(t.decode(parse(idLines.get(1))), t.decode(t.encode(inLines.get(1))));
    assertEquals("", idLines.get(0));

    String json =
        stdout("bench", "tokenizer", "--tokenizer", tok.toString(), "--input", in.toString(), "--json",
            "--compare-hf", "--passes", "1");
    JsonNode o = new ObjectMapper().readTree(json.lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow());
    assertTrue(o.get("mb_per_second").asDouble() > 0);
    assertTrue(o.get("tokens_per_second").asDouble() > 0);
    assertEquals(1, o.get("threads").asInt());
    assertTrue(o.get("hf_mb_per_second").asDouble() > 0);
    assertTrue(o.get("ratio").asDouble() > 0);
    assertTrue(o.get("ids_identical").asBoolean());
  }

  @Test
  void missingInputExitsWithUsageErrorNamingIt() {
    CliRun.Result r =
        CliRun.run("tokenizer", "train", "--input", dir.resolve("missing").toString(), "--out", dir.toString());
    assertEquals(Main.EXIT_USAGE, r.code());
    assertTrue(r.err().contains("corpus input " + dir.resolve("missing") + " does not exist"));
  }

  private static int[] parse(String line) {
    return line.isEmpty() ? new int[0] : java.util.Arrays.stream(line.split(" ")).mapToInt(Integer::parseInt).toArray();
  }
}
