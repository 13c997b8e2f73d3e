package dev.cramjet.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;

/**
 * The BERT-style masked language model of the cramming paper, with every ablation switch of {@link ArchConfig}.
 * Parameters live in {@link #params()}; the forward pass is plain DJL arithmetic on them, so DJL's autograd
 * ({@code GradientCollector}) differentiates it. Not thread-safe: all work on one thread (DJL keeps per-thread state).
 */
public final class CrammedBert implements AutoCloseable {
  private final ArchConfig arch;
  private final Params params;
  private final Encoder encoder;
  private final MlmHead mlm;

  /** A freshly initialised model in float32. */
  public CrammedBert(ArchConfig arch, NDManager parent, long seed) {
    this(arch, parent, seed, DataType.FLOAT32);
  }

  /** A freshly initialised model in {@code dtype} (float64 for gradient checks). */
  public CrammedBert(ArchConfig arch, NDManager parent, long seed, DataType dtype) {
    this.arch = arch;
    this.params = new Params(parent.newSubManager(), dtype, seed);
    this.encoder = new Encoder(params, arch);
    this.mlm = new MlmHead(params, arch, encoder.embeddings.word);
  }

  public ArchConfig arch() {
    return arch;
  }

  public Params params() {
    return params;
  }

  /**
   * The constant (non-trained) tensors the forward pass reads, by name: {@code embedding.position.table}, the fixed
   * sinusoid (maxT, H), with scaled sinusoidal positions; empty otherwise. Checkpoints do not hold them: they are a
   * function of the architecture.
   */
  public java.util.Map<String, NDArray> buffers() {
    NDArray table = encoder.embeddings.fixedPositionTable();
    return table == null ? java.util.Map.of() : java.util.Map.of(POSITION_TABLE, table);
  }

  /** Name of the fixed sinusoid table in {@link #buffers()}. */
  public static final String POSITION_TABLE = "embedding.position.table";

  /** A forward context whose temporaries live in {@code scope}; dropout as the arch says for this phase. */
  public Fwd forwardContext(NDManager scope, boolean pretraining) {
    boolean on = pretraining ? arch.pretrainDropout() : true;
    return new Fwd(scope, on, (float) arch.dropout(), params.dtype());
  }

  /** An inference context: dropout off. */
  public Fwd evalContext(NDManager scope) {
    return new Fwd(scope, false, 0f, params.dtype());
  }

  /** Contextual states (B, T, H) for token ids (B, T); {@code attentionMask} is null or (B, T) with 1 for tokens. */
  public NDArray encode(NDArray ids, NDArray attentionMask, Fwd f) {
    NDArray maskBias = null;
    if (attentionMask != null) {
      // 0 where attended, -10000 where padded; built from a constant, so no gradient flows through it.
      maskBias = attentionMask.toType(params.dtype(), false).sub(1).mul(10000)
          .reshape(attentionMask.getShape().get(0), 1, 1, attentionMask.getShape().get(1));
    }
    return encoder.forward(ids, maskBias, f);
  }

  /** MLM logits (N, V) for states (N, H), as the MLM head decodes them (fill-mask and other inspection). */
  public NDArray mlmLogits(NDArray states) {
    return mlm.forward(states);
  }

  /**
   * Masked-LM loss on one batch.
   *
   * @param inputIds (B * T) row-major token ids after masking
   * @param maskedPositions (N) flat indices into B * T of the positions to predict; N is the same for every batch of
   *     a run (a fixed count per row), so shapes stay static
   * @param labels (N) the original ids at those positions
   */
  public MlmOutput mlmLoss(int rows, int seqLen, int[] inputIds, int[] maskedPositions, int[] labels, Fwd f) {
    NDManager s = f.scope();
    NDArray ids = s.create(toLong(inputIds), new Shape(rows, seqLen));
    NDArray positions = s.create(toLong(maskedPositions), new Shape(maskedPositions.length));
    NDArray target = s.create(toLong(labels), new Shape(labels.length, 1));

    NDArray h = encode(ids, null, f).reshape((long) rows * seqLen, arch.hidden()); // (B*T, H)
    NDArray logits;
    if (arch.sparsePrediction()) {
      logits = mlm.forward(gatherRows(h, positions)); // (N, V): only the masked rows are decoded
    } else {
      logits = gatherRows(mlm.forward(h), positions); // (N, V): decode everything, then keep the masked rows
    }
    NDArray logProbs = logits.logSoftmax(-1);
    NDArray loss = logProbs.gather(target, 1).mean().neg();
    NDArray correct = logits.argMax(-1).toType(DataType.INT64, false).eq(target.reshape(-1)).sum();
    return new MlmOutput(loss, correct, labels.length);
  }

  /** Rows of {@code table} (N0, D) at {@code index} (N) -> (N, D), differentiable with respect to the table. */
  static NDArray gatherRows(NDArray table, NDArray index) {
    return Embedding.embedding(index, table, SparseFormat.DENSE).singletonOrThrow();
  }

  /** Token ids as int64, the index type libtorch wants. */
  public static long[] toLong(int[] a) {
    long[] out = new long[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i];
    }
    return out;
  }

  @Override
  public void close() {
    params.close();
  }

  /** The loss (a scalar to differentiate), the count of correctly predicted masked tokens, and how many there were. */
  public record MlmOutput(NDArray loss, NDArray correct, int predicted) {}
}
