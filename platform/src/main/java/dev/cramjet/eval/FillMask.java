package dev.cramjet.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.cramjet.model.CrammedBert;
import dev.cramjet.text.SpecialTokens;
import dev.cramjet.text.TextEncoder;
import dev.cramjet.util.BadInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Fill-mask: the model's most probable tokens for each literal {@code [MASK]} in a text. The text between masks is
 * tokenized as usual and the pieces are joined around [MASK] ids, inside {@code [CLS] ... [SEP]}. Each mask is
 * predicted independently (one forward pass for all of them), as BERT's fill-mask pipeline does; it does not fill
 * masks one after another. Call it on the DJL thread that owns the model.
 */
public final class FillMask {
  private FillMask() {}

  /** One candidate token and its probability. */
  public record Candidate(String token, int id, double probability) {}

  /** The candidates for the mask at {@code position} (index in the model input, [CLS] being 0). */
  public record Prediction(int position, List<Candidate> candidates) {}

  /**
   * @param tokenOf the vocabulary's token for an id (for display)
   * @param maxLen the longest input the model takes
   */
  public static List<Prediction> predict(CrammedBert model, TextEncoder tokenizer, IntFunction<String> tokenOf,
      String text, int topK, int maxLen) {
    if (topK < 1) {
      throw new BadInputException("--top-k must be >= 1, got " + topK);
    }
    int[] ids = inputIds(tokenizer, text);
    if (ids.length > maxLen) {
      throw new BadInputException("the text is " + ids.length + " tokens with [CLS] and [SEP]; the model takes at most "
          + maxLen);
    }
    List<Integer> masks = new ArrayList<>();
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] == SpecialTokens.MASK_ID) {
        masks.add(i);
      }
    }
    long[] positions = masks.stream().mapToLong(Integer::longValue).toArray();
    List<Prediction> out = new ArrayList<>();
    try (NDManager scope = model.params().manager().newSubManager()) {
      long[] longIds = new long[ids.length];
      for (int i = 0; i < ids.length; i++) {
        longIds[i] = ids[i];
      }
      NDArray states = model.encode(scope.create(longIds, new Shape(1, ids.length)), null, model.evalContext(scope))
          .reshape(ids.length, model.arch().hidden()); // (T, H)
      NDArray atMasks = states.get(new NDIndex("{}", scope.create(positions))); // (M, H)
      NDArray probs = model.mlmLogits(atMasks).softmax(-1).toType(DataType.FLOAT32, false); // (M, V)
      // The model's vocabulary may be larger than the tokenizer's (padded); ids the tokenizer lacks are never shown.
      int limit = (int) Math.min(tokenizer.vocabSize(), probs.getShape().get(1));
      int k = Math.min(topK, limit);
      for (int m = 0; m < positions.length; m++) {
        float[] p = probs.get(m).toFloatArray();
        List<Candidate> cands = new ArrayList<>();
        for (int id : topIndices(p, limit, k)) {
          cands.add(new Candidate(tokenOf.apply(id), id, p[id]));
        }
        out.add(new Prediction((int) positions[m], cands));
      }
    }
    return out;
  }

  /** {@code [CLS] text [SEP]} with every literal "[MASK]" turned into the mask id. */
  static int[] inputIds(TextEncoder tokenizer, String text) {
    String[] parts = text.split("\\[MASK\\]", -1);
    if (parts.length < 2) {
      throw new BadInputException("the text has no [MASK] to fill: \"" + text + "\"");
    }
    List<Integer> ids = new ArrayList<>();
    ids.add(SpecialTokens.CLS_ID);
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        ids.add(SpecialTokens.MASK_ID);
      }
      for (int id : tokenizer.encode(parts[i])) {
        ids.add(id);
      }
    }
    ids.add(SpecialTokens.SEP_ID);
    return ids.stream().mapToInt(Integer::intValue).toArray();
  }

  private static int[] topIndices(float[] p, int limit, int k) {
    Integer[] idx = new Integer[limit];
    for (int i = 0; i < limit; i++) {
      idx[i] = i;
    }
    java.util.Arrays.sort(idx, (a, b) -> Float.compare(p[b], p[a]));
    int[] out = new int[k];
    for (int i = 0; i < k; i++) {
      out[i] = idx[i];
    }
    return out;
  }
}
