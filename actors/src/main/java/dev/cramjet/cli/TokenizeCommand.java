package dev.cramjet.cli;

import dev.cramjet.text.WordPieceTokenizer;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code cramjet tokenize}: one line of space-separated ids per input line, no special tokens added. The output is
 * written to a temp file and renamed, so it is never half-written.
 */
@Command(name = "tokenize", description = "Encode a text file line by line into token ids.", mixinStandardHelpOptions = true)
public final class TokenizeCommand implements Callable<Integer> {
  @Mixin Output io;

  private static final int BATCH = 10_000;

  @Option(names = "--tokenizer", required = true, description = "folder holding vocab.txt")
  Path tokenizerDir;

  @Option(names = "--input", required = true, description = "text file")
  Path input;

  @Option(names = "--out", required = true, description = "ids file to write")
  Path out;

  @Option(names = "--threads", defaultValue = "1", description = "encoding threads (default ${DEFAULT-VALUE})")
  int threads;

  @Override
  public Integer call() throws Exception {
    WordPieceTokenizer tokenizer = WordPieceTokenizer.load(tokenizerDir);
    if (!Files.isRegularFile(input)) {
      throw new dev.cramjet.util.BadInputException(input + ": input file not found");
    }
    Path parent = out.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path tmp = dev.cramjet.util.AtomicFiles.tempFileBeside(out);
    try (BufferedReader in = TextInputs.open(input);
        BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      List<String> batch = new ArrayList<>(BATCH);
      String line;
      StringBuilder sb = new StringBuilder();
      while (true) {
        line = in.readLine();
        if (line != null) {
          batch.add(line);
        }
        if (batch.size() == BATCH || (line == null && !batch.isEmpty())) {
          for (int[] ids : tokenizer.encodeAll(batch, threads)) {
            sb.setLength(0);
            for (int i = 0; i < ids.length; i++) {
              if (i > 0) {
                sb.append(' ');
              }
              sb.append(ids[i]);
            }
            w.append(sb).append('\n');
          }
          batch.clear();
        }
        if (line == null) {
          break;
        }
      }
    }
    Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return 0;
  }
}
