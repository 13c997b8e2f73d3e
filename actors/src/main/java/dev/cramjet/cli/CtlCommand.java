package dev.cramjet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cramjet.actors.ControlAction;
import dev.cramjet.actors.control.ControlClient;
import dev.cramjet.actors.control.Daemon;
import dev.cramjet.actors.control.TokenFile;
import dev.cramjet.util.BadInputException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cramjet ctl status|pause|resume|evaluate|checkpoint|stop}: a client of a running daemon. It finds the daemon
 * through {@code --url}/{@code --token}, or the {@code daemon.json} and {@code token} in {@code --run DIR} (default:
 * the only run folder under {@code runs/} with a daemon.json). It prints one sentence saying what happened (status:
 * a short summary; {@code --json}: the daemon's JSON answer). Exit codes follow the CLI's convention: 0 done; 1 the
 * daemon is not running, did not answer, or refused (wrong token, or a state that does not allow the action, HTTP
 * 409); 2 input to fix before asking (unknown action, several daemons to choose from, unreadable token file).
 */
@Command(name = "ctl", mixinStandardHelpOptions = true, description = {"Control a running daemon.",
    "Exit codes: 0 done; 1 not running, no answer, or refused (wrong token, or the run's state does not allow the "
        + "action); 2 input to fix (unknown action, several daemons under runs/, unreadable token file)."})
final class CtlCommand implements Callable<Integer> {
  @Mixin Output io;

  private static final ObjectMapper JSON = new ObjectMapper();

  @Parameters(index = "0", description = "status, pause, resume, evaluate, checkpoint or stop")
  String action;

  @Option(names = "--url", description = "the daemon's URL, e.g. http://127.0.0.1:8077")
  URI url;

  @Option(names = "--token", description = "the bearer token (default: the run folder's token file)")
  String token;

  @Option(names = "--run", description = "the daemon's run folder")
  Path run;

  @Option(names = "--json", description = "print the daemon's JSON answer only")
  boolean json;

  @Override
  public Integer call() throws Exception {
    ControlAction act = action.equals("status") ? null : ControlAction.ofPath(action);
    if (act == null && !action.equals("status")) {
      throw new BadInputException("unknown action '" + action + "'; expected status, pause, resume, evaluate, "
          + "checkpoint or stop");
    }
    if (run != null && url == null && Files.isRegularFile(run.resolve(dev.cramjet.sweep.SweepState.FILE))
        && !Files.isRegularFile(run.resolve(Daemon.INFO_FILE))) {
      if (act != null) {
        throw new BadInputException(run + " is a sweep folder: only status applies (stop a sweep with Ctrl-C; continue"
            + " it with `sweep --out " + run + " --resume`)");
      }
      JsonNode sweep = sweepStatus(run);
      io.out().println(json ? JSON.writeValueAsString(sweep) : sweepSummary(sweep));
      return 0;
    }
    ControlClient.Answer a;
    try {
      ControlClient client = url != null
          ? new ControlClient(url, token != null ? token
              : run != null ? TokenFile.read(run.resolve(Daemon.TOKEN_FILE)) : null)
          : ControlClient.fromRunDir(run != null ? run : findRun(), token);
      a = act == null ? client.status() : client.act(act);
    } catch (ControlClient.NotRunningException e) {
      io.err().println("cramjet ctl: " + e.getMessage());
      return Main.EXIT_FAILURE;
    }
    if (json) {
      io.out().println(JSON.writeValueAsString(a.body()));
    }
    if (!a.ok()) {
      String why = a.body().path("error").asText("HTTP " + a.status());
      io.err().println("cramjet ctl: " + switch (a.status()) {
        case 401 -> "the daemon refused the token (" + why + "); check --token or the run folder's token file";
        case 409 -> action + " refused: " + why;
        default -> action + " failed (HTTP " + a.status() + "): " + why;
      });
      return Main.EXIT_FAILURE;
    }
    if (!json) {
      io.out().println(act == null ? summary(a.body()) : a.body().path("message").asText());
    }
    return 0;
  }

  /**
   * A sweep's status, read from its {@code sweep.json} (rewritten on every change, so it is live for local and cluster
   * sweeps alike): cells by state, the best so far, and each running cell's node and latest logged step.
   */
  static JsonNode sweepStatus(Path dir) throws Exception {
    JsonNode state = JSON.readTree(dir.resolve(dev.cramjet.sweep.SweepState.FILE).toFile());
    com.fasterxml.jackson.databind.node.ObjectNode out = JSON.createObjectNode();
    out.put("sweep", dir.toString());
    java.util.Map<String, Integer> counts = new java.util.LinkedHashMap<>();
    for (String st : List.of("QUEUED", "RUNNING", "DONE", "FAILED")) {
      counts.put(st, 0);
    }
    com.fasterxml.jackson.databind.node.ArrayNode running = out.putArray("running");
    JsonNode bestCell = null;
    for (JsonNode c : state.path("cells")) {
      String st = c.path("status").asText();
      counts.merge(st, 1, Integer::sum);
      if (st.equals("RUNNING")) {
        com.fasterxml.jackson.databind.node.ObjectNode r = running.addObject();
        r.put("cell", c.path("id").asText());
        r.put("node", c.path("node").asText("?"));
        r.set("values", c.path("values"));
        List<JsonNode> log = dev.cramjet.report.Plots.readLog(dir.resolve("cells").resolve(c.path("id").asText())
            .resolve("metrics.jsonl"));
        if (!log.isEmpty()) {
          r.put("step", log.get(log.size() - 1).path("step").asLong());
          r.put("loss", log.get(log.size() - 1).path("loss").asDouble());
        }
      }
      if (c.path("id").asText().equals(state.path("best").asText(null))) {
        bestCell = c;
      }
    }
    com.fasterxml.jackson.databind.node.ObjectNode cells = out.putObject("cells");
    counts.forEach((k, v) -> cells.put(k.toLowerCase(Locale.ROOT), v));
    if (bestCell != null) {
      com.fasterxml.jackson.databind.node.ObjectNode b = out.putObject("best");
      b.put("cell", bestCell.path("id").asText());
      b.set("values", bestCell.path("values"));
      b.put("seed", bestCell.path("seed").asInt());
      b.set("held_out_loss", bestCell.path("result").path("held_out_loss"));
    }
    return out;
  }

  static String sweepSummary(JsonNode s) {
    JsonNode c = s.path("cells");
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "sweep %s: %d done, %d running, %d queued, %d failed",
        s.path("sweep").asText(), c.path("done").asInt(), c.path("running").asInt(), c.path("queued").asInt(),
        c.path("failed").asInt()));
    JsonNode b = s.path("best");
    if (b.isObject()) {
      sb.append(String.format(Locale.ROOT, "; best so far %s (%s seed %d), held-out loss %.4f", b.path("cell").asText(),
          values(b.path("values")), b.path("seed").asInt(), b.path("held_out_loss").asDouble()));
    }
    for (JsonNode r : s.path("running")) {
      sb.append("; ").append(r.path("cell").asText()).append(" (").append(values(r.path("values"))).append(") on ")
          .append(r.path("node").asText());
      if (r.has("step")) {
        sb.append(String.format(Locale.ROOT, " at step %d, loss %.4f", r.path("step").asLong(),
            r.path("loss").asDouble()));
      }
    }
    return sb.toString();
  }

  private static String values(JsonNode v) {
    List<String> parts = new java.util.ArrayList<>();
    v.fields().forEachRemaining(e -> parts.add(e.getKey() + "=" + e.getValue().asText()));
    return String.join(" ", parts);
  }

  /** {@code GET /status} in a few words: phase, step, loss, budget and the last checkpoint. */
  static String summary(JsonNode s) {
    StringBuilder sb = new StringBuilder();
    sb.append(s.path("phase").asText("?")).append(" at step ").append(s.path("step").asLong());
    if (s.path("loss").isNumber()) {
      sb.append(String.format(Locale.ROOT, ", loss %.4f", s.path("loss").asDouble()));
    }
    JsonNode b = s.path("budget");
    if (b.isObject()) {
      sb.append(String.format(Locale.ROOT, ", budget %.1f%% used (%.0f s elapsed", 100 * b.path("fraction").asDouble(),
          b.path("elapsed_seconds").asDouble()));
      if (b.path("remaining_seconds").isNumber()) {
        sb.append(String.format(Locale.ROOT, ", about %.0f s left", b.path("remaining_seconds").asDouble()));
      }
      sb.append(')');
    }
    JsonNode c = s.path("last_checkpoint");
    sb.append(c.isObject() ? "; last checkpoint " + c.path("folder").asText() + " (step " + c.path("step").asLong()
        + ")" : "; no checkpoint yet");
    JsonNode ce = s.path("last_checkpoint_error");
    if (ce.isObject()) {
      sb.append("; checkpoint of step ").append(ce.path("step").asLong()).append(" failed at ")
          .append(ce.path("time").asText()).append(": ").append(ce.path("error").asText());
    }
    JsonNode e = s.path("last_evaluation");
    if (e.isObject() && e.path("loss").isNumber()) {
      sb.append(String.format(Locale.ROOT, "; evaluation at step %d: loss %.4f, accuracy %.3f",
          e.path("step").asLong(), e.path("loss").asDouble(), e.path("accuracy").asDouble()));
    }
    String msg = s.path("message").asText("");
    if (!msg.isBlank()) {
      sb.append(" (").append(msg).append(')');
    }
    return sb.toString();
  }

  private static Path findRun() throws Exception {
    Path runs = Path.of("runs");
    List<Path> found = List.of();
    if (Files.isDirectory(runs)) {
      try (Stream<Path> s = Files.list(runs)) {
        found = s.filter(p -> Files.isRegularFile(p.resolve(Daemon.INFO_FILE))).sorted().toList();
      }
    }
    if (found.isEmpty()) {
      throw new ControlClient.NotRunningException("no running daemon found under runs/ (no runs/*/daemon.json); "
          + "start one with 'cramjet daemon --config FILE', or give --run DIR or --url and --token", null);
    }
    if (found.size() > 1) {
      throw new BadInputException("several daemons under runs/ (" + found + "); choose one with --run DIR");
    }
    return found.get(0);
  }
}
