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
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cramjet export}: a checkpoint to model.safetensors, config.json, a model card, vocab.txt and tokenizer.json. */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = "Export a checkpoint: model.safetensors, config.json, a README.md model card, vocab.txt and "
        + "tokenizer.json.")
public final class ExportCommand implements Callable<Integer> {
  @Mixin Output io;

  @Mixin PretrainedOptions model;

  @Option(names = "--out", required = true, description = "export folder to create")
  Path out;

  @Option(names = "--force", description = "replace --out if it exists, and export a --tokenizer whose vocabulary "
      + "does not match the checkpoint's (with a warning; config.json records it)")
  boolean force;

  @Option(names = "--json", description = "print one JSON object")
  boolean json;

  @Override
  public Integer call() throws Exception {
    Path folder = CheckpointStore.resolve(model.checkpoint);
    Exporter.Result r = Exporter.export(folder,
        TokenizerLocator.locate(folder, model.tokenizer, CheckpointStore.readState(folder).vocabHash()), out, force,
        force, io.err()::println);
    if (json) {
      io.out().println(new ObjectMapper().writeValueAsString(Map.of("out", r.out().toAbsolutePath().toString(),
          "checkpoint", folder.toString(), "tensors", r.tensors(), "parameters", r.parameters(), "bytes", r.bytes())));
    } else {
      io.out().printf(Locale.ROOT, "exported %s to %s: %d tensors, %d parameters, %.1f MB%n", folder, r.out(),
          r.tensors(), r.parameters(), r.bytes() / 1e6);
    }
    return 0;
  }
}
