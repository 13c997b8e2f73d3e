package dev.cramjet.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cramjet.checkpoint.CheckpointStore;
import dev.cramjet.eval.TokenizerLocator;
import dev.cramjet.export.Exporter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cramjet export}: a checkpoint to model.safetensors, config.json, a model card, vocab.txt and tokenizer.json. */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = "Export a checkpoint: model.safetensors, config.json, a README.md model card, vocab.txt and "
        + "tokenizer.json.")
public final class ExportCommand implements Callable<Integer> {
  @Option(names = "--checkpoint", required = true,
      description = "checkpoint folder, or a run folder (newest checkpoint)")
  Path checkpoint;

  @Option(names = "--tokenizer", description = "tokenizer folder (default: found beside the checkpoint)")
  Path tokenizer;

  @Option(names = "--out", required = true, description = "export folder to create")
  Path out;

  @Option(names = "--force", description = "replace --out if it exists, and export a --tokenizer whose vocabulary "
      + "does not match the checkpoint's (with a warning; config.json records it)")
  boolean force;

  @Option(names = "--json", description = "print one JSON object")
  boolean json;

  @Override
  public Integer call() throws Exception {
    Path folder = CheckpointStore.resolve(checkpoint);
    Exporter.Result r = Exporter.export(folder,
        TokenizerLocator.locate(folder, tokenizer, CheckpointStore.readState(folder).vocabHash()), out, force, force,
        System.err::println);
    if (json) {
      System.out.println(new ObjectMapper().writeValueAsString(Map.of("out", r.out().toAbsolutePath().toString(),
          "checkpoint", folder.toString(), "tensors", r.tensors(), "parameters", r.parameters(), "bytes", r.bytes())));
    } else {
      System.out.printf(Locale.ROOT, "exported %s to %s: %d tensors, %d parameters, %.1f MB%n", folder, r.out(),
          r.tensors(), r.parameters(), r.bytes() / 1e6);
    }
    return 0;
  }
}
