package dev.cramjet.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cramjet.util.AtomicFiles;
import dev.cramjet.util.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A sweep's progress, kept in {@code sweep.json} in the sweep folder and rewritten atomically on every change, so a
 * stopped sweep continues where it was: finished cells are kept, and a cell that was running resumes from its newest
 * checkpoint. Thread-safe: a coordinator updates it from several cells at once.
 */
public final class SweepState {
  /** The state file's name in the sweep folder. */
  public static final String FILE = "sweep.json";

  /** Where a cell stands. */
  public enum Status {
    QUEUED, RUNNING, DONE, FAILED
  }

  /** One cell's entry. */
  public record Entry(SweepCell cell, Status status, int attempts, String node, CellResult result) {}

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Path dir;
  private final SweepSpec spec;
  private final Map<String, Entry> entries = new LinkedHashMap<>();

  private SweepState(Path dir, SweepSpec spec) {
    this.dir = dir;
    this.spec = spec;
  }

  /**
   * Opens the sweep in {@code dir}: a new one when there is no state file, else the stored one, which must have been
   * started with the same spec (a different spec is an error naming what differs). {@code spec} null means "the
   * stored spec" ({@code sweep --resume}).
   */
  public static SweepState open(Path dir, SweepSpec spec) {
    Path file = dir.resolve(FILE);
    if (!Files.exists(file)) {
      if (spec == null) {
        throw new BadInputException(dir + ": no " + FILE + " to resume; start the sweep with --config, --budget and"
            + " --grid");
      }
      SweepState s = new SweepState(dir, spec);
      for (SweepCell c : spec.cells()) {
        s.entries.put(c.id(), new Entry(c, Status.QUEUED, 0, null, null));
      }
      s.save();
      return s;
    }
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new BadInputException(file + ": unreadable sweep state (" + e.getMessage() + ")");
    }
    SweepSpec stored = readSpec(root.path("spec"), file);
    if (spec != null && !spec.equals(stored)) {
      throw new BadInputException(file + ": this folder holds a sweep with other settings (stored: "
          + describe(stored) + "; given: " + describe(spec) + "). Use another --out, or --resume to continue the"
          + " stored one.");
    }
    SweepState s = new SweepState(dir, stored);
    Map<String, JsonNode> byId = new LinkedHashMap<>();
    for (JsonNode c : root.path("cells")) {
      byId.put(c.path("id").asText(), c);
    }
    for (SweepCell c : stored.cells()) {
      JsonNode n = byId.get(c.id());
      if (n == null) {
        s.entries.put(c.id(), new Entry(c, Status.QUEUED, 0, null, null));
        continue;
      }
      Status st;
      try {
        st = Status.valueOf(n.path("status").asText("QUEUED"));
      } catch (IllegalArgumentException e) {
        throw new BadInputException(file + ": cell " + c.id() + " has an unknown status '" + n.path("status").asText()
            + "'");
      }
      s.entries.put(c.id(), new Entry(c, st, n.path("attempts").asInt(0), text(n.path("node")),
          n.has("result") && !n.path("result").isNull() ? readResult(n.path("result"), c.id()) : null));
    }
    return s;
  }

  private static String describe(SweepSpec s) {
    return "config " + s.config() + ", budget " + s.budget() + ", grid " + s.axes().stream()
        .map(a -> a.key() + "=" + String.join(",", a.values())).toList() + ", seeds " + s.seeds() + ", sets "
        + s.sets() + ", eval-rows " + s.evalRows() + (s.eval() == null ? "" : ", eval " + s.eval());
  }

  public SweepSpec spec() {
    return spec;
  }

  public Path dir() {
    return dir;
  }

  /** A cell's run folder. */
  public Path cellDir(SweepCell cell) {
    return dir.resolve("cells").resolve(cell.id());
  }

  public synchronized List<Entry> entries() {
    return new ArrayList<>(entries.values());
  }

  public synchronized Entry entry(String id) {
    return entries.get(id);
  }

  /** Cells still to train, in order: those left running by a stopped sweep first (they resume), then the queue. */
  public synchronized List<SweepCell> pending() {
    List<SweepCell> out = new ArrayList<>();
    entries.values().stream().filter(e -> e.status() == Status.RUNNING).forEach(e -> out.add(e.cell()));
    entries.values().stream().filter(e -> e.status() == Status.QUEUED).forEach(e -> out.add(e.cell()));
    return out;
  }

  /** Puts failed cells back in the queue (for {@code --retry-failed}). */
  public synchronized int requeueFailed() {
    int n = 0;
    for (Map.Entry<String, Entry> e : entries.entrySet()) {
      if (e.getValue().status() == Status.FAILED) {
        e.setValue(new Entry(e.getValue().cell(), Status.QUEUED, e.getValue().attempts(), null, null));
        n++;
      }
    }
    save();
    return n;
  }

  public synchronized void started(SweepCell cell, String node) {
    Entry e = entries.get(cell.id());
    entries.put(cell.id(), new Entry(cell, Status.RUNNING, e.attempts() + 1, node, null));
    save();
  }

  /** A cell whose node went away: back to the queue, to resume from its newest checkpoint. */
  public synchronized void requeue(SweepCell cell) {
    Entry e = entries.get(cell.id());
    entries.put(cell.id(), new Entry(cell, Status.QUEUED, e.attempts(), e.node(), null));
    save();
  }

  public synchronized void finished(CellResult r) {
    Entry e = entries.get(r.cell());
    entries.put(r.cell(), new Entry(e.cell(), r.failed() ? Status.FAILED : Status.DONE, e.attempts(), r.node(), r));
    save();
  }

  public synchronized long count(Status s) {
    return entries.values().stream().filter(e -> e.status() == s).count();
  }

  /** The finished cell with the lowest held-out loss, if any. */
  public synchronized Optional<Entry> best() {
    return entries.values().stream()
        .filter(e -> e.status() == Status.DONE && e.result() != null && Double.isFinite(e.result().heldOutLoss()))
        .min(Comparator.comparingDouble(e -> e.result().heldOutLoss()));
  }

  private void save() {
    ObjectNode root = JSON.createObjectNode();
    root.put("format_version", 1);
    root.set("spec", specNode(spec));
    ArrayNode cells = root.putArray("cells");
    for (Entry e : entries.values()) {
      ObjectNode c = cells.addObject();
      c.put("id", e.cell().id());
      ObjectNode values = c.putObject("values");
      for (String k : spec.keys()) {
        values.put(k, e.cell().values().get(k));
      }
      c.put("seed", e.cell().seed());
      c.put("status", e.status().name());
      c.put("attempts", e.attempts());
      if (e.node() != null) {
        c.put("node", e.node());
      }
      if (e.result() != null) {
        CellResult r = e.result();
        ObjectNode o = c.putObject("result");
        num(o, "held_out_loss", r.heldOutLoss());
        num(o, "held_out_accuracy", r.heldOutAccuracy());
        num(o, "train_loss", r.trainLoss());
        o.put("steps", r.steps());
        o.put("tokens", r.tokens());
        num(o, "train_seconds", r.trainSeconds());
        num(o, "eval_score", r.evalScore());
        o.put("node", r.node());
        if (r.error() != null) {
          o.put("error", r.error());
        }
      }
    }
    best().ifPresent(b -> root.put("best", b.cell().id()));
    try {
      Files.createDirectories(dir);
      AtomicFiles.writeBytes(dir.resolve(FILE), JSON.writeValueAsBytes(root));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot write " + dir.resolve(FILE), e);
    }
  }

  private static ObjectNode specNode(SweepSpec spec) {
    ObjectNode s = JSON.createObjectNode();
    s.put("config", spec.config());
    ArrayNode sets = s.putArray("sets");
    spec.sets().forEach(sets::add);
    s.put("budget", spec.budget());
    ArrayNode axes = s.putArray("grid");
    for (SweepSpec.Axis a : spec.axes()) {
      ObjectNode ax = axes.addObject();
      ax.put("key", a.key());
      ArrayNode vs = ax.putArray("values");
      a.values().forEach(vs::add);
    }
    s.put("seeds", spec.seeds());
    s.put("eval_rows", spec.evalRows());
    if (spec.eval() != null) {
      s.put("eval", spec.eval());
    }
    return s;
  }

  /** A spec as compact JSON, the form it travels in to cluster workers. */
  public static String specJson(SweepSpec spec) {
    return specNode(spec).toString();
  }

  /** The spec of {@link #specJson}. */
  public static SweepSpec parseSpec(String json) {
    try {
      return readSpec(JSON.readTree(json), Path.of("(message)"));
    } catch (IOException e) {
      throw new BadInputException("not a sweep spec: " + e.getMessage());
    }
  }

  private static void num(ObjectNode o, String key, double v) {
    if (Double.isFinite(v)) {
      o.put(key, v);
    } else {
      o.putNull(key);
    }
  }

  private static double num(JsonNode n) {
    return n == null || n.isNull() || n.isMissingNode() ? Double.NaN : n.asDouble();
  }

  private static String text(JsonNode n) {
    return n == null || n.isNull() || n.isMissingNode() ? null : n.asText();
  }

  private static CellResult readResult(JsonNode o, String id) {
    return new CellResult(id, num(o.get("held_out_loss")), num(o.get("held_out_accuracy")),
        num(o.get("train_loss")), o.path("steps").asLong(), o.path("tokens").asLong(), num(o.get("train_seconds")),
        num(o.get("eval_score")), text(o.get("node")), text(o.get("error")));
  }

  private static SweepSpec readSpec(JsonNode s, Path file) {
    try {
      List<String> sets = new ArrayList<>();
      s.path("sets").forEach(n -> sets.add(n.asText()));
      List<SweepSpec.Axis> axes = new ArrayList<>();
      for (JsonNode a : s.path("grid")) {
        List<String> values = new ArrayList<>();
        a.path("values").forEach(n -> values.add(n.asText()));
        axes.add(new SweepSpec.Axis(a.path("key").asText(), values));
      }
      return new SweepSpec(s.path("config").asText(), sets, s.path("budget").asText(), axes, s.path("seeds").asInt(),
          s.path("eval_rows").asInt(), text(s.get("eval")));
    } catch (BadInputException e) {
      throw new BadInputException(file + ": the stored spec is invalid: " + e.getMessage());
    }
  }
}
