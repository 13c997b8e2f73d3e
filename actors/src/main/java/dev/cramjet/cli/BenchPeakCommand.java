package dev.cramjet.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.cramjet.config.ConfigBinder;
import dev.cramjet.config.TrainConfig;
import dev.cramjet.jit.MlmProgram;
import dev.cramjet.train.Hardware;
import dev.cramjet.train.PeakFlops;
import dev.cramjet.util.BadInputException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code cramjet bench peak}: the dense matmul peak through the engine, in fp32 and in each low precision the device
 * has natively (bf16 on a CPU with AVX512_BF16 or AMX, or on a CUDA GPU of compute capability 8.0+; fp16 on a GPU).
 * Each is the best of many short bursts over {@code --seconds}. The results are stored for this machine, so that
 * {@code pretrain}, the daemon and {@code bench train} measure MFU against a calm peak instead of measuring at start.
 */
@Command(name = "peak", mixinStandardHelpOptions = true,
    description = "Dense matmul peak (FLOP/s) through the engine: fp32, and bf16/fp16 where the hardware has them.")
public final class BenchPeakCommand implements Callable<Integer> {
  @Mixin Output io;

  @Option(names = "--seconds", defaultValue = "3", description = "Measuring time per precision (default: 3).")
  double seconds;

  @Option(names = "--no-store", description = "Do not store the result for later runs.")
  boolean noStore;

  @Mixin BenchReport report;

  @Override
  public Integer call() throws Exception {
    if (!(seconds > 0) || seconds > 600) {
      throw new BadInputException("--seconds must be in (0, 600], got " + seconds);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    try (NDManager m = NDManager.newBaseManager()) {
      Device device = m.getDevice();
      out.put("device", device.toString());
      out.put("cpu", Hardware.cpuVectorLevel());
      out.put("threads", Integer.getInteger("ai.djl.pytorch.num_threads", Runtime.getRuntime().availableProcessors()));
      for (MlmProgram.Precision p : MlmProgram.Precision.values()) {
        String key = p.name().toLowerCase(Locale.ROOT) + "_flops_per_second";
        String why = unavailable(p, device);
        if (why != null) {
          out.put(key, null);
          out.put(p.name().toLowerCase(Locale.ROOT) + "_note", why);
          continue;
        }
        io.err().printf(Locale.ROOT, "measuring %s matmul peak for %.0f s ...%n", p.name().toLowerCase(Locale.ROOT),
            seconds);
        double flops = PeakFlops.measure(m, p, (long) (seconds * 1000));
        out.put(key, flops);
        if (!noStore) {
          PeakFlops.store(p, device, flops);
        }
      }
      out.put("stored", noStore ? null : PeakFlops.cacheFile().toString());
    }
    report.print(io, out);
    return 0;
  }

  /** Why {@code p} is not measured on {@code device}, or null when it is native there. */
  private static String unavailable(MlmProgram.Precision p, Device device) {
    if (p == MlmProgram.Precision.FP32) {
      return null;
    }
    TrainConfig.Precision asked = p == MlmProgram.Precision.BF16 ? TrainConfig.Precision.BF16 : TrainConfig.Precision.FP16;
    if (Boolean.getBoolean(Hardware.ALLOW_EMULATED)) {
      return null;
    }
    try {
      Hardware.resolve(asked, device);
      return null;
    } catch (BadInputException e) {
      return e.getMessage();
    }
  }

  /** Parses a --precision flag (fp32, bf16, fp16, auto) with the config's own enum binding and message. */
  static TrainConfig.Precision precision(String value) {
    return (TrainConfig.Precision) ConfigBinder.enumValue(TrainConfig.Precision.class, value, "--precision");
  }
}
