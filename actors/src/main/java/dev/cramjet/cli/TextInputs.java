package dev.cramjet.cli;

import dev.cramjet.data.CorpusFiles;
import dev.cramjet.util.BadInputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Line-oriented text input for the commands whose contract is "one output line per input line" ({@code tokenize},
 * {@code bench tokenizer}): lines of {@code .txt} files, given directly or found in folders (walked by {@link
 * CorpusFiles#filesUnder}: recursively, in sorted order), with invalid UTF-8 replaced. Whole-corpus readers (gz,
 * jsonl, zst, globs) are {@link dev.cramjet.data.CorpusDocuments} and {@code data prepare}.
 */
final class TextInputs {
  private TextInputs() {}

  /** The files behind {@code paths}, in order. */
  static List<Path> files(List<Path> paths) {
    List<Path> files = new ArrayList<>();
    for (Path p : paths) {
      if (Files.isRegularFile(p)) {
        files.add(p);
      } else if (Files.isDirectory(p)) {
        try {
          for (Path f : CorpusFiles.filesUnder(p)) {
            if (f.getFileName().toString().endsWith(".txt")) {
              files.add(f);
            }
          }
        } catch (IOException e) {
          throw new BadInputException(p + ": cannot list folder: " + e.getMessage(), e);
        }
      } else {
        throw new BadInputException(p + ": input not found (expected a .txt file or a folder of them)");
      }
    }
    if (files.isEmpty()) {
      throw new BadInputException("no .txt files found in " + paths);
    }
    return files;
  }

  /** Every line of every file of {@code paths}, streamed. */
  static Iterator<String> lines(List<Path> paths) {
    List<Path> files = files(paths);
    return new Iterator<>() {
      private int next;
      private BufferedReader reader;
      private String line;

      @Override
      public boolean hasNext() {
        try {
          while (line == null) {
            if (reader == null) {
              if (next == files.size()) {
                return false;
              }
              reader = open(files.get(next++));
            }
            line = reader.readLine();
            if (line == null) {
              reader.close();
              reader = null;
            }
          }
          return true;
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }

      @Override
      public String next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        String l = line;
        line = null;
        return l;
      }
    };
  }

  /** All lines of one file, held in memory. */
  static List<String> readAll(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new BadInputException(file + ": input file not found");
    }
    List<String> out = new ArrayList<>();
    lines(List.of(file)).forEachRemaining(out::add);
    return out;
  }

  static BufferedReader open(Path file) throws IOException {
    return new BufferedReader(
        new InputStreamReader(
            Files.newInputStream(file),
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE)),
        1 << 16);
  }
}
