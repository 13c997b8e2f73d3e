package dev.cramjet.checkpoint;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

/**
 * Fault injection for the checkpoint store, off unless a system property turns it on; the soak
 * ({@code bench/soak.sh}) and the crash tests use it. They inject real I/O, not mocks:
 * <ul>
 *   <li>{@code cramjet.fault.checkpoint-pause-ms=N}: sleep N ms in the middle of each checkpoint write (one tensor file
 *       written) and of each prune (folder renamed, not yet deleted), so a kill lands there; and print markers
 *       ({@code cramjet-fault: checkpoint-write-begin step=N}, {@code ...-end}, {@code prune-begin step-N},
 *       {@code prune-end}) to standard error, so the soak knows where each kill landed.</li>
 *   <li>{@code cramjet.fault.checkpoint-enospc-steps=N,M}: the checkpoints of those steps write their files to
 *       {@code /dev/full}, so the kernel answers "No space left on device".</li>
 * </ul>
 */
final class FaultHooks {
  static final String PAUSE = "cramjet.fault.checkpoint-pause-ms";
  static final String ENOSPC = "cramjet.fault.checkpoint-enospc-steps";

  private final long pauseMillis;
  private final Set<Long> fullSteps;

  private FaultHooks(long pauseMillis, Set<Long> fullSteps) {
    this.pauseMillis = pauseMillis;
    this.fullSteps = fullSteps;
  }

  static FaultHooks fromSystemProperties() {
    long pause = Long.getLong(PAUSE, 0L);
    Set<Long> full = new HashSet<>();
    String steps = System.getProperty(ENOSPC, "").trim();
    if (!steps.isEmpty()) {
      for (String s : steps.split(",")) {
        full.add(Long.parseLong(s.trim()));
      }
    }
    return new FaultHooks(pause, Set.copyOf(full));
  }

  /** {@code normal}, except that the files of the chosen steps go to {@code /dev/full}. */
  CheckpointStore.FileOpener opener(CheckpointStore.FileOpener normal) {
    if (fullSteps.isEmpty()) {
      return normal;
    }
    return (file, step) -> {
      if (!fullSteps.contains(step)) {
        return normal.open(file, step);
      }
      normal.open(file, step).close(); // the file exists, as on a real full disk
      return FileChannel.open(Path.of("/dev/full"), StandardOpenOption.WRITE);
    };
  }

  void pause() {
    if (pauseMillis <= 0) {
      return;
    }
    try {
      Thread.sleep(pauseMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  void marker(String what) {
    if (pauseMillis > 0) {
      System.err.println("cramjet-fault: " + what);
      System.err.flush();
    }
  }
}
