package dev.cramjet.export;

import dev.cramjet.checkpoint.CheckpointStore;
import dev.cramjet.checkpoint.SafeTensors;
import dev.cramjet.checkpoint.Snapshot;
import dev.cramjet.eval.TokenizerMatch;
import dev.cramjet.text.WordPieceTokenizer;
import dev.cramjet.util.AtomicFiles;
import dev.cramjet.util.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Writes an export folder from a checkpoint folder: {@code model.safetensors} (the model's parameters only, no
 * optimizer state; metadata {@code format = pt} as Hugging Face expects), {@code config.json} and a {@code README.md}
 * model card (both from {@link ModelDescription}), and the tokenizer's {@code vocab.txt} and {@code tokenizer.json}
 * copied byte for byte. The folder is built under a temporary name and
 * renamed into place, so a failed export leaves nothing behind; an existing folder is only replaced when asked.
 */
public final class Exporter {
  /** Tokenizer files copied into the export (tokenizer.json only when present). */
  public static final List<String> TOKENIZER_FILES = List.of("vocab.txt", "tokenizer.json");

  private Exporter() {}

  /** What was written. */
  public record Result(Path out, int tensors, long parameters, long bytes) {}

  /** As {@link #export(Path, Path, Path, boolean, boolean, Consumer)}, refusing a tokenizer that does not match. */
  public static Result export(Path checkpoint, Path tokenizerDir, Path out, boolean replace) throws IOException {
    return export(checkpoint, tokenizerDir, out, replace, false, w -> {});
  }

  /**
   * @param replace replace {@code out} when it exists
   * @param acceptMismatch export a tokenizer whose vocabulary hash (or size, when the checkpoint records no hash)
   *     differs from the checkpoint's, reporting it to {@code warn} and in config.json; otherwise that is refused
   */
  public static Result export(Path checkpoint, Path tokenizerDir, Path out, boolean replace, boolean acceptMismatch,
      Consumer<String> warn) throws IOException {
    Snapshot s = CheckpointStore.read(checkpoint); // verifies the checksums first
    if (Files.exists(out) && !replace) {
      throw new BadInputException("--out " + out + " exists; choose a new folder or pass --force");
    }
    if (!Files.isRegularFile(tokenizerDir.resolve("vocab.txt"))) {
      throw new BadInputException(tokenizerDir + ": no vocab.txt to export");
    }
    WordPieceTokenizer tokenizer = WordPieceTokenizer.load(tokenizerDir);
    TokenizerMatch.check(s.state(), checkpoint, tokenizer, tokenizerDir, acceptMismatch, warn);
    Path parent = out.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path tmp = AtomicFiles.tempDirIn(parent, ".export-"); // the umask's mode: an export is meant to be shared
    try {
      Map<String, String> meta = new LinkedHashMap<>();
      meta.put("format", "pt");
      meta.put("cramjet.step", Long.toString(s.state().step()));
      SafeTensors.write(tmp.resolve("model.safetensors"), s.params(), meta);
      Files.writeString(tmp.resolve("config.json"), ModelDescription.configJson(s.state(), tokenizer));
      Map<String, long[]> shapes = new LinkedHashMap<>();
      s.params().forEach((name, t) -> shapes.put(name, t.shape()));
      Files.writeString(tmp.resolve("README.md"), ModelDescription.modelCard(s.state(), shapes));
      for (String f : TOKENIZER_FILES) {
        if (Files.isRegularFile(tokenizerDir.resolve(f))) {
          AtomicFiles.copyContent(tokenizerDir.resolve(f), tmp.resolve(f)); // not the source's mode
        }
      }
      if (Files.exists(out)) {
        AtomicFiles.deleteTree(out);
      }
      Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      AtomicFiles.deleteTree(tmp);
      throw e;
    }
    long params = s.params().values().stream().mapToLong(t -> {
      long n = 1;
      for (long d : t.shape()) {
        n *= d;
      }
      return n;
    }).sum();
    return new Result(out, s.params().size(), params, Files.size(out.resolve("model.safetensors")));
  }
}
