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
    String createdAt,
    java.util.Map<String, String> files) {

  public static final int FORMAT_VERSION = 1;

  /** The same state with the file checksums filled in. */
  public CheckpointState withFiles(java.util.Map<String, String> f) {
    return new CheckpointState(formatVersion, arch, step, tokens, rowsConsumed, budgetElapsedNanos, seed, lastLoss,
        configHash, config, gitCommit, vocabHash, createdAt, f);
  }
}
