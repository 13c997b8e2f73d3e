package dev.cramjet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tokenizer train} on a corpus without text (empty, binary, all-invalid JSON lines, one line over 16 MB) is a
 * usage error that says what was read and skipped, and why, and writes nothing; with text it reports the counts.
 */
class TokenizerNoTextCliTest {
  @TempDir Path dir;



  /** Trains on {@code input}, expects exit 2 naming the file counts and {@code why}, and no output folder. */
  private void assertRefused(Path input, String... why) {
    Path out = dir.resolve("tok-" + input.getFileName());
    CliRun.Result r = CliRun.run("tokenizer", "train", "--input", input.toString(), "--vocab-size", "200", "--out",
        out.toString());
    assertEquals(Main.EXIT_USAGE, r.code(), r.err());
    assertTrue(r.err().contains("no text to learn from in [" + input + "]"), r.err());
    for (String w : why) assertTrue(r.err().contains(w), () -> "expected '" + w + "' in: " + r.err());
    assertTrue(r.err().contains("nothing written to " + out), r.err());
    assertFalse(r.err().contains("Exception"), r.err());
    assertFalse(Files.exists(out), "no output folder");
  }

  @Test
  void emptyFileIsRefused() throws Exception {
    Path f = Files.write(dir.resolve("empty.txt"), new byte[0]);
    assertRefused(f, "1 file read, 0 skipped; 0 documents: 0 with text, 0 blank, 0 unreadable");
  }

  @Test
  void binaryFileIsRefused() throws Exception {
    byte[] noise = new byte[100_000];
    new Random(7).nextBytes(noise);
    Path f = Files.write(dir.resolve("noise.txt"), noise);
    assertRefused(f, "0 files read, 1 skipped (binary content: 1); 0 documents");
  }

  @Test
  void allInvalidJsonLinesAreRefused() throws Exception {
    Path f = Files.writeString(dir.resolve("bad.jsonl"), "{broken\n[1,2]\n{\"text\": 5}\nnot json at all\n");
    assertRefused(f, "1 file read, 0 skipped; 4 documents: 0 with text, 0 blank, 4 unreadable",
        "not valid JSON: 2", "expected a JSON object with a string field \"text\": 2");
  }

  @Test
  void oneLineOverSixteenMegabytesIsRefused() throws Exception {
    Path f = dir.resolve("huge.txt");
    byte[] line = new byte[(16 << 20) + 10];
    Arrays.fill(line, (byte) 'a');
    try (OutputStream o = Files.newOutputStream(f)) {
      o.write(line);
      o.write('\n');
    }
    assertRefused(f, "1 file read, 0 skipped; 1 document: 0 with text, 0 blank, 1 unreadable",
        "line longer than " + (16 << 20) + " bytes: 1");
  }

  @Test
  void textWithAStrayNulTrainsAndReportsTheStrippedByte() throws Exception {
    StringBuilder sb = new StringBuilder();
    Random r = new Random(2);
    String[] words = {"the", "cat", "sat", "on", "mat", "running", "quickly"};
    for (int i = 0; i < 400; i++) {
      for (int k = 0; k < 10; k++) sb.append(words[r.nextInt(words.length)]).append(' ');
      sb.append(i % 10 == 9 ? "\n\n" : "\n");
    }
    sb.insert(1000, '\0');
    Path f = Files.writeString(dir.resolve("nul.txt"), sb.toString());
    Path out = dir.resolve("tok");
    CliRun.Result res = CliRun.run("tokenizer", "train", "--input", f.toString(), "--vocab-size", "150", "--out", out.toString(),
        "--json");
    assertEquals(0, res.code(), res.err());
    JsonNode o = new ObjectMapper().readTree(res.out().trim());
    assertEquals(1, o.path("control_bytes_stripped").asLong());
    assertEquals(1, o.path("files_read").asInt());
    assertEquals(0, o.path("files_skipped").asInt());
    assertEquals(40, o.path("documents_with_text").asLong());
    assertTrue(Files.isRegularFile(out.resolve("vocab.txt")));
  }
}
