package dev.cramjet.cli;

import dev.cramjet.eval.FinetuneConfig;
import dev.cramjet.eval.GlueReport;
import dev.cramjet.eval.GlueTasks;
import dev.cramjet.eval.Pretrained;
import dev.cramjet.eval.TaskRunner;
import dev.cramjet.eval.TaskSpec;
import dev.cramjet.util.AtomicFiles;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code cramjet glue}: fine-tunes a checkpoint on each task of a data folder (real GLUE in its official layout, or
 * the offline stand-in suite of {@code cramjet suite build}) and writes {@code report.json} and {@code report.md}.
 * Progress goes to stderr, one line per task and epoch.
 */
@Command(name = "glue", mixinStandardHelpOptions = true, subcommands = GlueFetchCommand.class,
    description = "Fine-tune and score a checkpoint on GLUE (or the offline stand-in suite);"
        + " writes report.json and report.md. `glue fetch` downloads GLUE.")
public final class GlueCommand implements Callable<Integer> {
  @Mixin Output io;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--checkpoint",
      description = "checkpoint folder, or a run folder (newest checkpoint)")
  Path checkpoint;

  @Option(names = "--data",
      description = "GLUE folder (CoLA/, SST-2/, ...) or a stand-in suite folder")
  Path data;

  @Option(names = "--tasks", split = ",", description = "tasks to run (default: all present, WNLI excepted)")
  List<String> tasks = new ArrayList<>();

  @Option(names = "--seeds", defaultValue = "1",
      description = "fine-tuning seeds 1..N; scores are medians (default ${DEFAULT-VALUE})")
  int seeds;

  @Option(names = "--protocol", defaultValue = "crammed",
      description = "preset under configs/eval or a .conf file (default ${DEFAULT-VALUE}; or bert-original)")
  String protocol;

  @Option(names = "--epochs", description = "override the protocol's epochs (quick checks only)")
  Integer epochs;

  @Option(names = "--tokenizer", description = "tokenizer folder (default: found beside the checkpoint)")
  Path tokenizer;

  @Option(names = "--out", description = "report folder (default: eval-glue/ or eval-suite/ in the checkpoint folder)")
  Path out;

  @Option(names = "--skip-bad-rows", description = "skip malformed TSV rows (counted in the report) instead of failing")
  boolean skipBad;

  @Option(names = "--no-pretraining",
      description = "same architecture with random weights: the no-pretraining baseline")
  boolean noPretraining;

  @Option(names = "--force", description = "use a --tokenizer whose vocabulary does not match the checkpoint's")
  boolean force;

  @Option(names = "--json", description = "print the report as one JSON object on stdout")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (checkpoint == null || data == null) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "Missing required option" + (checkpoint == null && data == null ? "s: '--checkpoint', '--data'"
              : checkpoint == null ? ": '--checkpoint'" : ": '--data'")
              + " (or use `glue fetch --out DIR` to download GLUE first)");
    }
    if (seeds < 1) {
      throw new dev.cramjet.util.BadInputException("--seeds must be >= 1, got " + seeds);
    }
    FinetuneConfig config = FinetuneConfig.preset(protocol);
    if (epochs != null) {
      config = config.withEpochs(epochs);
    }
    boolean suite = GlueTasks.isSuite(data);
    List<TaskSpec> specs = GlueTasks.discover(data, tasks);
    PrintWriter err = io.err();
    Pretrained p = Pretrained.load(checkpoint, tokenizer, force, err::println);
    String title = suite ? "Offline stand-in suite (not GLUE)" : "GLUE (dev sets)";
    String source = noPretraining ? "random init, architecture of " + p.folder() : p.folder().toString();
    List<Long> seedList = new ArrayList<>();
    for (long s = 1; s <= seeds; s++) {
      seedList.add(s);
    }
    long start = System.nanoTime();
    GlueReport report = TaskRunner.run(title, source, p.arch(), noPretraining ? null : p.params(), p.tokenizer(),
        config, specs, seedList, skipBad, new FineTuneProgress(new Progress(err, 5), ""));
    Path dir = out != null ? out : p.folder().resolve(suite ? "eval-suite" : "eval-glue");
    Files.createDirectories(dir);
    AtomicFiles.writeString(dir.resolve("report.json"), report.toJson() + "\n");
    AtomicFiles.writeString(dir.resolve("report.md"), report.toMarkdown());
    if (json) {
      io.out().println(new com.fasterxml.jackson.databind.ObjectMapper().readTree(report.toJson()).toString());
    } else {
      io.out().print(report.toMarkdown());
      io.out().printf(Locale.ROOT, "%nwrote %s and %s (%.0f s)%n", dir.resolve("report.json"),
          dir.resolve("report.md"), (System.nanoTime() - start) / 1e9);
    }
    return 0;
  }
}
