package dev.cramjet.eval;

import ai.djl.ndarray.NDManager;
import dev.cramjet.checkpoint.CheckpointStore;
import dev.cramjet.checkpoint.SafeTensors.Tensor;
import dev.cramjet.checkpoint.Snapshot;
import dev.cramjet.checkpoint.Tensors;
import dev.cramjet.model.ArchConfig;
import dev.cramjet.model.CrammedBert;
import dev.cramjet.text.WordPieceTokenizer;
import dev.cramjet.util.BadInputException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A pretrained checkpoint as evaluation needs it: the folder, its architecture, its parameters (host copies) and the
 * tokenizer it was trained with. Loading verifies the checkpoint's checksums and that the tokenizer fits the model.
 *
 * @param folder the checkpoint folder actually read (a run folder resolves to its newest checkpoint)
 */
public record Pretrained(Path folder, Snapshot snapshot, WordPieceTokenizer tokenizer, Path tokenizerDir) {

  /** As {@link #load(Path, Path, boolean, Consumer)}, refusing a tokenizer that does not match the checkpoint. */
  public static Pretrained load(Path given, Path tokenizerDir) throws IOException {
    return load(given, tokenizerDir, false, w -> {});
  }

  /**
   * @param given a checkpoint folder, or a run / checkpoints folder (its newest checkpoint)
   * @param tokenizerDir the tokenizer folder, or null to look beside the checkpoint ({@link TokenizerLocator})
   * @param force accept a tokenizer whose vocabulary hash (or size) differs from the checkpoint's, with a warning;
   *     one with more tokens than the model's vocabulary is refused even so (its ids would not fit)
   * @param warn where a forced mismatch is reported
   */
  public static Pretrained load(Path given, Path tokenizerDir, boolean force, Consumer<String> warn)
      throws IOException {
    Path folder = CheckpointStore.resolve(given);
    Snapshot s = CheckpointStore.read(folder);
    Path tokDir = TokenizerLocator.locate(folder, tokenizerDir, s.state().vocabHash());
    WordPieceTokenizer tok = WordPieceTokenizer.load(tokDir);
    TokenizerMatch.check(s.state(), folder, tok, tokDir, force, warn);
    if (tok.vocabSize() > s.state().arch().vocabSize()) {
      throw new BadInputException(tokDir + ": the tokenizer has " + tok.vocabSize() + " tokens but the model in "
          + folder + " has a vocabulary of " + s.state().arch().vocabSize() + "; pass the run's tokenizer with --tokenizer");
    }
    return new Pretrained(folder, s, tok, tokDir);
  }

  public ArchConfig arch() {
    return snapshot.state().arch();
  }

  public Map<String, Tensor> params() {
    return snapshot.params();
  }

  /** A model holding these weights, owned by {@code manager}'s sub-manager; the caller closes it. */
  public CrammedBert model(NDManager manager) {
    CrammedBert m = new CrammedBert(arch(), manager, snapshot.state().seed());
    Tensors.copyInto(m.params().all(), params(), folder.toString());
    return m;
  }
}
