package dev.cramjet.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Appends logged steps to a run's {@code metrics.jsonl}: one JSON object per line, with the fields step, t,
 * elapsed_seconds, loss, accuracy, lr, batch_rows, grad_norm, tokens, tokens_per_second, mfu and skipped. Non-finite
 * numbers are written as strings ("NaN"), since JSON has none. The foreground loop and the actor runtime both write
 * through this class (a {@link StepListener}), so their files read the same. Each line is flushed as it is written.
 */
public final class StepLogWriter implements StepListener, AutoCloseable {
  /** The file's name in a run folder. */
  public static final String FILE_NAME = "metrics.jsonl";

  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path file;
  private final BufferedWriter out;

  /** Opens {@code file} for appending (created when missing). */
  public StepLogWriter(Path file) throws IOException {
    this.file = file;
    this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  /**
   * How a resume trimmed the file: lines kept, and lines dropped (steps after the checkpoint resumed from, which the
   * resumed run logs again, plus any line a crash cut short).
   */
  public record Trim(int kept, int dropped) {}

  /**
   * Keeps only the lines of steps up to {@code step} (and drops lines that do not parse, such as one a kill cut
   * short), so that after a resume from that step each step appears once. The kept lines are written to a temporary
   * file that is renamed over the old one: a crash leaves either file whole. Nothing is written when nothing is
   * dropped.
   */
  public static Trim truncateAfter(Path file, long step) throws IOException {
    if (!Files.isRegularFile(file)) {
      return new Trim(0, 0);
    }
    String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    StringBuilder kept = new StringBuilder();
    int k = 0;
    int dropped = 0;
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      long s;
      try {
        var node = JSON.readTree(line);
        s = node != null && node.path("step").canConvertToLong() ? node.path("step").asLong() : Long.MAX_VALUE;
      } catch (IOException e) {
        s = Long.MAX_VALUE; // cut short by a crash
      }
      if (s <= step) {
        kept.append(line).append('\n');
        k++;
      } else {
        dropped++;
      }
    }
    if (dropped > 0 || (!text.isEmpty() && !text.endsWith("\n"))) {
      dev.cramjet.util.AtomicFiles.writeString(file, kept.toString());
    }
    return new Trim(k, dropped);
  }

  /** Appends one step and flushes it. */
  public void write(StepRecord step) throws IOException {
    out.write(JSON.writeValueAsString(toMap(step)));
    out.newLine();
    out.flush();
  }

  /** Appends the logged steps ({@link StepRecord#logged()}); a failed write ends the run. */
  @Override
  public void onStep(StepRecord step) {
    if (step.logged()) {
      try {
        write(step);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException("cannot append to " + file + ": " + e.getMessage(), e);
      }
    }
  }

  /** The JSON object of one step, fields in file order. */
  public static Map<String, Object> toMap(StepRecord l) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("step", l.step());
    m.put("t", l.budgetFraction());
    m.put("elapsed_seconds", l.budgetElapsedSeconds());
    m.put("loss", finite(l.loss()));
    m.put("accuracy", l.accuracy());
    m.put("lr", l.lr());
    m.put("batch_rows", l.batchRows());
    m.put("grad_norm", finite(l.gradNorm()));
    m.put("tokens", l.tokens());
    m.put("tokens_per_second", l.tokensPerSecond());
    m.put("mfu", finite(l.mfu()));
    m.put("skipped", l.skipped());
    m.put("overflow_steps", l.overflowSteps());
    m.put("loss_scale", l.lossScale());
    return m;
  }

  private static Object finite(double v) {
    return Double.isFinite(v) ? v : String.valueOf(v); // JSON has no NaN
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
