package dev.cramjet.train;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import dev.cramjet.config.TrainConfig;
import dev.cramjet.jit.MlmProgram;
import dev.cramjet.util.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the machine can compute fast, and the precision a run gets from it. On a CPU, bf16 is worth it only with native
 * bf16 instructions (AVX512_BF16 or AMX); elsewhere libtorch emulates it about five times slower than fp32, so asking
 * for it is an error rather than a silent slowdown. fp16 on a CPU is emulated everywhere this project runs. Tests (and
 * users who want to check numerics, not speed) may allow emulation with {@code -Dcramjet.precision.allow-emulated=true}.
 */
public final class Hardware {
  /** System property that lets bf16 and fp16 run emulated on a CPU (slow, but numerically what a GPU does). */
  public static final String ALLOW_EMULATED = "cramjet.precision.allow-emulated";

  private static final Set<String> FLAGS = readCpuFlags();

  private Hardware() {}

  /** Whether this CPU multiplies bf16 natively (AVX512_BF16 or AMX-BF16); false where that cannot be read. */
  public static boolean cpuHasNativeBf16() {
    return FLAGS.contains("avx512_bf16") || FLAGS.contains("amx_bf16");
  }

  /**
   * The CPU's vector instruction level in a few words, for every speed figure: "AVX2", "AVX-512", "AVX-512 +
   * AVX512_BF16", "AVX-512 + AMX", or "unknown".
   */
  public static String cpuVectorLevel() {
    if (FLAGS.isEmpty()) {
      return "unknown";
    }
    String base = FLAGS.contains("avx512f") ? "AVX-512" : FLAGS.contains("avx2") ? "AVX2" : "SSE";
    if (FLAGS.contains("amx_bf16")) {
      return base + " + AMX";
    }
    if (FLAGS.contains("avx512_bf16")) {
      return base + " + AVX512_BF16";
    }
    return base;
  }

  /**
   * The precision a run trains in on {@code device}: {@code auto} picks bf16 where the device has it natively (a CUDA
   * GPU of compute capability 8.0 or newer, or a CPU with AVX512_BF16 or AMX) and fp32 elsewhere.
   *
   * @throws BadInputException naming {@code train.precision} when the requested precision would be emulated on this
   *     device, with the reason and what to use instead
   */
  public static MlmProgram.Precision resolve(TrainConfig.Precision requested, Device device) {
    boolean gpu = device.isGpu();
    boolean nativeBf16 = gpu ? cudaBf16(device) : cpuHasNativeBf16();
    boolean allowEmulated = Boolean.getBoolean(ALLOW_EMULATED);
    return switch (requested) {
      case FP32 -> MlmProgram.Precision.FP32;
      // bf16 wherever it is native: on an AVX512_BF16 CPU a tiny step runs 2.7x faster than in fp32
      // (docs/performance.md, entry 10); emulated bf16 is slower than fp32, so elsewhere fp32.
      case AUTO -> nativeBf16 ? MlmProgram.Precision.BF16 : MlmProgram.Precision.FP32;
      case BF16 -> {
        if (!nativeBf16 && !allowEmulated) {
          throw new BadInputException(gpu
              ? "train.precision = bf16: " + device + " has no native bf16 (CUDA compute capability 8.0 or newer is"
                  + " needed); use fp16 (dynamic loss scaling) or fp32"
              : "train.precision = bf16: this CPU (" + cpuVectorLevel() + ") has no native bf16 instructions"
                  + " (AVX512_BF16 or AMX), so libtorch would emulate bf16 about 5x slower than fp32; use"
                  + " --precision fp32 here");
        }
        yield MlmProgram.Precision.BF16;
      }
      case FP16 -> {
        if (!gpu && !allowEmulated) {
          throw new BadInputException("train.precision = fp16 is for GPUs: on this CPU (" + cpuVectorLevel()
              + ") fp16 matrix products are emulated and slower than fp32; use --precision fp32"
              + (cpuHasNativeBf16() ? " or bf16 (this CPU has native bf16)" : ""));
        }
        yield MlmProgram.Precision.FP16;
      }
    };
  }

  /**
   * Whether glibc's allocator was told to keep freed memory ({@code MALLOC_MMAP_MAX_=0}, as {@code bin/cramjet} and
   * the Docker image set it, with one arena and no trimming). Without it every large temporary tensor comes from fresh pages, and the
   * page faults make element-wise work several times slower on a CPU (see docs/performance.md).
   */
  public static boolean allocatorTuned() {
    return "0".equals(System.getenv("MALLOC_MMAP_MAX_"));
  }

  private static boolean cudaBf16(Device device) {
    try {
      String cc = CudaUtils.getComputeCapability(device.getDeviceId());
      return cc != null && Integer.parseInt(cc.replaceAll("[^0-9]", "")) >= 80;
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  private static Set<String> readCpuFlags() {
    Set<String> flags = new TreeSet<>();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("flags")) {
          int colon = line.indexOf(':');
          for (String f : line.substring(colon + 1).trim().split("\\s+")) {
            flags.add(f.toLowerCase(Locale.ROOT));
          }
          break;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or no /proc: unknown, so no native bf16 is assumed
    }
    return flags;
  }
}
