package dev.cramjet.data;

import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Preparation of a corpus larger than the heap, in a child JVM with a small heap. */
class BoundedMemoryTest {
  @TempDir Path dir;

  private static final int HEAP_MB = 32;
  private static final int CORPUS_MB = 48;

  @Test
  void preparesACorpusLargerThanTheHeap() throws Exception {
    Path corpus = dir.resolve("corpus");
    Files.createDirectories(corpus);
    writeCorpus(corpus);
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p =
        new ProcessBuilder(
                List.of(java.toString(), "-Xmx" + HEAP_MB + "m", "-XX:+UseSerialGC", "-cp",
                    System.getProperty("java.class.path"), PrepareMain.class.getName(), corpus.toString(),
                    dir.resolve("out").toString()))
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    String result = out.lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElseThrow(() -> new AssertionError(out));
    String[] f = result.split(" ");
    long raw = Long.parseLong(f[1]);
    long maxHeap = Long.parseLong(f[2]);
    long rows = Long.parseLong(f[3]);
    assertTrue(raw > maxHeap, "corpus " + raw + " bytes must exceed the heap " + maxHeap);
    assertTrue(rows > 50_000, "rows " + rows);
    assertEquals(rows, ShardDataset.open(dir.resolve("out")).rows());
  }

  private static void writeCorpus(Path corpus) throws IOException {
    Random r = new Random(11);
    int files = 6;
    long perFile = (long) CORPUS_MB * (1 << 20) / files;
    for (int k = 0; k < files; k++) {
      try (BufferedWriter w = Files.newBufferedWriter(corpus.resolve("part-" + k + ".txt"))) {
        long written = 0;
        StringBuilder doc = new StringBuilder();
        while (written < perFile) {
          doc.setLength(0);
          int words = 20 + r.nextInt(200);
          for (int i = 0; i < words; i++) {
            doc.append('w').append(r.nextInt(1000)).append(r.nextInt(10) == 0 ? ". " : " ");
          }
          doc.append("\n\n");
          w.append(doc);
          written += doc.length();
        }
      }
    }
  }
}
