package dev.cramjet.cli;

import ai.djl.ndarray.NDManager;
import dev.cramjet.budget.Budget;
import dev.cramjet.budget.LrSchedule;
import dev.cramjet.config.ConfigBinder;
import dev.cramjet.config.Presets;
import dev.cramjet.config.TrainConfig;
import dev.cramjet.data.SyntheticRows;
import dev.cramjet.model.ArchConfig;
import dev.cramjet.train.Flops;
import dev.cramjet.train.Hardware;
import dev.cramjet.train.MaskedBatch;
import dev.cramjet.train.MlmMasker;
import dev.cramjet.train.MlmTrainer;
import dev.cramjet.train.PeakFlops;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code cramjet bench train}: optimizer steps of one micro-batch each on synthetic rows (forward, backward, clipping,
 * AdamW: the same step {@code pretrain} runs), timed after a warm-up. Reports tokens/s and ms/step (mean and median),
 * model FLOP/s and MFU against the peak of {@link PeakFlops}, and what the figures depend on: precision, CPU vector
 * level, threads and whether the allocator is tuned.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Training throughput of an architecture on synthetic rows.")
public final class BenchTrainCommand implements Callable<Integer> {
  @Mixin Output io;

  @Option(names = "--arch", defaultValue = "tiny", description = "Architecture preset or .conf file (default: tiny).")
  String arch;

  @Option(names = "--micro-batch", defaultValue = "32", description = "Rows per step (default: 32).")
  int microBatch;

  @Option(names = "--steps", defaultValue = "20", description = "Timed steps (default: 20).")
  int steps;

  @Option(names = "--warmup", defaultValue = "5", description = "Untimed steps first (default: 5, as ref_bench.py).")
  int warmup;

  @Option(names = "--train", defaultValue = "bert-o4", description = "Training preset for optimizer settings.")
  String train;

  @Option(names = "--precision", defaultValue = "fp32",
      description = "fp32, bf16, fp16 or auto (default: fp32); bf16 needs native bf16 on a CPU.")
  String precision;

  @Option(names = "--peak-flops", description = "FLOP/s for MFU (default: the stored 'bench peak' result for this "
      + "machine, else a short measurement).")
  Double peakFlops;

  @Mixin BenchReport report;

  @Override
  public Integer call() throws Exception {
    if (microBatch < 1 || steps < 1 || warmup < 0) {
      throw new IllegalArgumentException("--micro-batch and --steps must be >= 1, --warmup >= 0");
    }
    ArchConfig a = ConfigBinder.bind(Presets.load("arch", arch), ArchConfig.class, "arch");
    TrainConfig base = ConfigBinder.bind(Presets.load("train", train), TrainConfig.class, "train");
    TrainConfig tc = new TrainConfig(base.name(), Budget.steps(1_000_000), microBatch, microBatch, 0, base.lr(),
        base.beta1(), base.beta2(), base.eps(), base.weightDecay(), base.clipNorm(), LrSchedule.Curve.CONSTANT, 0,
        base.maskRate(), base.seed(), BenchPeakCommand.precision(precision), Optional.empty(), 1, 1, base.maxBadSteps());
    SyntheticRows rows = SyntheticRows.standard(a.maxSeqLen(), a.vocabSize(), 0);
    MlmMasker masker = new MlmMasker(tc.maskRate(), a.maxSeqLen(), a.vocabSize(), 0);
    int seq = a.maxSeqLen();
    Progress progress = new Progress(io.err(), 5);
    try (NDManager m = NDManager.newBaseManager();
        MlmTrainer trainer = new MlmTrainer(a, tc, m)) {
      PeakFlops peak = PeakFlops.choose(peakFlops, trainer.precision(), m);
      long params = trainer.model().params().count();
      long[] nanos = new long[steps];
      double lastLoss = Double.NaN;
      int[] row = new int[seq];
      for (int s = 0; s < warmup + steps; s++) {
        int[] flat = new int[microBatch * seq];
        for (int r = 0; r < microBatch; r++) {
          rows.read((long) s * microBatch + r, row);
          System.arraycopy(row, 0, flat, r * seq, seq);
        }
        MaskedBatch batch = masker.mask(flat, microBatch, (long) s * microBatch);
        long start = System.nanoTime();
        lastLoss = trainer.step(List.of(batch), tc.lr()).loss(); // ends with the step's host read: the work is done
        if (s >= warmup) {
          nanos[s - warmup] = System.nanoTime() - start;
        }
        progress.update((s + 1.0) / (warmup + steps), (s < warmup ? "warm-up " : "step ") + (s + 1));
      }
      progress.done();
      double seconds = Arrays.stream(nanos).sum() / 1e9;
      long[] sorted = nanos.clone();
      Arrays.sort(sorted);
      double medianSeconds = sorted[steps / 2] / 1e9;
      double tokensPerStep = (double) microBatch * seq;
      double tokensPerSecond = steps * tokensPerStep / seconds;
      double flopsPerToken = Flops.trainingPerToken(a, tc.maskRate());
      double flopsPerSecond = tokensPerSecond * flopsPerToken;
      double mfu = peak.mfu(flopsPerSecond);
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("arch", a.name());
      out.put("params", params);
      out.put("micro_batch", microBatch);
      out.put("seq_len", seq);
      out.put("steps", steps);
      out.put("precision", trainer.precision().name().toLowerCase(Locale.ROOT));
      out.put("tokens_per_second", tokensPerSecond);
      out.put("ms_per_step", seconds * 1000 / steps);
      out.put("median_tokens_per_second", tokensPerStep / medianSeconds);
      out.put("median_ms_per_step", medianSeconds * 1000);
      out.put("model_flops_per_second", flopsPerSecond);
      out.put("peak_flops_per_second", peak.flops());
      out.put("peak_source", peak.raised() ? peak.source() + ", raised to the achieved rate" : peak.source());
      out.put("mfu", mfu);
      out.put("final_loss", lastLoss);
      out.put("threads", Integer.getInteger("ai.djl.pytorch.num_threads", Runtime.getRuntime().availableProcessors()));
      out.put("device", m.getDevice().toString());
      out.put("cpu", Hardware.cpuVectorLevel());
      out.put("allocator_tuned", Hardware.allocatorTuned());
      report.print(io, out);
      return 0;
    }
  }
}
