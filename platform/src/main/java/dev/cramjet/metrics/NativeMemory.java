package dev.cramjet.metrics;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resident memory outside the Java heap, without native memory tracking: the process's resident set size
 * ({@code VmRSS} in {@code /proc/self/status}) minus the Java heap in use. What remains is mostly libtorch's tensors
 * and allocator caches, plus metaspace, JIT code, thread stacks and direct buffers. It is an approximation that reads
 * high rather than low: heap pages that held objects once and are free now stay resident and are counted here
 * (subtracting the committed heap instead would read low, often zero, because committed pages that were never
 * touched are not resident). On systems without {@code /proc} nothing is reported.
 */
public final class NativeMemory {
  /** The help text of the metric, kept beside the measurement it describes. */
  public static final String DESCRIPTION = "Resident memory outside the Java heap (VmRSS minus heap in use): "
      + "mostly libtorch tensors and caches, plus metaspace, code, stacks and direct buffers.";

  private static final Path STATUS = Path.of("/proc/self/status");

  private NativeMemory() {}

  /** Resident bytes outside the heap in use, or -1 where {@code /proc/self/status} cannot be read. */
  public static long outsideHeapBytes() {
    long rss = residentBytes();
    if (rss < 0) {
      return -1;
    }
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    return Math.max(0, rss - heap);
  }

  /** The process's resident set size in bytes, or -1 where it cannot be read. */
  public static long residentBytes() {
    try {
      for (String line : Files.readAllLines(STATUS, StandardCharsets.US_ASCII)) {
        if (line.startsWith("VmRSS:")) {
          // "VmRSS:    123456 kB"
          String[] parts = line.substring(6).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024;
        }
      }
      return -1;
    } catch (IOException | RuntimeException e) {
      return -1; // not Linux, or an unexpected format: report nothing rather than a wrong number
    }
  }
}
