package dev.cramjet.sweep;

import dev.cramjet.util.BadInputException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a sweep trains: a run config, overrides common to every cell, one budget, and a grid of axes. The cells are
 * the cartesian product of the axes (the first axis varies slowest), each repeated for seeds {@code 1..seeds}; every
 * cell is a normal run with the axis values and {@code train.seed} applied as {@code --set} overrides.
 *
 * @param config the run config (a file or a preset under configs/run)
 * @param sets overrides for every cell ({@code key=value})
 * @param budget the budget of every cell (time, steps or tokens, as {@code train.budget})
 * @param axes the grid
 * @param seeds seeds per grid point
 * @param evalRows held-out rows every cell is scored on (the last rows of the data, never trained on)
 * @param eval a task folder (GLUE layout or the offline suite) to fine-tune each cell on, or null
 */
public record SweepSpec(String config, List<String> sets, String budget, List<Axis> axes, int seeds, int evalRows,
    String eval) {

  /**
   * One grid axis: a config key and the values it takes. A linked axis names several keys joined by {@code +} and
   * takes values joined the same way ({@code arch.hidden+arch.intermediate=128+512,256+1024}): its keys move
   * together, so a grid can hold settings that belong together, or a list of hand-picked points.
   */
  public record Axis(String key, List<String> values) {
    /** The config keys this axis sets (one, or the linked ones in order). */
    public List<String> keys() {
      return List.of(key.split("\\+"));
    }

    /** The value of each of {@link #keys()} for one of {@link #values()}. */
    List<String> split(String value) {
      return keys().size() == 1 ? List.of(value) : List.of(value.split("\\+", -1));
    }
  }

  /** Every config key the grid sets, linked ones one by one, in grid order: the columns of the sweep's table. */
  public List<String> keys() {
    return axes.stream().flatMap(a -> a.keys().stream()).toList();
  }

  private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)+");

  public SweepSpec {
    sets = List.copyOf(sets);
    axes = List.copyOf(axes);
    if (axes.isEmpty()) {
      throw new BadInputException("--grid: a sweep needs at least one axis, e.g. --grid train.lr=5e-4,1e-3");
    }
    if (seeds < 1) {
      throw new BadInputException("--seeds must be >= 1, got " + seeds);
    }
    if (evalRows < 1) {
      throw new BadInputException("--eval-rows must be >= 1 (cells are scored on held-out rows), got " + evalRows);
    }
    List<String> keys = new ArrayList<>();
    for (Axis a : axes) {
      for (String k : a.keys()) {
        if (keys.contains(k)) {
          throw new BadInputException("--grid " + k + " is given twice; put all its values in one --grid");
        }
        keys.add(k);
      }
    }
  }

  /**
   * Parses {@code key=v1,v2,...}. Keys are dotted config keys ({@code arch.hidden}); {@code train.seed} and {@code
   * train.budget} are not grid keys (use {@code --seeds} and {@code --budget}).
   */
  public static Axis parseAxis(String text) {
    int eq = text.indexOf('=');
    if (eq <= 0 || eq == text.length() - 1) {
      throw new BadInputException("--grid expects key=value1,value2,..., got '" + text + "'");
    }
    String key = text.substring(0, eq).trim();
    String[] keys = key.split("\\+", -1);
    for (String k : keys) {
      if (!KEY.matcher(k).matches()) {
        throw new BadInputException("--grid " + text + ": '" + k + "' is not a config key (section.key, e.g."
            + " arch.hidden or train.lr; link keys with '+')");
      }
      if (k.equals("train.seed") || k.equals("train.budget")) {
        throw new BadInputException("--grid " + k + ": use --" + (k.equals("train.seed") ? "seeds N" : "budget")
            + " instead; every cell has the same budget and seeds 1..N");
      }
    }
    List<String> values = new ArrayList<>();
    for (String v : text.substring(eq + 1).split(",", -1)) {
      String t = v.trim();
      if (t.isEmpty()) {
        throw new BadInputException("--grid " + text + ": an empty value");
      }
      if (keys.length > 1 && (t.split("\\+", -1).length != keys.length
          || java.util.Arrays.stream(t.split("\\+", -1)).anyMatch(String::isBlank))) {
        throw new BadInputException("--grid " + text + ": value '" + t + "' must give " + keys.length
            + " values joined by '+', one for each of " + key);
      }
      if (values.contains(t)) {
        throw new BadInputException("--grid " + text + ": value '" + t + "' is given twice");
      }
      values.add(t);
    }
    return new Axis(key, values);
  }

  /** The cells in order: grid points (first axis slowest), each for seeds 1..N. */
  public List<SweepCell> cells() {
    List<Map<String, String>> points = new ArrayList<>();
    points.add(new LinkedHashMap<>());
    for (Axis a : axes) {
      List<Map<String, String>> next = new ArrayList<>();
      for (Map<String, String> p : points) {
        for (String v : a.values()) {
          Map<String, String> q = new LinkedHashMap<>(p);
          List<String> parts = a.split(v);
          for (int i = 0; i < parts.size(); i++) {
            q.put(a.keys().get(i), parts.get(i).trim());
          }
          next.add(q);
        }
      }
      points = next;
    }
    List<SweepCell> cells = new ArrayList<>();
    int width = String.valueOf(points.size() * seeds).length();
    for (Map<String, String> p : points) {
      for (int s = 1; s <= seeds; s++) {
        int index = cells.size();
        cells.add(new SweepCell(String.format("cell-%0" + Math.max(2, width) + "d", index + 1), index, p, s));
      }
    }
    return cells;
  }

  /** The {@code key=value} overrides of one cell, after the common ones: its grid values, seed and the budget. */
  public List<String> overrides(SweepCell cell) {
    List<String> all = new ArrayList<>(sets);
    for (String k : keys()) {
      all.add(k + "=" + cell.values().get(k));
    }
    all.add("train.seed=" + cell.seed());
    all.add("train.budget=\"" + budget + "\"");
    all.add("daemon.eval-rows=" + evalRows);
    return all;
  }
}
