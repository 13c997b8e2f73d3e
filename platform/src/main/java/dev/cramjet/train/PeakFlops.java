package dev.cramjet.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.IValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cramjet.jit.MlmProgram;
import dev.cramjet.jit.ScriptArgs;
import dev.cramjet.jit.ScriptModule;
import dev.cramjet.util.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;

/**
 * The dense matrix-multiply peak that model FLOPs utilisation (MFU) is measured against, and the MFU itself.
 *
 * <p>A peak comes from {@code --peak-flops} (a GPU's data sheet), or from {@code cramjet bench peak}, which measures it
 * calmly and stores it in {@code $CRAMJET_HOME/peak.json} for this machine, or, failing both, from a short measurement
 * when the run starts. A measurement on a busy shared machine comes out low, so MFU can never exceed 1 here: an
 * achieved rate above the peak raises the peak to it ({@link #mfu}), and {@link #raised()} says so.
 */
public final class PeakFlops {
  /** How long a run measures when no peak is known (milliseconds). */
  static final long RUN_START_MILLIS = 1500;

  private final String source;
  private double flops;
  private boolean raised;

  public PeakFlops(double flops, String source) {
    this.flops = flops;
    this.source = source;
  }

  /**
   * The peak for a run: {@code requested} null means "find one" ({@link #forRun} with no override), NaN or 0 means
   * none (MFU is not reported), a positive number is used as given.
   */
  public static PeakFlops choose(Double requested, MlmProgram.Precision precision, NDManager manager) {
    if (requested != null && !(requested > 0)) {
      return unknown();
    }
    return forRun(requested, precision, manager);
  }

  /** No peak known: MFU is NaN. */
  public static PeakFlops unknown() {
    return new PeakFlops(Double.NaN, "unknown");
  }

  /** The peak in FLOP/s (NaN when unknown). */
  public synchronized double flops() {
    return flops;
  }

  /** Where the peak came from: "--peak-flops", the cache file, or "measured at start". */
  public String source() {
    return source;
  }

  /** Whether some achieved rate was above the given peak, which was then raised to it. */
  public synchronized boolean raised() {
    return raised;
  }

  /**
   * Model FLOPs utilisation of {@code achievedFlops} (model FLOP/s), in [0, 1]; NaN when no peak is known. An achieved
   * rate above the peak means the peak was measured low: it becomes the new peak.
   */
  public synchronized double mfu(double achievedFlops) {
    if (!(flops > 0) || !(achievedFlops >= 0) || Double.isInfinite(achievedFlops)) {
      return Double.NaN;
    }
    if (achievedFlops > flops) {
      flops = achievedFlops;
      raised = true;
    }
    return achievedFlops / flops;
  }

  /**
   * The peak a run on {@code device} in {@code precision} uses: {@code override} when given, else the stored result
   * of {@code bench peak} for this machine and precision, else a short measurement now.
   */
  public static PeakFlops forRun(Double override, MlmProgram.Precision precision, NDManager manager) {
    if (override != null) {
      if (!(override > 0) || override.isInfinite()) {
        throw new IllegalArgumentException("--peak-flops must be a positive number of FLOP/s, got " + override);
      }
      return new PeakFlops(override, "--peak-flops");
    }
    Device device = manager.getDevice();
    double cached = cached(cacheFile(), precision, device);
    if (cached > 0) {
      return new PeakFlops(cached, cacheFile() + " (bench peak)");
    }
    return new PeakFlops(measure(manager, precision, RUN_START_MILLIS), "measured at start");
  }

