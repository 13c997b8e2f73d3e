package dev.cramjet.checkpoint;

import dev.cramjet.model.ArchConfig;

/**
 * Everything in a checkpoint besides tensors, written as {@code state.json}: where training stood, and where the
 * checkpoint came from.
 *
 * @param step optimizer steps taken
 * @param tokens tokens trained on (masked or not)
 * @param rowsConsumed the data cursor: rows read from the row source so far (the next row is this index, modulo the
 *     source size); masking is a function of (seed, row index), so this is all the RNG state a resume needs
 * @param budgetElapsedNanos training wall-clock spent, pauses excluded
 * @param vocabHash SHA-256 of the training tokenizer's vocab.txt; "none" for synthetic rows, "unknown" for shards
 *     without a manifest
 * @param vocabSize the vocabulary size of the data the model was trained on (token ids 0..vocabSize-1), recorded
 *     also when the hash is "none"; 0 in checkpoints written before it was recorded ({@link #vocabularySize()})
 * @param files SHA-256 of each tensor file in the folder, checked on load
 */
public record CheckpointState(
    int formatVersion,
    ArchConfig arch,
    long step,
    long tokens,
    long rowsConsumed,
    long budgetElapsedNanos,
    long seed,
    double lastLoss,
    String configHash,
    String config,
    String gitCommit,
    String vocabHash,
    int vocabSize,
    String createdAt,
    java.util.Map<String, String> files) {

  public static final int FORMAT_VERSION = 1;

  /** A state whose vocabulary size is the architecture's (as every run's is: the data sets arch.vocab-size). */
  public CheckpointState(int formatVersion, ArchConfig arch, long step, long tokens, long rowsConsumed,
      long budgetElapsedNanos, long seed, double lastLoss, String configHash, String config, String gitCommit,
      String vocabHash, String createdAt, java.util.Map<String, String> files) {
    this(formatVersion, arch, step, tokens, rowsConsumed, budgetElapsedNanos, seed, lastLoss, configHash, config,
        gitCommit, vocabHash, arch == null ? 0 : arch.vocabSize(), createdAt, files);
  }

  /** The same state with the file checksums filled in. */
  public CheckpointState withFiles(java.util.Map<String, String> f) {
    return new CheckpointState(formatVersion, arch, step, tokens, rowsConsumed, budgetElapsedNanos, seed, lastLoss,
        configHash, config, gitCommit, vocabHash, vocabSize, createdAt, f);
  }

  /** The recorded vocabulary size, or the model's when the checkpoint predates the field. */
  public int vocabularySize() {
    return vocabSize > 0 ? vocabSize : arch.vocabSize();
  }

  /** Whether {@link #vocabHash} is a real SHA-256 (not "none", "unknown" or missing). */
  public boolean vocabHashKnown() {
    return vocabHash != null && vocabHash.matches("[0-9a-f]{64}");
  }
}
