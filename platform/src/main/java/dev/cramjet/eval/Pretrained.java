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

/**
 * A pretrained checkpoint as evaluation needs it: the folder, its architecture, its parameters (host copies) and the
 * tokenizer it was trained with. Loading verifies the checkpoint's checksums and that the tokenizer fits the model.
 *
 * @param folder the checkpoint folder actually read (a run folder resolves to its newest checkpoint)
 */
public record Pretrained(Path folder, Snapshot snapshot, WordPieceTokenizer tokenizer, Path tokenizerDir) {

  /**
   * @param given a checkpoint folder, or a run / checkpoints folder (its newest checkpoint)
   * @param tokenizerDir the tokenizer folder, or null to look beside the checkpoint ({@link TokenizerLocator})
   */
  public static Pretrained load(Path given, Path tokenizerDir) throws IOException {
    Path folder = CheckpointStore.resolve(given);
    Snapshot s = CheckpointStore.read(folder);
    Path tokDir = TokenizerLocator.locate(folder, tokenizerDir, s.state().vocabHash());
    WordPieceTokenizer tok = WordPieceTokenizer.load(tokDir);
    if (tok.vocabSize() > s.state().arch().vocabSize()) {
      throw new BadInputException(tokDir + ": the tokenizer has " + tok.vocabSize() + " tokens but the model in "
          + folder + " has a vocabulary of " + s.state().arch().vocabSize() + "; pass the run's tokenizer with --tokenizer");
    }
    return new Pretrained(folder, s, tok, tokDir);
  }

  /**
   * A warning when the checkpoint records a vocabulary hash that differs from this tokenizer's, else null. Only a
   * warning: a checkpoint may record "none" (synthetic data) or a hash of another kind.
   */
  public String vocabWarning() {
    String hash = snapshot.state().vocabHash();
    if (hash == null || hash.isEmpty() || hash.equals("none") || hash.equals(tokenizer.vocabHash())) {
      return null;
    }
    return "the checkpoint records vocabulary hash " + hash + " but " + tokenizerDir + " has " + tokenizer.vocabHash()
        + "; is it the run's tokenizer?";
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