  /**
   * The best dense matmul throughput (FLOP/s) of n x n products in {@code precision} within about {@code millis}: the
   * best of several short timed bursts, so that a burst slowed by another process does not lower the ceiling. The
   * products run in a small TorchScript program (DJL cannot cast to bf16 itself), and each burst ends by reading one
   * element back, so on a GPU the time includes the work.
   */
  public static double measure(NDManager parent, MlmProgram.Precision precision, long millis) {
    int n = parent.getDevice().isGpu() ? 8192 : 1024;
    String src = "class CramjetPeak(Module):\n  __parameters__ = []\n  __buffers__ = []\n  training : bool\n"
        + "  def cast(self: __torch__.CramjetPeak, a: Tensor, dtype: int) -> Tensor:\n"
        + "    return torch.to(a, dtype)\n"
        + "  def run(self: __torch__.CramjetPeak, a: Tensor, b: Tensor, reps: int) -> Tensor:\n"
        // Every product feeds the result, or the JIT drops all but the last as dead code.
        + "    s = torch.zeros([1], dtype=6, device=a.device)\n"
        + "    for i in range(reps):\n"
        + "      c = torch.matmul(a, b)\n"
        + "      s = torch.add(s, torch.to(torch.select(torch.select(c, 0, i), 0, 0), 6))\n"
        + "    return s\n";
    try (NDManager m = parent.newSubManager();
        ScriptModule program = ScriptModule.compile(m, "CramjetPeak", src)) {
      NDArray a32 = m.randomUniform(-1, 1, new Shape(n, n));
      NDArray b32 = m.randomUniform(-1, 1, new Shape(n, n));
      int code = switch (precision) {
        case FP32 -> 6;
        case BF16 -> 15;
        case FP16 -> 5;
      };
      try (IValue dtype = IValue.from((long) code);
          IValue ca = program.call("cast", ScriptArgs.tensor(a32), dtype);
          IValue cb = program.call("cast", ScriptArgs.tensor(b32), dtype)) {
        NDArray a = ca.toTensor((PtNDManager) m);
        NDArray b = cb.toTensor((PtNDManager) m);
        int reps = 4;
        burst(program, a, b, 1); // warm-up
        double best = 0;
        long deadline = System.nanoTime() + millis * 1_000_000L;
        do {
          long start = System.nanoTime();
          burst(program, a, b, reps);
          double seconds = (System.nanoTime() - start) / 1e9;
          best = Math.max(best, reps * 2.0 * n * n * n / seconds);
        } while (System.nanoTime() < deadline);
        return best;
      }
    }
  }

  private static void burst(ScriptModule program, NDArray a, NDArray b, int reps) {
    try (IValue x = ScriptArgs.tensor(a);
        IValue y = ScriptArgs.tensor(b);
        IValue r = IValue.from((long) reps);
        IValue out = program.call("run", x, y, r);
        NDArray one = out.toTensor((PtNDManager) a.getManager())) {
      one.getFloat(); // waits for the device
    }
  }

  /** {@code $CRAMJET_HOME/peak.json} (default {@code ~/.cache/cramjet/peak.json}). */
  public static Path cacheFile() {
    String env = System.getenv("CRAMJET_HOME");
    Path home = env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "cramjet");
    return home.resolve("peak.json");
  }

  /**
   * What a stored peak must match to be used: the device, the CPU model and vector level, and the thread count. A
   * peak from another machine (a copied home folder, another cloud instance) is measured anew.
   */
  public static String machineKey(Device device) {
    return String.format(Locale.ROOT, "%s | %s | %s | threads %d", device, cpuModel(), Hardware.cpuVectorLevel(),
        Integer.getInteger("ai.djl.pytorch.num_threads", Runtime.getRuntime().availableProcessors()));
  }

  /** Stores a calmly measured peak for {@code precision} on this machine (bench peak). */
  public static void store(MlmProgram.Precision precision, Device device, double flops) throws IOException {
    store(cacheFile(), precision, device, flops);
  }

  static void store(Path file, MlmProgram.Precision precision, Device device, double flops) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    if (Files.isRegularFile(file)) {
      try {
        JsonNode old = json.readTree(file.toFile());
        if (old instanceof ObjectNode o && machineKey(device).equals(o.path("machine").asText())) {
          root = o;
        }
      } catch (IOException e) {
        // unreadable: replaced below
      }
    }
    root.put("machine", machineKey(device));
    root.put(precision.name().toLowerCase(Locale.ROOT), flops);
    root.put("measured_at", Instant.now().toString());
    Files.createDirectories(file.getParent());
    AtomicFiles.writeString(file, json.writerWithDefaultPrettyPrinter().writeValueAsString(root));
  }

  /** The stored peak for this machine and precision, or NaN. */
  static double cached(Path file, MlmProgram.Precision precision, Device device) {
    if (!Files.isRegularFile(file)) {
      return Double.NaN;
    }
    try {
      JsonNode root = new ObjectMapper().readTree(file.toFile());
      if (!machineKey(device).equals(root.path("machine").asText())) {
        return Double.NaN;
      }
      return root.path(precision.name().toLowerCase(Locale.ROOT)).asDouble(Double.NaN);
    } catch (IOException e) {
      return Double.NaN; // a damaged cache is only a cache: measure instead
    }
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return System.getProperty("os.arch");
  }
}
