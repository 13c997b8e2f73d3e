package dev.cramjet.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Small English-like corpora for CLI tests: sentences from a word list, documents separated by blank lines. */
final class TestCorpus {
  private static final String[] WORDS = {"the", "ship", "sailed", "north", "and", "every", "sailor", "saw", "a",
      "whale", "in", "cold", "water", "before", "morning", "came", "over", "sea"};

  private TestCorpus() {}

  /** {@code files} files of {@code docs} documents of 6 sentences each, under {@code dir/corpus}. */
  static Path write(Path dir, int files, int docs, long seed) throws IOException {
    Random r = new Random(seed);
    Path folder = Files.createDirectories(dir.resolve("corpus"));
    for (int f = 0; f < files; f++) {
      List<String> lines = new ArrayList<>();
      for (int doc = 0; doc < docs; doc++) {
        for (int s = 0; s < 6; s++) {
          StringBuilder sb = new StringBuilder();
          for (int k = 0; k < 8 + r.nextInt(6); k++) {
            sb.append(WORDS[r.nextInt(WORDS.length)]).append(' ');
          }
          lines.add(sb.toString().trim() + ".");
        }
        lines.add("");
      }
      Files.write(folder.resolve("part" + f + ".txt"), lines, StandardCharsets.UTF_8);
    }
    return folder;
  }
}
