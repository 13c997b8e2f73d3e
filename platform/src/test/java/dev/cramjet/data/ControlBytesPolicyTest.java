package dev.cramjet.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cramjet.util.BadInputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The binary-file policy shared by {@code data prepare} and {@code tokenizer train} ({@link CorpusReader}): stray
 * control bytes are stripped and counted, and only a file whose leading sample is mostly not text is skipped.
 */
class ControlBytesPolicyTest {
  @TempDir Path dir;

  /** About {@code bytes} of prose made of words w0..w999: documents of 3-8 lines separated by blank lines. */
  static String prose(int bytes, long seed) {
    Random r = new Random(seed);
    StringBuilder sb = new StringBuilder(bytes + 100);
    while (sb.length() < bytes) {
      int lines = 3 + r.nextInt(6);
      for (int l = 0; l < lines; l++) {
        int words = 5 + r.nextInt(10);
        for (int w = 0; w < words; w++) sb.append(w == 0 ? "" : " ").append('w').append(r.nextInt(1000));
        sb.append(".\n");
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  private static List<String> documents(CorpusReader reader, List<String> inputs, Path base, CorpusReader.Stats[] out) {
    List<String> docs = new ArrayList<>();
    out[0] = reader.read(CorpusFiles.resolve(inputs, base), new CorpusReader.Sink() {
      @Override
      public void document(String text) {
        docs.add(text);
      }

      @Override
      public void unreadable(String where, String why) {
        docs.add("UNREADABLE " + where + " " + why);
      }
    });
    return docs;
  }

  @Test
  void aThreeMegabyteTextWithOneNulYieldsTheTextWithoutTheNul() throws IOException {
    String text = prose(3_000_000, 11);
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    assertTrue(bytes[2188] != '\n', "the NUL replaces a character inside a line");
    ByteArrayOutputStream withNul = new ByteArrayOutputStream();
    withNul.write(bytes, 0, 2188);
    withNul.write(0);
    withNul.write(bytes, 2188, bytes.length - 2188);
    Files.write(dir.resolve("clean.txt"), bytes);
    Files.write(dir.resolve("nul.txt"), withNul.toByteArray());

    CorpusReader.Stats[] clean = new CorpusReader.Stats[1];
    CorpusReader.Stats[] nul = new CorpusReader.Stats[1];
    List<String> expected = documents(new CorpusReader(1 << 24, 1 << 20), List.of("clean.txt"), dir, clean);
    List<String> got = documents(new CorpusReader(1 << 24, 1 << 20), List.of("nul.txt"), dir, nul);
    assertTrue(expected.size() > 10_000, "documents " + expected.size());
    assertEquals(expected, got, "the text minus the NUL");
    assertEquals(List.of(), nul[0].skipped());
    assertEquals(1, nul[0].controlBytesStripped());
    assertEquals(1, nul[0].sources().get(0).controlBytesStripped());
    assertEquals(0, clean[0].controlBytesStripped());

    // data prepare: the same documents, and the manifest counts the one stripped byte
    Manifest m = new DataPreparer(PrepareConfig.defaults(List.of("nul.txt")).withSeqLen(64).withCutoff(100)
        .withDedup(PrepareConfig.Dedup.NONE, false, 50).withThreads(2), new TestEncoder(), "test")
        .prepare(dir, dir.resolve("out"), null);
    assertEquals(1, m.controlBytesStripped());
    assertEquals(expected.size(), m.documents().kept());
    assertEquals(List.of(), m.skippedFiles());
    String json = Files.readString(dir.resolve("out").resolve(Manifest.FILE_NAME));
    assertTrue(json.contains("\"control_bytes_stripped\" : 1"), json.substring(0, 600));
    assertEquals(1, Manifest.read(dir.resolve("out")).controlBytesStripped());
  }

  @Test
  void strayControlBytesOfEveryKindAreStrippedButTabFormFeedAndCarriageReturnKept() throws IOException {
    StringBuilder sb = new StringBuilder("start");
    StringBuilder kept = new StringBuilder("start");
    int stripped = 0;
    for (int c = 0; c < 0x20; c++) {
      if (c == '\n') continue;
      sb.append((char) c).append('x');
      if (c != '\t' && c != '\f' && c != '\r') stripped++;
      else kept.append((char) c);
      kept.append('x');
    }
    sb.append((char) 0x7f).append("end\n");
    kept.append("end");
    stripped++;
    sb.append(prose(4000, 2)); // enough text that the controls are a stray share
    Files.writeString(dir.resolve("c.txt"), sb.toString(), StandardCharsets.ISO_8859_1);
    CorpusReader.Stats[] st = new CorpusReader.Stats[1];
    List<String> docs = documents(new CorpusReader(1 << 20, 1 << 20), List.of("c.txt"), dir, st);
    assertEquals(stripped, st[0].controlBytesStripped());
    assertEquals(kept.toString(), docs.get(0).split("\n")[0]);
  }

  @Test
  void trulyBinaryFilesAreStillSkippedAndCounted() throws IOException {
    byte[] noise = new byte[200_000];
    new Random(5).nextBytes(noise);
    Files.write(dir.resolve("noise.txt"), noise);
    // UTF-16 text: half its bytes are NUL
    Files.write(dir.resolve("utf16.txt"), prose(20_000, 3).getBytes(StandardCharsets.UTF_16LE));
    // a text file whose first 64 KiB are mostly NUL padding
    byte[] padded = new byte[70_000];
    byte[] tail = "words after the padding\n".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(tail, 0, padded, padded.length - tail.length, tail.length);
    Files.write(dir.resolve("padded.txt"), padded);
    Files.writeString(dir.resolve("ok.txt"), prose(5000, 4));

    CorpusReader.Stats[] st = new CorpusReader.Stats[1];
    documents(new CorpusReader(1 << 20, 1 << 20), List.of("noise.txt", "utf16.txt", "padded.txt", "ok.txt"), dir, st);
    assertEquals(3, st[0].skipped().size(), st[0].skipped().toString());
    for (Manifest.SkippedFile f : st[0].skipped()) {
      assertTrue(f.reason().startsWith("binary content ("), f.reason());
    }
    assertTrue(st[0].skipped().get(0).reason().contains("not valid UTF-8")
        || st[0].skipped().get(0).reason().contains("control bytes"), st[0].skipped().get(0).reason());
    assertTrue(st[0].skipped().get(1).reason().contains("NUL"), st[0].skipped().get(1).reason());
    assertEquals(1, st[0].sources().size());
    assertTrue(st[0].summary().startsWith("1 file read, 3 skipped (binary content: 3)"), st[0].summary());

    // data prepare on the binary files alone: refused, naming what was skipped and why, nothing written
    BadInputException e = assertThrows(BadInputException.class, () -> new DataPreparer(
        PrepareConfig.defaults(List.of("noise.txt", "utf16.txt", "padded.txt")).withSeqLen(16), new TestEncoder(),
        "test").prepare(dir, dir.resolve("out"), null));
    assertTrue(e.getMessage().contains("0 files read, 3 skipped (binary content: 3)"), e.getMessage());
    assertFalse(Files.exists(dir.resolve("out")));
    assertFalse(Files.exists(dir.resolve("out.partial")));
  }

  @Test
  void aShortFileWithAFewBadBytesIsStillText() throws IOException {
    // Latin-1 e-acute (invalid UTF-8) and one NUL in 42 bytes
    byte[] b = "caf\u00e9 and a stray \u0000 in a short line\n".getBytes(StandardCharsets.ISO_8859_1);
    Files.write(dir.resolve("short.txt"), b);
    CorpusReader.Stats[] st = new CorpusReader.Stats[1];
    assertEquals(List.of("caf\uFFFD and a stray  in a short line"),
        documents(new CorpusReader(1 << 20, 1 << 20), List.of("short.txt"), dir, st));
    assertEquals(1, st[0].controlBytesStripped());
    assertEquals(1, st[0].invalidUtf8Replaced());
  }
}
