package dev.cramjet.train;

import dev.cramjet.checkpoint.CheckpointStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What happens to a run folder when training starts in it, in the foreground loop and the actor runtime alike: crash
 * leftovers are removed ({@link CheckpointStore#cleanup()}, plus the temporaries of atomic file writes whose process is
 * gone), and {@code metrics.jsonl} is made to hold each step once: on a resume it is cut back to the resumed step; on a
 * fresh start an existing one is kept under a new name. Each returns one line for the log.
 */
public final class RunFolder {
  private static final Pattern ATOMIC_TMP = Pattern.compile("\\..+\\.tmp-(\\d+)");

  private RunFolder() {}

  /**
   * What opening the folder did.
   *
   * @param cleanup what was removed (checkpoint leftovers and stale temporaries)
   * @param messages one line each for the log: what was freed, what was done to {@code metrics.jsonl}
   */
  public record Opened(CheckpointStore.Cleanup cleanup, List<String> messages) {}

  /**
   * @param resumedStep the step resumed from, or -1 for a fresh run
   */
  public static Opened open(Path runDir, CheckpointStore store, long resumedStep) throws IOException {
    List<String> messages = new ArrayList<>();
    CheckpointStore.Cleanup c = store.cleanup();
    List<String> removed = new ArrayList<>(c.removed());
    long bytes = c.bytes();
    if (Files.isDirectory(runDir)) {
      try (Stream<Path> s = Files.list(runDir)) {
        for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
          Matcher m = ATOMIC_TMP.matcher(p.getFileName().toString());
          if (m.matches() && !alive(Long.parseLong(m.group(1)))) {
            long size = Files.size(p);
            Files.deleteIfExists(p);
            bytes += size;
            removed.add(p.getFileName() + " (temporary of a process that is gone, "
                + CheckpointStore.humanBytes(size) + ")");
          }
        }
      }
    }
    CheckpointStore.Cleanup all = new CheckpointStore.Cleanup(bytes, removed, c.restored());
    if (!all.isEmpty()) {
      messages.add(all.describe(runDir));
    }
    Path metrics = runDir.resolve(StepLogWriter.FILE_NAME);
    if (resumedStep >= 0) {
      StepLogWriter.Trim t = StepLogWriter.truncateAfter(metrics, resumedStep);
      if (t.dropped() > 0) {
        messages.add(metrics + ": dropped " + t.dropped() + " line" + (t.dropped() == 1 ? "" : "s")
            + " after step " + resumedStep + " (logged before the run stopped; the resumed run logs those steps "
            + "again), kept " + t.kept());
      }
    } else if (Files.isRegularFile(metrics) && Files.size(metrics) > 0) {
      Path old = runDir.resolve("metrics-before-"
          + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".jsonl");
      for (int n = 1; Files.exists(old); n++) {
        old = runDir.resolve("metrics-before-" + n + ".jsonl");
      }
      dev.cramjet.util.AtomicFiles.move(metrics, old);
      messages.add(metrics + " held steps of an earlier run and this one starts afresh: kept it as " + old);
    }
    return new Opened(all, messages);
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }
}
