package dev.cramjet.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cramjet.data.DataPreparer;
import dev.cramjet.data.DocumentCounts;
import dev.cramjet.data.Manifest;
import dev.cramjet.data.PrepareConfig;
import dev.cramjet.data.PrepareConfigFile;
import dev.cramjet.text.WordPieceTokenizer;
import dev.cramjet.util.BadInputException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cramjet data prepare}: raw text to filtered, packed, ordered shards plus manifest.json. */
@Command(
    name = "data",
    description = "Training data tools.",
    mixinStandardHelpOptions = true,
    subcommands = {DataCommand.Prepare.class})
public final class DataCommand extends CommandGroup {

  /** {@code data prepare --config FILE --out DIR}. */
  @Command(
      name = "prepare",
      description = "Tokenize, filter, deduplicate, pack and order a raw corpus into shards.",
      mixinStandardHelpOptions = true)
  static final class Prepare implements Callable<Integer> {
    @Mixin Output io;

    @Option(names = "--config", required = true, description = "HOCON file with a data { ... } block")
    Path config;

    @Option(names = "--out", required = true, description = "output folder (must not exist or be empty)")
    Path out;

    @Option(names = "--tokenizer", description = "tokenizer folder (vocab.txt); overrides data.tokenizer")
    Path tokenizer;

    @Option(names = "--threads", description = "tokenizer threads; overrides data.threads")
    Integer threads;

    @Option(names = "--json", description = "print one JSON object with the result")
    boolean json;

    @Override
    public Integer call() {
      PrepareConfigFile.Loaded loaded = PrepareConfigFile.load(config);
      PrepareConfig c = loaded.config();
      if (threads != null) {
        if (threads < 1) throw new BadInputException("--threads must be >= 1: " + threads);
        c = c.withThreads(threads);
      }
      Path tokDir = tokenizer != null ? tokenizer : loaded.tokenizer();
      if (tokDir == null) {
        throw new BadInputException(
            config + ": no tokenizer: set data.tokenizer or pass --tokenizer DIR (train one with `cramjet tokenizer"
                + " train`)");
      }
      WordPieceTokenizer tok = WordPieceTokenizer.load(tokDir);
      Progress bar = new Progress(io.err(), 5);
      long start = System.nanoTime();
      DataPreparer.Progress progress =
          (disk, diskTotal, raw, docs, rows) ->
              bar.update(
                  diskTotal == 0 ? 1.0 : (double) disk / diskTotal,
                  String.format(
                      Locale.ROOT,
                      "data prepare: %.1f of %.1f MB read, %.1f MB/s, %d documents, %d rows",
                      disk / 1e6,
                      diskTotal / 1e6,
                      disk / 1e6 / Math.max((System.nanoTime() - start) / 1e9, 1e-9),
                      docs,
                      rows));
      Manifest m = new DataPreparer(c, tok, tok.vocabHash()).prepare(loaded.baseDir(), out, progress);
      bar.done();
      double mbps = m.rawBytes() / 1e6 / Math.max(m.seconds(), 1e-9);
      DocumentCounts d = m.documents();
      if (json) {
        ObjectMapper om = new ObjectMapper();
        ObjectNode o = om.createObjectNode();
        o.put("out", out.toAbsolutePath().toString());
        ObjectNode docs = o.putObject("documents");
        docs.put("read", d.read());
        docs.put("kept", d.kept());
        docs.put("filtered", d.filtered());
        docs.put("duplicate", d.duplicate());
        docs.put("empty", d.empty());
        docs.put("unreadable", d.unreadable());
        o.put("skipped_files", m.skippedFiles().size());
        o.put("raw_bytes", m.rawBytes());
        o.put("invalid_utf8_replaced", m.invalidUtf8Replaced());
        o.put("control_bytes_stripped", m.controlBytesStripped());
        o.put("characters", m.characters());
        o.put("tokens", m.tokens());
        o.put("rows", m.rows());
        o.put("dropped_remainder_tokens", m.droppedRemainderTokens());
        o.put("shards", m.shards().size());
        o.put("seconds", m.seconds());
        o.put("mb_per_second", mbps);
        o.put("threads", c.threads());
        o.put("tokenizer_hash", m.tokenizerHash());
        o.put("config_hash", m.configHash());
        io.out().println(o.toString());
      } else {
        io.out().printf(
            Locale.ROOT,
            "prepared %s: %d rows of %d tokens in %d shards (%.1f MB of text in %.1f s, %.2f MB/s, %d threads)%n",
            out, m.rows(), m.seqLen(), m.shards().size(), m.rawBytes() / 1e6, m.seconds(), mbps, c.threads());
        io.out().printf(
            Locale.ROOT,
            "documents: %d read = %d kept + %d filtered + %d duplicate + %d empty + %d unreadable;"
                + " %d files skipped; %d control bytes stripped, %d invalid UTF-8 sequences replaced%n",
            d.read(), d.kept(), d.filtered(), d.duplicate(), d.empty(), d.unreadable(), m.skippedFiles().size(),
            m.controlBytesStripped(), m.invalidUtf8Replaced());
        io.out().printf(
            Locale.ROOT, "tokens: %d packed, %d dropped at the end; manifest: %s%n",
            m.tokens(), m.droppedRemainderTokens(), out.resolve(Manifest.FILE_NAME));
      }
      return 0;
    }
  }
}
