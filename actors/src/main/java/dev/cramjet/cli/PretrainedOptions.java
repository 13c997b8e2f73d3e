package dev.cramjet.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --checkpoint} and {@code --tokenizer}: the pretrained model a command loads (export, predict). */
final class PretrainedOptions {
  @Option(names = "--checkpoint", required = true,
      description = "checkpoint folder, or a run folder (newest checkpoint)")
  Path checkpoint;

  @Option(names = "--tokenizer", description = "tokenizer folder (default: found beside the checkpoint)")
  Path tokenizer;
}
