package dev.cramjet.actors;

import com.typesafe.config.ConfigFactory;
import dev.cramjet.actors.runtime.RunSupervisor;
import dev.cramjet.checkpoint.CheckpointStore;
import dev.cramjet.checkpoint.SafeTensors;
import dev.cramjet.config.RunConfig;
import dev.cramjet.data.ForwardingRowSource;
import dev.cramjet.data.RowSource;
import dev.cramjet.data.SyntheticRows;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small runs for the runtime tests: a 2-layer model of width 32 on rows of 16 tokens (as PretrainRunTest uses). */
public final class TestRuns {
  private TestRuns() {}

  public static RunConfig config(String budget, String extra) {
    return RunConfig.fromConfig(ConfigFactory.parseString("""
        arch { preset = crammed-bert, name = test, vocab-size = 32, hidden = 32, layers = 2, heads = 2,
               intermediate = 64, max-seq-len = 16 }
        train { preset = cpu-short, budget = %s, micro-batch = 8, batch-size = 16, ramp-fraction = 0.5,
                checkpoint-every = 0, log-every = 1000, lr = 3e-3 }
        %s
        """.formatted(budget, extra)), List.of());
  }

  public static RowSource data() {
    return SyntheticRows.standard(16, 32, 3);
  }

  public static RunSupervisor.Spec spec(RunConfig cfg, RowSource data, Path runDir) {
    return new RunSupervisor.Spec(cfg, data, null, runDir, null, "none",
        RunSupervisor.Tuning.defaults().withEvalRows(32).withLoadTimeout(Duration.ofSeconds(2)));
  }

  /** The parameters of the newest checkpoint under {@code runDir}. */
  public static Map<String, float[]> checkpointParams(Path runDir) throws Exception {
    Path folder = CheckpointStore.resolve(runDir);
    Map<String, float[]> out = new LinkedHashMap<>();
    SafeTensors.read(folder.resolve(CheckpointStore.MODEL_FILE)).tensors().forEach((k, v) -> out.put(k, v.toFloats()));
    return out;
  }

  /** A row source that sleeps before every row: a deliberately slow disk. */
  public static RowSource slow(RowSource inner, long millisPerRow) {
    return new ForwardingRowSource(inner) {

      @Override
      public void read(long index, int[] dst) {
        try {
          Thread.sleep(millisPerRow);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        inner.read(index, dst);
      }
    };
  }
}
