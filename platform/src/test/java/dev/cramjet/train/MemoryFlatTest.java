package dev.cramjet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.cramjet.config.RunConfig;
import dev.cramjet.data.SyntheticRows;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Neither open arrays nor resident memory grow with the number of steps. */
class MemoryFlatTest {
  @Test
  void arrayCountAndResidentMemoryStayFlatOver120Steps() throws IOException {
    RunConfig cfg = PretrainRunTest.config("1000steps", "");
    SyntheticRows rows = SyntheticRows.standard(16, 32, 1);
    MlmMasker masker = new MlmMasker(0.25, 16, 32, 1);
    try (NDManager m = NDManager.newBaseManager();
        MlmTrainer trainer = new MlmTrainer(cfg.arch(), cfg.train(), m)) {
      int arraysAfterWarmup = 0;
      long rssAfterWarmup = 0;
      for (int step = 1; step <= 120; step++) {
        int[] flat = new int[8 * 16];
        int[] row = new int[16];
        for (int r = 0; r < 8; r++) {
          rows.read((long) step * 8 + r, row);
          System.arraycopy(row, 0, flat, r * 16, 16);
        }
        trainer.step(List.of(masker.mask(flat, 8, (long) step * 8), masker.mask(flat, 8, step * 8L + 1)), 1e-3);
        if (step == 20) {
          arraysAfterWarmup = m.getManagedArrays().size();
          rssAfterWarmup = residentKb();
        }
      }
      assertTrue(arraysAfterWarmup > 0, "the count must see the model's arrays");
      assertEquals(arraysAfterWarmup, m.getManagedArrays().size(), "open arrays grew between step 20 and 120");
      long growthKb = residentKb() - rssAfterWarmup;
      assertTrue(growthKb < 40_000, "resident memory grew by " + growthKb + " KB over 100 steps");
    }
  }

  /** VmRSS of this process from /proc (Linux). */
  static long residentKb() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }
}
