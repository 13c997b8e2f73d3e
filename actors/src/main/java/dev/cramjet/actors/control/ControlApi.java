package dev.cramjet.actors.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cramjet.actors.ControlAction;
import dev.cramjet.actors.ControlReply;
import dev.cramjet.actors.StatusBoard;
import dev.cramjet.actors.runtime.RunSupervisor;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.Authorization;
import org.apache.pekko.japi.function.Function;

/**
 * The daemon's HTTP control API (pekko-http). {@code GET /health} is open; everything else needs {@code Authorization:
 * Bearer <token>}. {@code GET /status} reads the {@link StatusBoard}; {@code POST /pause|resume|evaluate|checkpoint|stop}
 * ask the {@link RunSupervisor}. A POST body is optional; if present it must be a JSON object (else 400). Errors are
 * JSON {@code {"error": ...}}: 400 malformed, 401 no or bad token, 404 unknown path, 405 wrong method, 409 an action
 * the run's state does not allow, 503 no answer in time. The token is compared in constant time and never logged.
 *
 * <p>Extra endpoints (the metrics issue's {@code /metrics}) are added with {@link #addGet} before {@link #bind}.
 */
public final class ControlApi {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration ASK_TIMEOUT = Duration.ofMinutes(5); // a stop waits for the final checkpoint

  private final ActorSystem<?> system;
  private final ActorRef<RunSupervisor.Command> supervisor;
  private final StatusBoard board;
  private final byte[] token;
  private final Map<String, Extra> extraGets = new LinkedHashMap<>();

  private record Extra(boolean needsToken, Function<HttpRequest, CompletionStage<HttpResponse>> handler) {}

  public ControlApi(ActorSystem<?> system, ActorRef<RunSupervisor.Command> supervisor, StatusBoard board,
      String token) {
    if (token == null || token.length() < 16) {
      throw new IllegalArgumentException("the control token must have at least 16 characters");
    }
    this.system = system;
    this.supervisor = supervisor;
    this.board = board;
    this.token = token.getBytes(StandardCharsets.UTF_8);
  }

  /** Adds {@code GET path} (e.g. "/metrics"), with or without the bearer token. */
  public ControlApi addGet(String path, boolean needsToken, Function<HttpRequest, CompletionStage<HttpResponse>> h) {
    extraGets.put(path, new Extra(needsToken, h));
    return this;
  }

  /** Binds to {@code host:port} (port 0: any free port; see the binding's local address). */
  public CompletionStage<ServerBinding> bind(String host, int port) {
    return Http.get(system).newServerAt(host, port).bind(this::handle);
  }

  CompletionStage<HttpResponse> handle(HttpRequest request) {
    String path = request.getUri().path();
    boolean get = request.method().equals(HttpMethods.GET);
    boolean post = request.method().equals(HttpMethods.POST);
    if (path.equals("/health")) {
      request.discardEntityBytes(system);
      return done(get ? json(200, Map.of("status", "ok")) : error(405, "use GET /health"));
    }
    Extra extra = extraGets.get(path);
    ControlAction action = path.startsWith("/") ? ControlAction.ofPath(path.substring(1)) : null;
    if (extra == null && action == null && !path.equals("/status")) {
      request.discardEntityBytes(system);
      return done(error(404, "no endpoint " + path + "; try GET /status or POST /pause, /resume, /evaluate, "
          + "/checkpoint, /stop"));
    }
    if ((extra == null || extra.needsToken()) && !authorized(request)) {
      request.discardEntityBytes(system);
      return done(error(401, "missing or wrong bearer token (see the token file in the run folder)"));
    }
    if (extra != null) {
      try {
        return get ? extra.handler().apply(request) : done(error(405, "use GET " + path));
      } catch (Exception e) {
        return done(error(500, e.toString()));
      }
    }
    if (action == null) {
      request.discardEntityBytes(system);
      return done(get ? json(200, StatusJson.of(board)) : error(405, "use GET /status"));
    }
    if (!post) {
      request.discardEntityBytes(system);
      return done(error(405, "use POST " + path));
    }
    return request.entity().toStrict(5_000, system).thenCompose(body -> {
      String text = body.getData().utf8String().trim();
      if (!text.isEmpty()) {
        try {
          JsonNode node = JSON.readTree(text);
          if (node == null || !node.isObject()) {
            return done(error(400, "the body must be a JSON object (or empty)"));
          }
        } catch (Exception e) {
          return done(error(400, "the body is not JSON: " + e.getMessage().lines().findFirst().orElse("")));
        }
      }
      CompletionStage<ControlReply> reply = AskPattern.ask(supervisor,
          (ActorRef<ControlReply> r) -> new RunSupervisor.Control(action, r), ASK_TIMEOUT, system.scheduler());
      return reply.handle((r, err) -> {
        if (err != null) {
          return error(503, "the run did not answer: " + err.getMessage());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("accepted", r.accepted());
        m.put("message", r.message());
        m.put("step", r.step());
        if (r.checkpoint() != null) {
          m.put("checkpoint", r.checkpoint());
        }
        if (!r.accepted()) {
          m.put("error", r.message());
        }
        return json(r.accepted() ? 200 : 409, m);
      });
    });
  }

  private boolean authorized(HttpRequest request) {
    var header = request.getHeader(Authorization.class);
    if (header.isEmpty()) {
      return false;
    }
    String value = header.get().value();
    if (!value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    return MessageDigest.isEqual(token, value.substring(7).trim().getBytes(StandardCharsets.UTF_8));
  }

  private static CompletionStage<HttpResponse> done(HttpResponse r) {
    return CompletableFuture.completedFuture(r);
  }

  static HttpResponse error(int status, String message) {
    return json(status, Map.of("error", message, "status", status));
  }

  static HttpResponse json(int status, Object body) {
    try {
      return HttpResponse.create().withStatus(status)
          .withEntity(ContentTypes.APPLICATION_JSON, JSON.writeValueAsBytes(body));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
