package dev.cramjet.sweep;

import java.util.Map;
import java.util.stream.Collectors;

/**
 * One cell of a sweep: its folder name ({@code cell-07}), its position, its grid values and its seed.
 *
 * @param id the cell's run folder name under the sweep folder's {@code cells/}
 */
public record SweepCell(String id, int index, Map<String, String> values, int seed) {
  public SweepCell {
    values = Map.copyOf(values);
  }

  /** "arch.hidden=128 train.lr=1e-3 seed=1", in the grid's key order when given one. */
  public String label(java.util.List<String> keyOrder) {
    return keyOrder.stream().filter(values::containsKey).map(k -> k + "=" + values.get(k))
        .collect(Collectors.joining(" ")) + " seed=" + seed;
  }
}
