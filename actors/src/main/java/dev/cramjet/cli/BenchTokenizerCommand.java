package dev.cramjet.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cramjet.text.WordPieceTokenizer;
import dev.cramjet.util.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code cramjet bench tokenizer}: encoding throughput of Cramjet's WordPiece encoder on the lines of a file, and
 * with {@code --compare-hf} of the Hugging Face tokenizer (through DJL) loading the same {@code tokenizer.json}, on
 * the same lines in the same run, plus whether both gave identical ids. Each side gets a warm-up pass, then the
 * median of {@code --passes} timed passes is reported. Lines are the unit of encoding, as in data preparation.
 */
@Command(
    name = "tokenizer",
    description = "Tokenizer encoding throughput (MB/s, tokens/s), optionally against Hugging Face tokenizers.",
    mixinStandardHelpOptions = true)
public final class BenchTokenizerCommand implements Callable<Integer> {
  @Mixin Output io;

  @Option(names = "--tokenizer", required = true, description = "folder holding vocab.txt and tokenizer.json")
  Path tokenizerDir;

  @Option(names = "--input", required = true, description = "text file; each line is encoded on its own")
  Path input;

  @Option(names = "--threads", defaultValue = "1", description = "encoding threads (default ${DEFAULT-VALUE})")
  int threads;

  @Option(names = "--passes", defaultValue = "3", description = "timed passes, median reported (default ${DEFAULT-VALUE})")
  int passes;

  @Option(
      names = "--limit-mb",
      defaultValue = "16",
      description = "use only the first lines up to this many MB (default ${DEFAULT-VALUE})")
  double limitMb;

  @Option(names = "--compare-hf", description = "also encode with Hugging Face tokenizers through DJL")
  boolean compareHf;

  @Option(names = "--json", description = "print one JSON object")
  boolean json;

  /** One side's result: the median pass and the ids of the last pass. */
  private record Run(double seconds, long tokens, int[][] ids) {}

  @Override
  public Integer call() throws Exception {
    if (threads < 1 || passes < 1 || limitMb <= 0) {
      throw new BadInputException("--threads and --passes must be at least 1 and --limit-mb positive");
    }
    WordPieceTokenizer ours = WordPieceTokenizer.load(tokenizerDir);
    List<String> lines = new ArrayList<>();
    long bytes = 0;
    if (!Files.isRegularFile(input)) {
      throw new BadInputException(input + ": input file not found");
    }
    for (Iterator<String> it = TextInputs.lines(List.of(input)); it.hasNext() && bytes < limitMb * 1e6; ) {
      String line = it.next();
      lines.add(line);
      bytes += utf8Length(line) + 1;
    }
    if (lines.isEmpty()) {
      throw new BadInputException(input + ": no text to encode");
    }
    Run mine = measure(lines, ours::encode);
    ObjectMapper m = new ObjectMapper();
    ObjectNode o = m.createObjectNode();
    o.put("mb_per_second", bytes / 1e6 / mine.seconds());
    o.put("tokens_per_second", mine.tokens() / mine.seconds());
    o.put("threads", threads);
    o.put("bytes", bytes);
    o.put("lines", lines.size());
    o.put("tokens", mine.tokens());
    o.put("passes", passes);
    o.put("vocab_size", ours.vocabSize());
    if (compareHf) {
      Path json = tokenizerDir.resolve(WordPieceTokenizer.HF_FILE);
      if (!Files.isRegularFile(json)) {
        throw new BadInputException(json + ": not found; --compare-hf needs the tokenizer.json written by training");
      }
      try (HfTokenizer hf = HfTokenizer.load(json)) {
        Run theirs = measure(lines, hf::encode);
        o.put("hf_mb_per_second", bytes / 1e6 / theirs.seconds());
        o.put("hf_tokens_per_second", theirs.tokens() / theirs.seconds());
        o.put("ratio", theirs.seconds() / mine.seconds());
        int mismatch = firstMismatch(mine.ids(), theirs.ids());
        o.put("ids_identical", mismatch < 0);
        if (mismatch >= 0) {
          o.put("first_mismatch_line", mismatch + 1);
        }
      }
    }
    io.printJson(o, json);
    return 0;
  }

  private Run measure(List<String> lines, java.util.function.Function<String, int[]> encoder) throws Exception {
    int[][] ids = new int[lines.size()][];
    int warm = Math.max(1, Math.min(lines.size(), lines.size() / 4));
    runPass(lines.subList(0, warm), i -> ids[i] = encoder.apply(lines.get(i)));
    double[] seconds = new double[passes];
    for (int p = 0; p < passes; p++) {
      long t0 = System.nanoTime();
      runPass(lines, i -> ids[i] = encoder.apply(lines.get(i)));
      seconds[p] = (System.nanoTime() - t0) / 1e9;
    }
    Arrays.sort(seconds);
    long tokens = 0;
    for (int[] a : ids) {
      tokens += a.length;
    }
    return new Run(seconds[passes / 2], tokens, ids);
  }

  /** Runs {@code work} for every index of {@code lines}, split in contiguous ranges over the threads. */
  private void runPass(List<String> lines, IntFunction<int[]> work) throws Exception {
    int n = lines.size();
    if (threads == 1) {
      for (int i = 0; i < n; i++) {
        work.apply(i);
      }
      return;
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> parts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int lo = (int) ((long) n * t / threads);
        int hi = (int) ((long) n * (t + 1) / threads);
        parts.add(
            pool.submit(
                () -> {
                  for (int i = lo; i < hi; i++) {
                    work.apply(i);
                  }
                }));
      }
      for (Future<?> f : parts) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static int firstMismatch(int[][] a, int[][] b) {
    for (int i = 0; i < a.length; i++) {
      if (!Arrays.equals(a[i], b[i])) {
        return i;
      }
    }
    return -1;
  }

  private static long utf8Length(String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      n += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
    }
    return n;
  }
}
