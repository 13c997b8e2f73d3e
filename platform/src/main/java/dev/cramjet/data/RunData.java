package dev.cramjet.data;

import com.typesafe.config.ConfigValueFactory;
import dev.cramjet.config.RunConfig;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The pretraining rows a run config names ({@code run.shards}): a prepared shard folder, or the built-in synthetic
 * stream. The vocabulary comes from the data: when the shards were made with a tokenizer whose size differs from the
 * architecture preset's {@code vocab-size}, the run adopts the tokenizer's size (and says so in {@link #note()}).
 *
 * @param config the run config, with {@code arch.vocab-size} matching the data
 * @param rows the row source
 * @param vocabHash the tokenizer's hash from the manifest, "none" for synthetic rows
 * @param note a line for the user when something was adjusted, else null
 */
public record RunData(RunConfig config, RowSource rows, String vocabHash, String note) {

  public static RunData open(RunConfig cfg) {
    if (cfg.resolved().hasPath(RawTextSettings.PATH)) {
      throw new dev.cramjet.util.BadInputException(dev.cramjet.config.ConfigBinder.where(
          cfg.resolved().getConfig("run"), "raw-text") + "run.raw-text is read by 'cramjet daemon' and 'cramjet worker' only; for this "
          + "command, prepare shards first ('cramjet data prepare') and set run.shards");
    }
    if (cfg.run().synthetic()) {
      return new RunData(cfg,
          SyntheticRows.standard(cfg.arch().maxSeqLen(), cfg.arch().vocabSize(), cfg.train().seed()), "none", null);
    }
    Path dir = Path.of(cfg.run().shards());
    ShardDataset shards = ShardDataset.open(dir);
    Manifest manifest = Files.isRegularFile(dir.resolve(Manifest.FILE_NAME)) ? Manifest.read(dir) : null;
    String hash = manifest == null ? "unknown" : manifest.tokenizerHash();
    if (shards.vocabSize() == cfg.arch().vocabSize()) {
      return new RunData(cfg, shards, hash, null);
    }
    RunConfig adjusted = new RunConfig(cfg.arch().withVocabSize(shards.vocabSize()), cfg.train(), cfg.run(),
        cfg.resolved().withValue("arch.vocab-size", ConfigValueFactory.fromAnyRef(shards.vocabSize())));
    return new RunData(adjusted, shards, hash, "vocabulary size " + shards.vocabSize() + " taken from " + dir
        + " (arch preset '" + cfg.arch().name() + "' said " + cfg.arch().vocabSize() + ")");
  }
}
