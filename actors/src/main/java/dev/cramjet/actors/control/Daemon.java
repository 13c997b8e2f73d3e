package dev.cramjet.actors.control;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.cramjet.actors.ControlAction;
import dev.cramjet.actors.ControlReply;
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
import org.apache.pekko.actor.typed.javadsl.AskPattern;
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
    return start(spec, host, port, token, extras, ConfigFactory.load());
  }

  /** As above, with the actor system's Pekko config (e.g. a cluster node's, see {@code ClusterNode}). */
  public static Daemon start(RunSupervisor.Spec spec, String host, int port, String token,
      java.util.function.Consumer<ControlApi> extras, Config pekko) throws Exception {
    RunSupervisor.validate(spec);
    StatusBoard board = new StatusBoard();
    ActorSystem<RunSupervisor.Command> system =
        ActorSystem.create(RunSupervisor.create(spec, board, null), "cramjet", pekko);
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

  /**
   * What {@link #stopGracefully} saw.
   *
   * @param ended true when the run ended (and the actor system terminated) within the wait
   * @param step the step the run stopped after (the last one published when it did not end)
   * @param checkpoint the final checkpoint folder, or null (none written, or the run had already ended without one)
   * @param message a sentence for people
   */
  public record Stopped(boolean ended, long step, String checkpoint, String message) {}

  /**
   * Stops the run as {@code POST /stop} does and waits for it: the trainer finishes its current step, the final
   * checkpoint is written, the actor system terminates. Safe to call more than once and after the run ended on its own
   * (then it only waits). Gives up after {@code wait}, returning {@code ended = false}; the caller then decides whether
   * to {@link #close()} regardless. Does not close the API or remove {@code daemon.json}; {@link #close()} does.
   */
  public Stopped stopGracefully(Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    ControlReply reply = null;
    if (!system.getWhenTerminated().toCompletableFuture().isDone()) {
      try {
        reply = AskPattern.<RunSupervisor.Command, ControlReply>ask(system,
                r -> new RunSupervisor.Control(ControlAction.STOP, r), wait, system.scheduler())
            .toCompletableFuture().get(wait.toNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        // the run ended meanwhile (no answer), or it is slow: wait for the system below
      }
    }
    boolean ended;
    try {
      system.getWhenTerminated().toCompletableFuture()
          .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      ended = true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ended = false;
    } catch (Exception e) {
      ended = false;
    }
    long step = reply != null ? reply.step() : board.progress().step();
    if (reply != null && reply.accepted()) {
      return new Stopped(ended, step, reply.checkpoint(), reply.message());
    }
    String why = reply != null ? reply.message() : ended ? "the run had already ended" : "the run did not answer";
    return new Stopped(ended, step, null, ended ? why + " (step " + step + ")"
        : why + "; gave up waiting after " + wait.toSeconds() + " s at step " + step);
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
