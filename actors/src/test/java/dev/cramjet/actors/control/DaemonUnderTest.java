package dev.cramjet.actors.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cramjet.actors.TestRuns;
import dev.cramjet.testing.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real daemon for HTTP tests: the tiny test model training synthetic rows in this JVM, its control API bound on
 * loopback, paused once training runs so that the tests share the CPU with little else.
 */
final class DaemonUnderTest implements AutoCloseable {
  private static final String TOKEN = "test-token-0123456789abcdef";
  private final Daemon daemon;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private DaemonUnderTest(Daemon daemon) {
    this.daemon = daemon;
  }

  static DaemonUnderTest start(Path dir) throws Exception {
    Daemon d = Daemon.start(TestRuns.spec(TestRuns.config("1000000steps", ""), TestRuns.data(), dir.resolve("run")),
        "127.0.0.1", 0, TOKEN, null);
    DaemonUnderTest t = new DaemonUnderTest(d);
    Await.until(Duration.ofSeconds(60), Duration.ofMillis(50), "the test daemon to pause once it trains (POST /pause)",
        () -> t.send("POST", "/pause", "Bearer " + TOKEN, null).statusCode(), status -> status == 200);
    return t;
  }

  URI url() {
    return daemon.url();
  }

  String token() {
    return TOKEN;
  }

  /** One request; {@code authorization} and {@code body} may be null. */
  HttpResponse<String> send(String method, String path, String authorization, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(url().resolve(path)).timeout(Duration.ofSeconds(20))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) b.header("Authorization", authorization);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The daemon still answers: health, and status with the token. */
  void assertStillServing() throws Exception {
    assertEquals(200, send("GET", "/health", null, null).statusCode());
    HttpResponse<String> s = send("GET", "/status", "Bearer " + TOKEN, null);
    assertEquals(200, s.statusCode(), s.body());
  }

  @Override
  public void close() throws Exception {
    daemon.close();
  }
}
