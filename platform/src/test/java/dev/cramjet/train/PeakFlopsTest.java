package dev.cramjet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.cramjet.jit.MlmProgram;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeakFlopsTest {
  @Test
  void mfuIsNeverAboveOneAndALowPeakIsRaised() {
    PeakFlops p = new PeakFlops(100e9, "measured at start");
    assertEquals(0.5, p.mfu(50e9), 1e-12);
    assertFalse(p.raised());
    // A busy machine measured the peak low: an achieved rate above it becomes the peak (the "1113.8%" of issue 10).
    assertEquals(1.0, p.mfu(1113.8e9), 1e-12);
    assertTrue(p.raised());
    assertEquals(1113.8e9, p.flops());
    assertEquals(0.5, p.mfu(556.9e9), 1e-12, "later windows are measured against the raised peak");
    assertTrue(Double.isNaN(PeakFlops.unknown().mfu(1e9)), "no peak, no MFU");
    assertTrue(Double.isNaN(p.mfu(Double.NaN)));
  }

  @Test
  void choosingAPeak() {
    try (NDManager m = NDManager.newBaseManager()) {
      assertTrue(Double.isNaN(PeakFlops.choose(Double.NaN, MlmProgram.Precision.FP32, m).flops()), "NaN: none");
      assertTrue(Double.isNaN(PeakFlops.choose(0.0, MlmProgram.Precision.FP32, m).flops()), "0: none");
      PeakFlops given = PeakFlops.choose(1.5e14, MlmProgram.Precision.BF16, m);
      assertEquals(1.5e14, given.flops());
      assertEquals("--peak-flops", given.source());
      assertThrows(IllegalArgumentException.class,
          () -> PeakFlops.forRun(Double.POSITIVE_INFINITY, MlmProgram.Precision.FP32, m));
    }
  }

  @Test
  void aStoredPeakIsUsedOnlyOnTheSameMachineAndPrecision(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("peak.json");
    assertTrue(Double.isNaN(PeakFlops.cached(file, MlmProgram.Precision.FP32, Device.cpu())), "nothing stored");
    PeakFlops.store(file, MlmProgram.Precision.FP32, Device.cpu(), 1.6e11);
    PeakFlops.store(file, MlmProgram.Precision.BF16, Device.cpu(), 3.2e11);
    assertEquals(1.6e11, PeakFlops.cached(file, MlmProgram.Precision.FP32, Device.cpu()));
    assertEquals(3.2e11, PeakFlops.cached(file, MlmProgram.Precision.BF16, Device.cpu()), "both precisions kept");
    assertTrue(Double.isNaN(PeakFlops.cached(file, MlmProgram.Precision.FP16, Device.cpu())));
    String other = Files.readString(file).replace(PeakFlops.machineKey(Device.cpu()), "another machine");
    Files.writeString(file, other);
    assertTrue(Double.isNaN(PeakFlops.cached(file, MlmProgram.Precision.FP32, Device.cpu())),
        "a peak from another machine is not used");
    Files.writeString(file, "{ not json");
    assertTrue(Double.isNaN(PeakFlops.cached(file, MlmProgram.Precision.FP32, Device.cpu())), "a damaged cache");
  }

  @Test
  void measuringGivesAPlausibleFp32Peak() {
    try (NDManager m = NDManager.newBaseManager()) {
      double flops = PeakFlops.measure(m, MlmProgram.Precision.FP32, 200);
      // Each core of any x86 machine this runs on does at least 1 GFLOP/s and no more than a few hundred in fp32;
      // a dropped matmul (the JIT eliminating dead products) would show as an impossible number.
      int cores = Runtime.getRuntime().availableProcessors();
      assertTrue(flops > 1e9 && flops < 400e9 * cores, "measured " + flops);
    }
  }
}
