package dev.cramjet.actors.control;

import com.typesafe.config.Config;
import dev.cramjet.actors.runtime.EvalSettings;
import dev.cramjet.actors.runtime.Evaluator;
import dev.cramjet.actors.runtime.RunObserver;
import dev.cramjet.actors.runtime.RunRows;
import dev.cramjet.actors.runtime.RunSupervisor;
import dev.cramjet.config.RunConfig;
import dev.cramjet.eval.TaskSpec;
import dev.cramjet.metrics.CramjetMetrics;
import dev.cramjet.train.StepListener;
import dev.cramjet.metrics.MetricsText;
import dev.cramjet.metrics.ScrapeCache;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * Starts the platform in this process: the run's rows (with the held-out split), the metrics registry, the actors and
 * the control API with {@code /metrics}. {@code daemon} and {@code demo} both start it this way.
 */
public final class PlatformLauncher {
  private PlatformLauncher() {}

  /** A started platform and what it was started with. */
  public record Launched(Daemon daemon, RunRows rows, RunConfig config, CramjetMetrics metrics) {
    public Path runDir() {
      return config.outDir();
    }

    /**
     * What {@code POST /evaluate} does in this run: "held-out MLM on 256 rows, then fine-tunes SST-2, CoLA (offline
     * stand-in suite, protocol crammed, 5 epochs); reports in runs/x/evaluations/".
     */
    public String evaluationNote() {
      Evaluator.Tasks t = EvalSettings.resolve(config, runDir(), rows.vocabHash());
      String mlm = rows.heldOut() == null ? "no held-out MLM" : "held-out MLM on " + rows.heldOut().rows() + " rows";
      if (t == null) {
        return mlm + "; no fine-tuning tasks (set " + EvalSettings.PATH + ".data to add them)";
      }
      return mlm + ", then fine-tunes " + String.join(", ", t.specs().stream().map(TaskSpec::name).toList()) + " ("
          + t.title() + ", protocol " + t.protocol().name() + ", " + t.protocol().epochs() + " epochs, "
          + t.seeds().size() + " seed" + (t.seeds().size() == 1 ? "" : "s") + "); reports in " + t.outDir() + "/";
    }

    /** "training rows 0..N, held out for evaluation N+1..M". */
    public String rowRanges() {
      return "training rows 0.." + (rows.firstHeldOut() - 1) + (rows.heldOut() == null ? ""
          : ", held out for evaluation " + rows.firstHeldOut() + ".." + (rows.firstHeldOut() + rows.heldOut().rows() - 1));
    }
  }

  /**
   * @param asked the run config as loaded (the data may adjust its vocabulary)
   * @param token the bearer token, or null to generate one into the run folder
   * @param resumeFrom a checkpoint folder, or null
   * @param peakFlops FLOP/s that MFU is measured against; null: the stored {@code bench peak} result, or measured
   *     when training starts
   * @param steps told the start, every step and each checkpoint besides the metrics (a CLI's progress), or
   *     {@link StepListener#NONE}
   */
  public static Launched launch(RunConfig asked, String host, int port, String token, Path resumeFrom, int prefetch,
      Double peakFlops, StepListener steps, Config pekko) throws Exception {
    RunRows rows = RunRows.open(asked);
    RunConfig cfg = rows.config();
    CramjetMetrics metrics = new CramjetMetrics();
    RunSupervisor.Tuning tuning = RunSupervisor.Tuning.defaults().withPrefetch(prefetch)
        .withEvalRows(rows.heldOut() == null ? 0 : (int) rows.heldOut().rows());
    RunSupervisor.Spec spec = new RunSupervisor.Spec(cfg, rows.train(), rows.heldOut(), cfg.outDir(), resumeFrom,
        rows.vocabHash(), tuning, RunObserver.of(metrics), StepListener.all(metrics, steps), peakFlops);
    Daemon daemon = Daemon.start(spec, host, port, token, api -> addMetrics(api, metrics), pekko);
    return new Launched(daemon, rows, cfg, metrics);
  }

  /** {@code GET /metrics}, rendered at most four times a second however fast it is scraped (see ScrapeCache). */
  private static void addMetrics(ControlApi api, CramjetMetrics metrics) {
    var type = ContentTypes.parse(MetricsText.CONTENT_TYPE);
    ScrapeCache cache = new ScrapeCache(metrics.registry(), ScrapeCache.DEFAULT_MAX_AGE);
    api.addGet("/metrics", true, request -> CompletableFuture.completedFuture(
        HttpResponse.create().withEntity(type, cache.text())));
  }
}
