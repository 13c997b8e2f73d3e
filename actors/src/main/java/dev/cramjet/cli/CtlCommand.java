package dev.cramjet.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cramjet.actors.ControlAction;
import dev.cramjet.actors.control.ControlClient;
import dev.cramjet.actors.control.Daemon;
import dev.cramjet.util.BadInputException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cramjet ctl status|pause|resume|evaluate|checkpoint|stop}: a client of a running daemon. It finds the daemon
 * through {@code --url}/{@code --token}, or the {@code daemon.json} and {@code token} in {@code --run DIR} (default:
 * the only run folder under {@code runs/} with a daemon.json). Exit codes: 0 done, 1 refused or failed (daemon not
 * running, wrong token, state conflict), 2 bad usage.
 */
@Command(name = "ctl", mixinStandardHelpOptions = true, description = "Control a running daemon.")
final class CtlCommand implements Callable<Integer> {
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
    ControlClient client = url != null
        ? new ControlClient(url, token != null ? token : run != null ? dev.cramjet.actors.control.TokenFile.read(
            run.resolve(Daemon.TOKEN_FILE)) : null)
        : ControlClient.fromRunDir(run != null ? run : findRun(), token);
    ControlClient.Answer a;
    try {
      a = act == null ? client.status() : client.act(act);
    } catch (ControlClient.NotRunningException e) {
      System.err.println("cramjet ctl: " + e.getMessage());
      return Main.EXIT_FAILURE;
    }
    if (json || act == null) {
      System.out.println(json ? JSON.writeValueAsString(a.body())
          : JSON.writerWithDefaultPrettyPrinter().writeValueAsString(a.body()));
    } else if (a.ok()) {
      System.out.println(a.body().path("message").asText());
    }
    if (!a.ok()) {
      String why = a.body().path("error").asText("HTTP " + a.status());
      System.err.println("cramjet ctl: " + (a.status() == 401
          ? "the daemon refused the token (" + why + ")"
          : why));
      return Main.EXIT_FAILURE;
    }
    return 0;
  }

  private static Path findRun() throws Exception {
    Path runs = Path.of("runs");
    List<Path> found = List.of();
    if (Files.isDirectory(runs)) {
      try (Stream<Path> s = Files.list(runs)) {
        found = s.filter(p -> Files.isRegularFile(p.resolve(Daemon.INFO_FILE))).toList();
      }
    }
    if (found.size() != 1) {
      throw new BadInputException(found.isEmpty()
          ? "no running daemon found under runs/ (no daemon.json); give --run DIR or --url and --token"
          : "several daemons under runs/ (" + found + "); choose one with --run DIR");
    }
    return found.get(0);
  }
}
