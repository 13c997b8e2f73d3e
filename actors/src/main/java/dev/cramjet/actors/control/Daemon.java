package dev.cramjet.actors.control;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cramjet.actors.StatusBoard;
import dev.cramjet.actors.runtime.RunSupervisor;
import dev.cramjet.util.AtomicFiles;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.ServerBinding;

/**
 * A running daemon: the actor system with the {@link RunSupervisor} as its guardian, and the {@link ControlApi} bound
 * to it. Starting it writes {@code daemon.json} (URL, pid, token file) and {@code token} (owner-only) into the run
 * folder, where {@code cramjet ctl} finds them; the system terminates when the run ends, and {@link #close()} removes
 * {@code daemon.json}. It does not print; the CLI does.
 */
public final class Daemon implements AutoCloseable {
  public static final String INFO_FILE = "daemon.json";
  public static final String TOKEN_FILE = "token";

  private final ActorSystem<RunSupervisor.Command> system;
  private final StatusBoard board;
  private final ServerBinding binding;
  private final URI url;
  private final Path runDir;

  private Daemon(ActorSystem<RunSupervisor.Command> system, StatusBoard board, ServerBinding binding, URI url,
      Path runDir) {
    this.system = system;
    this.board = board;
    this.binding = binding;
    this.url = url;
    this.runDir = runDir;
  }

  /**
   * Starts the run and the API on {@code host:port} (0: a free port).
   *
   * @param token the bearer token, or null to generate one
   * @param extras called with the API before it binds (e.g. to add {@code /metrics}); may be null
   */
  public static Daemon start(RunSupervisor.Spec spec, String host, int port, String token,
      java.util.function.Consumer<ControlApi> extras) throws Exception {
    RunSupervisor.validate(spec);
    StatusBoard board = new StatusBoard();
    ActorSystem<RunSupervisor.Command> system =
        ActorSystem.create(RunSupervisor.create(spec, board, null), "cramjet");
    try {
      String t = token != null ? token : TokenFile.generate();
      Path runDir = spec.runDir();
      TokenFile.write(runDir.resolve(TOKEN_FILE), t);
      ControlApi api = new ControlApi(system, system, board, t);
      if (extras != null) {
        extras.accept(api);
      }
      ServerBinding binding = api.bind(host, port).toCompletableFuture().get(30, TimeUnit.SECONDS);
      URI url = URI.create("http://" + hostForUrl(host) + ":" + binding.localAddress().getPort());
      Map<String, Object> info = new LinkedHashMap<>();
      info.put("url", url.toString());
      info.put("pid", ProcessHandle.current().pid());
      info.put("token_file", runDir.resolve(TOKEN_FILE).toAbsolutePath().toString());
      AtomicFiles.writeString(runDir.resolve(INFO_FILE), new ObjectMapper().writeValueAsString(info));
      return new Daemon(system, board, binding, url, runDir);
    } catch (Exception | Error e) {
      system.terminate();
      throw e;
    }
  }

  private static String hostForUrl(String host) {
    return host.contains(":") ? "[" + host + "]" : host;
  }

  public URI url() {
    return url;
  }

  public StatusBoard board() {
    return board;
  }

  public ActorSystem<RunSupervisor.Command> system() {
    return system;
  }

  /** Completes when the run has ended and the actor system is gone. */
  public CompletionStage<Done> whenTerminated() {
    return system.getWhenTerminated();
  }

  @Override
  public void close() throws IOException {
    binding.unbind();
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      // the files below are removed regardless
    }
    Files.deleteIfExists(runDir.resolve(INFO_FILE));
  }

  static Duration askTimeout() {
    return Duration.ofMinutes(5);
  }
}
