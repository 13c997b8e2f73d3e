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
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
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
import org.apache.pekko.http.javadsl.model.headers.Connection;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.japi.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's HTTP control API (pekko-http). {@code GET /health} is open; everything else needs {@code Authorization:
 * Bearer <token>}. {@code GET /status} reads the {@link StatusBoard}; {@code POST /pause|resume|evaluate|checkpoint|stop}
 * ask the {@link RunSupervisor}. A POST body is optional; if present it must be a JSON object (else 400). Errors are
 * JSON {@code {"error": ...}}: 400 malformed, 401 no or bad token, 404 unknown path, 405 wrong method, 409 an action
 * the run's state does not allow, 413 a body over {@link #BODY_LIMIT} bytes, 503 no answer in time. The token is
 * compared in constant time and never logged. The scheme word {@code Bearer} is matched case-insensitively (RFC 7235
 * section 2.1), the token itself exactly.
 *
 * <p>A body over the limit is refused without being read: at once when {@code Content-Length} says so, or as soon
 * as a chunked body passes the limit. Each refusal logs one WARN line and no stack trace; so does any unexpected
 * failure of a handler, which answers a JSON 500 rather than pekko-http's empty one.
 *
 * <p>Extra endpoints (the metrics issue's {@code /metrics}) are added with {@link #addGet} before {@link #bind}.
 */
public final class ControlApi {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger LOG = LoggerFactory.getLogger(ControlApi.class);

  /**
   * The largest request body read, in bytes. Every action's body is an optional small JSON object, so 64 KiB is
   * generous; it also caps what an authorised but misbehaving client can make the daemon buffer.
   */
  public static final int BODY_LIMIT = 64 * 1024;

  /**
   * Reads ({@code GET /status}, {@code GET /metrics}) answered per second at most, over all clients. Each costs the
   * daemon about half a millisecond of CPU; on a machine whose cores all train, a client polling back to back would
   * otherwise take a third of the training speed. Faster readers wait for their slot (their answers come later; none
   * is refused). 10 per second is far above what Prometheus (a scrape every 15 s) and {@code ctl} ask.
   */
  public static final int READS_PER_SECOND = 10;

  /** Reads waiting for a slot at most; one more is answered 503 with Retry-After. */
  public static final int MAX_WAITING_READS = 2_000;

  private static final long BODY_TIMEOUT_MILLIS = 5_000;
  private static final Duration ASK_TIMEOUT = Duration.ofMinutes(5); // a stop waits for the final checkpoint

  private final ActorSystem<?> system;
  private final ActorRef<RunSupervisor.Command> supervisor;
  private final StatusBoard board;
  private final byte[] token;
  private final Map<String, Extra> extraGets = new LinkedHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong nextReadSlot = new java.util.concurrent.atomic.AtomicLong(
      System.nanoTime());
  private final java.util.concurrent.atomic.AtomicInteger waitingReads = new java.util.concurrent.atomic.AtomicInteger();

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

  /**
   * Binds to {@code host:port} (port 0: any free port; see the binding's local address). Requests pekko-http cannot
   * parse are answered by {@link JsonParsingErrors}.
   */
  public CompletionStage<ServerBinding> bind(String host, int port) {
    ServerSettings settings = ServerSettings.create(system.classicSystem())
        .withParsingErrorHandler(JsonParsingErrors.class.getName());
    return Http.get(system).newServerAt(host, port).withSettings(settings).bind(this::handle);
  }

  CompletionStage<HttpResponse> handle(HttpRequest request) {
    CompletionStage<HttpResponse> answer;
    try {
      answer = route(request);
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    return answer.exceptionally(e -> {
      Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      LOG.warn("{} {}: answered 500 after an unexpected failure: {}", request.method().value(),
          request.getUri().path(), oneLine(cause));
      return error(500, "internal error while answering " + request.method().value() + " "
          + shortened(request.getUri().path()) + " (see the daemon log)");
    });
  }

  private CompletionStage<HttpResponse> route(HttpRequest request) {
    String path = request.getUri().path();
    var declared = request.entity().getContentLengthOption();
    if (declared.isPresent() && declared.getAsLong() > BODY_LIMIT) {
      // Refused unread: answering closes the connection, so nothing more of the body is taken in.
      return done(tooLarge(request, path, declared.getAsLong() + " bytes declared by Content-Length"));
    }
    boolean get = request.method().equals(HttpMethods.GET);
    boolean post = request.method().equals(HttpMethods.POST);
    if (path.equals("/health")) {
      discard(request);
      return done(get ? json(200, Map.of("status", "ok")) : error(405, "use GET /health"));
    }
    Extra extra = extraGets.get(path);
    ControlAction action = path.startsWith("/") ? ControlAction.ofPath(path.substring(1)) : null;
    if (extra == null && action == null && !path.equals("/status")) {
      discard(request);
      return done(error(404, "no endpoint " + shortened(path) + "; try GET /status or POST /pause, /resume, /evaluate, "
          + "/checkpoint, /stop"));
    }
    if ((extra == null || extra.needsToken()) && !authorized(request)) {
      discard(request);
      return done(error(401, "missing or wrong bearer token (see the token file in the run folder)"));
    }
    if (extra != null) {
      if (!get) {
        discard(request);
        return done(error(405, "use GET " + path));
      }
      discard(request); // the extra endpoints are reads: they take no body
      return paced(() -> {
        try {
          return extra.handler().apply(request);
        } catch (Exception e) {
          return CompletableFuture.failedFuture(e); // one log line and a JSON 500, see handle
        }
      });
    }
    if (action == null) {
      discard(request);
      return get ? paced(() -> done(json(200, StatusJson.of(board)))) : done(error(405, "use GET /status"));
    }
    if (!post) {
      discard(request);
      return done(error(405, "use POST " + path));
    }
    return request.entity().withSizeLimit(BODY_LIMIT).toStrict(BODY_TIMEOUT_MILLIS, system).handle((body, failure) -> {
      if (failure != null) {
        return done(unreadBody(request, path, failure));
      }
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
          m.put("error", r.message()); // the error shape too: "error" and "status"
          m.put("status", 409);
        }
        return json(r.accepted() ? 200 : 409, m);
      });
    }).thenCompose(x -> x);
  }

  /**
   * Runs a read in its slot: at most {@link #READS_PER_SECOND} start per second, the rest wait (without a thread)
   * until theirs comes; past {@link #MAX_WAITING_READS} waiting, 503.
   */
  private CompletionStage<HttpResponse> paced(java.util.function.Supplier<CompletionStage<HttpResponse>> read) {
    long interval = 1_000_000_000L / READS_PER_SECOND;
    long now = System.nanoTime();
    long slot = nextReadSlot.getAndUpdate(prev -> Math.max(prev, now) + interval);
    long delay = Math.max(slot, now) - now;
    if (delay <= 0) {
      return run(read);
    }
    if (waitingReads.incrementAndGet() > MAX_WAITING_READS) {
      waitingReads.decrementAndGet();
      nextReadSlot.addAndGet(-interval); // this read takes no slot
      return done(error(503, "too many reads waiting; try again in a second")
          .addHeader(org.apache.pekko.http.javadsl.model.headers.RetryAfter.create(1L)));
    }
    java.util.concurrent.Executor later = CompletableFuture.delayedExecutor(delay,
        java.util.concurrent.TimeUnit.NANOSECONDS);
    return CompletableFuture.supplyAsync(() -> null, later).thenCompose(x -> {
      waitingReads.decrementAndGet();
      return run(read);
    });
  }

  private static CompletionStage<HttpResponse> run(java.util.function.Supplier<CompletionStage<HttpResponse>> read) {
    try {
      return read.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e); // one log line and a JSON 500, see handle
    }
  }

  /** Drains a body the endpoint does not use, but no more than the limit (past it the connection is closed). */
  private void discard(HttpRequest request) {
    request.entity().withSizeLimit(BODY_LIMIT).discardBytes(system);
  }

  /** The answer to a body that could not be read whole: over the limit (413), too slow (408), or broken (400). */
  private static HttpResponse unreadBody(HttpRequest request, String path, Throwable err) {
    Throwable cause = err;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof EntityStreamSizeException) {
      return tooLarge(request, path, "a chunked body passed the limit");
    }
    if (cause instanceof TimeoutException) {
      LOG.warn("POST {}: the body did not arrive within {} ms; answered 408", path, BODY_TIMEOUT_MILLIS);
      return error(408, "the request body did not arrive within " + BODY_TIMEOUT_MILLIS + " ms")
          .addHeader(Connection.create("close"));
    }
    LOG.warn("POST {}: the body could not be read ({}); answered 400", path, oneLine(cause));
    return error(400, "the request body could not be read").addHeader(Connection.create("close"));
  }

  private static HttpResponse tooLarge(HttpRequest request, String path, String what) {
    LOG.warn("{} {}: request body over the {}-byte limit ({}); answered 413", request.method().value(), path,
        BODY_LIMIT, what);
    return error(413, "the request body is larger than the limit of " + BODY_LIMIT + " bytes; an action's body is "
        + "an optional small JSON object").addHeader(Connection.create("close"));
  }

  /** A path as echoed in an error: at most 200 chars. */
  private static String shortened(String path) {
    return path.length() <= 200 ? path : path.substring(0, 200) + "...";
  }

  /** The class's simple name and the first line of the message: enough to recognise, never a stack trace. */
  private static String oneLine(Throwable t) {
    String m = t.getMessage() == null ? "" : t.getMessage().lines().findFirst().orElse("");
    return t.getClass().getSimpleName() + (m.isEmpty() ? "" : ": " + m);
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
