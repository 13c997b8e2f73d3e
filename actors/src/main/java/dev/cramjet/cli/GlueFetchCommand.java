package dev.cramjet.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cramjet.eval.GlueFetcher;
import dev.cramjet.eval.GlueSources;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cramjet glue fetch}: downloads GLUE into the official folder layout that {@code glue --data} reads. See
 * {@link GlueFetcher} for how downloads resume, how archives are checked and how the manifest works.
 */
@Command(name = "fetch", mixinStandardHelpOptions = true,
    description = "Download GLUE tasks into the official layout (resumable, checked, with a SHA-256 manifest).")
public final class GlueFetchCommand implements Callable<Integer> {
  @Mixin Output io;

  /** Environment variable for a mirror of the official distribution. */
  static final String BASE_ENV = "CRAMJET_GLUE_URL";

  @Spec CommandSpec spec;

  @Option(names = "--out", required = true, description = "GLUE folder to fill (created when missing)")
  Path out;

  @Option(names = "--tasks", split = ",",
      description = "tasks: cola, sst2, mrpc, stsb, qqp, mnli, qnli, rte, wnli, ax (default: all but ax)")
  List<String> tasks = new ArrayList<>();

  @Option(names = "--base-url",
      description = "base address of the distribution or a mirror of it (default: $" + BASE_ENV + ", else "
          + GlueSources.DEFAULT_BASE + ")")
  String baseUrl;

  @Option(names = "--attempts", defaultValue = "5",
      description = "tries per file within this run before giving up; a later run resumes (default ${DEFAULT-VALUE})")
  int attempts;

  @Option(names = "--refresh", description = "accept files whose SHA-256 differs from an earlier fetch's record")
  boolean refresh;

  @Option(names = "--json", description = "print one JSON object with the outcome of each task on stdout")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (attempts < 1) {
      throw new dev.cramjet.util.BadInputException("--attempts must be >= 1, got " + attempts);
    }
    URI base;
    if (baseUrl != null) {
      base = GlueFetcher.parseBase(baseUrl, "--base-url");
    } else if (System.getenv(BASE_ENV) != null && !System.getenv(BASE_ENV).isBlank()) {
      base = GlueFetcher.parseBase(System.getenv(BASE_ENV), BASE_ENV);
    } else {
      base = URI.create(GlueSources.DEFAULT_BASE);
    }
    List<GlueSources.Task> chosen = GlueSources.select(tasks);
    PrintWriter err = io.err();
    Progress progress = new Progress(err, 5);
    GlueFetcher.Listener listener = new GlueFetcher.Listener() {
      @Override
      public void task(GlueSources.Task task) {
        progress.line(task.folder() + ": terms: " + task.terms() + ". Cite: " + task.citation()
            + "; and GLUE, Wang et al. (2019), ICLR.");
      }

      @Override
      public void progress(String source, long done, long total) {
        if (total > 0) {
          progress.update((double) done / total, source + " " + Progress.si(done) + "B of " + Progress.si(total) + "B");
        } else {
          progress.status(source + " " + Progress.si(done) + "B");
        }
      }

      @Override
      public void message(String text) {
        progress.line(text);
      }
    };
    List<GlueFetcher.Outcome> outcomes;
    try {
      outcomes = new GlueFetcher(base, out, listener, attempts, refresh).fetch(chosen);
    } catch (GlueFetcher.FetchException e) {
      progress.done();
      err.println("cramjet: glue fetch: " + e.getMessage());
      return Main.EXIT_FAILURE;
    }
    progress.done();
    if (json) {
      ObjectMapper m = new ObjectMapper();
      ObjectNode o = m.createObjectNode();
      o.put("out", out.toAbsolutePath().toString());
      o.put("base_url", base.toString());
      o.put("manifest", out.resolve(GlueFetcher.MANIFEST).toAbsolutePath().toString());
      ArrayNode arr = o.putArray("tasks");
      for (GlueFetcher.Outcome r : outcomes) {
        ObjectNode t = arr.addObject();
        t.put("task", r.task());
        t.put("action", r.action().name().toLowerCase(Locale.ROOT));
        t.put("downloaded_bytes", r.downloadedBytes());
        t.put("files", r.files());
      }
      io.out().println(m.writeValueAsString(o));
    } else {
      for (GlueFetcher.Outcome r : outcomes) {
        io.out().printf(Locale.ROOT, "%-10s %-8s %d files%s%n", r.task(), r.action().name().toLowerCase(Locale.ROOT),
            r.files(), r.downloadedBytes() > 0 ? ", " + Progress.si(r.downloadedBytes()) + "B downloaded" : "");
      }
      io.out().println("GLUE folder: " + out.toAbsolutePath() + " (manifest " + GlueFetcher.MANIFEST
          + "); next: bin/cramjet glue --checkpoint RUN --data " + out);
    }
    return 0;
  }
}
