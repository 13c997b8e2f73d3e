package dev.cramjet.sweep;

/**
 * What one cell produced. Losses are NaN where unknown (a failed cell).
 *
 * @param heldOutLoss MLM loss on the sweep's held-out rows, the score cells are ranked by (lower wins)
 * @param heldOutAccuracy share of held-out masked positions predicted exactly
 * @param trainLoss the last training loss logged
 * @param steps optimizer steps trained
 * @param tokens tokens trained
 * @param trainSeconds training time as the budget counts it
 * @param evalScore average task score of the optional fine-tuning evaluation, NaN when none
 * @param node where the cell ran ("local", or a cluster address)
 * @param error why the cell failed, null when it did not
 */
public record CellResult(String cell, double heldOutLoss, double heldOutAccuracy, double trainLoss, long steps,
    long tokens, double trainSeconds, double evalScore, String node, String error) {

  public boolean failed() {
    return error != null;
  }
}
