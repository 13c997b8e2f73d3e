package dev.cramjet.actors.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The control API's limits on a real daemon (in-process, paused, bound on loopback) through real HTTP clients: bodies
 * over {@link ControlApi#BODY_LIMIT} with Content-Length and chunked, and the bearer scheme's case.
 */
class ControlApiLimitsTest {
  @TempDir static Path tmp;
  static DaemonUnderTest daemon;
  private ListAppender<ILoggingEvent> logs;

  @BeforeAll
  static void start() throws Exception {
    daemon = DaemonUnderTest.start(tmp);
  }

  @AfterAll
  static void stop() throws Exception {
    daemon.close();
  }

  @BeforeEach
  void captureLogs() {
    logs = new ListAppender<>();
    logs.start();
    root().addAppender(logs);
  }

  @AfterEach
  void releaseLogs() {
    root().detachAppender(logs);
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  /** Log events since the test began, after giving pekko's asynchronous logger a moment. */
  private List<ILoggingEvent> logged() throws InterruptedException {
    Thread.sleep(300);
    return List.copyOf(logs.list);
  }

  @Test
  void bodyOverTheLimitWithContentLengthGets413AsJsonAndOneWarning() throws Exception {
    // A raw socket: the server answers as soon as it sees the length and closes, which a client still uploading
    // the 10 MB (java.net.http) may see only as a broken pipe. Here the answer is read while the body is sent.
    String answer = contentLengthPost("/checkpoint", 10 << 20);
    assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
    assertTooLargeJson(answer.substring(answer.indexOf("\r\n\r\n") + 4));
    assertOneWarning();
    daemon.assertStillServing();
  }

  static String contentLengthPost(String path, int size) throws Exception {
    byte[] block = new byte[16 * 1024];
    java.util.Arrays.fill(block, (byte) ' ');
    return rawRequest("POST", path, "Content-Length: " + size, (out, answered) -> {
      for (int sent = 0; sent < size && !answered.getAsBoolean(); sent += block.length) {
        out.write(block, 0, Math.min(block.length, size - sent));
      }
    });
  }

  @Test
  void readsArePacedSoABackToBackClientCannotTakeTheTrainersCores() throws Exception {
    // 3 threads reading back to back: every read is answered, none faster than READS_PER_SECOND allows overall.
    int reads = 25;
    HttpClient http = HttpClient.newHttpClient();
    java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.ConcurrentLinkedQueue<Integer> codes = new java.util.concurrent.ConcurrentLinkedQueue<>();
    long start = System.nanoTime();
    List<CompletableFuture<Void>> clients = new java.util.ArrayList<>();
    for (int t = 0; t < 3; t++) {
      clients.add(CompletableFuture.runAsync(() -> {
        while (next.getAndIncrement() < reads) {
          String path = "/status";
          try {
            codes.add(http.send(HttpRequest.newBuilder(daemon.url().resolve(path))
                .header("Authorization", "Bearer " + daemon.token()).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());
          } catch (Exception e) {
            codes.add(-1);
          }
        }
      }));
    }
    CompletableFuture.allOf(clients.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
    double seconds = (System.nanoTime() - start) / 1e9;
    assertEquals(reads, codes.size());
    assertTrue(codes.stream().allMatch(c -> c == 200), codes.toString());
    double floor = (reads - 1) / (double) ControlApi.READS_PER_SECOND;
    assertTrue(seconds >= floor * 0.98, reads + " reads took " + seconds + " s, less than the pacing allows ("
        + floor + " s)");
    daemon.assertStillServing();
  }

  @Test
  void chunkedBodyOverTheLimitGets413AsJsonAndOneWarning() throws Exception {
    String answer = chunkedPost("/checkpoint", 10 << 20);
    assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
    assertTooLargeJson(answer.substring(answer.indexOf("\r\n\r\n") + 4));
    assertOneWarning();
    daemon.assertStillServing();
  }

  @Test
  void chunkedBodyOverTheLimitOnAGetIsRefusedToo() throws Exception {
    for (String path : List.of("/status", "/health", "/nope")) {
      String answer = chunkedRequest("GET", path, 10 << 20);
      assertTrue(answer.startsWith("HTTP/1.1 "), path + ": " + answer);
      int status = Integer.parseInt(answer.substring(9, 12));
      assertTrue(status < 500, path + ": " + answer);
      List<ILoggingEvent> events = logged();
      assertTrue(events.size() <= 1, () -> path + ": at most one log line, got " + events.stream()
          .map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList());
      events.forEach(e -> assertNull(e.getThrowableProxy(), "no stack trace"));
      logs.list.clear();
      daemon.assertStillServing();
    }
  }

  @Test
  void bodyUnderTheLimitIsStillReadAndChecked() throws Exception {
    String almost = "{\"a\":\"" + "x".repeat(ControlApi.BODY_LIMIT - 100) + "\"}";
    // a valid JSON object under the limit: accepted (the paused run writes a checkpoint)
    HttpResponse<String> ok = daemon.send("POST", "/checkpoint", "Bearer " + daemon.token(), almost);
    assertEquals(200, ok.statusCode(), ok.body());
    HttpResponse<String> bad = daemon.send("POST", "/checkpoint", "Bearer " + daemon.token(), "[" + almost);
    assertEquals(400, bad.statusCode(), bad.body());
  }

  @Test
  void bearerSchemeIsMatchedCaseInsensitivelyAndTheTokenExactly() throws Exception {
    for (String scheme : List.of("Bearer", "bearer", "BEARER", "bEaReR")) {
      HttpResponse<String> r = daemon.send("GET", "/status", scheme + " " + daemon.token(), null);
      assertEquals(200, r.statusCode(), scheme + ": " + r.body());
    }
    assertEquals(401, daemon.send("GET", "/status", "Bearer " + daemon.token().toUpperCase(java.util.Locale.ROOT)
        + "x", null).statusCode());
    assertEquals(401, daemon.send("GET", "/status", "Basic " + daemon.token(), null).statusCode());
    assertEquals(401, daemon.send("GET", "/status", "Bearer " + daemon.token() + "x", null).statusCode());
    assertEquals(401, daemon.send("GET", "/status", "bearer " + daemon.token().substring(1), null).statusCode());
  }

  private static void assertTooLargeJson(String body) throws Exception {
    JsonNode json = new ObjectMapper().readTree(body);
    assertEquals(413, json.path("status").asInt(), body);
    assertTrue(json.path("error").asText().contains(String.valueOf(ControlApi.BODY_LIMIT)), body);
  }

  private void assertOneWarning() throws InterruptedException {
    List<ILoggingEvent> events = logged();
    assertEquals(1, events.size(), () -> "one log line per refused request, got " + events.stream()
        .map(e -> e.getLevel() + " " + e.getLoggerName() + " " + e.getFormattedMessage()).toList());
    ILoggingEvent e = events.get(0);
    assertEquals(Level.WARN, e.getLevel());
    assertNull(e.getThrowableProxy(), "no stack trace");
    assertTrue(e.getFormattedMessage().contains("413"), e.getFormattedMessage());
  }

  /**
   * POSTs {@code size} bytes of chunked body on a raw socket, reading the answer while still writing (the server may
   * answer and close before the body ends); returns the raw answer.
   */
  static String chunkedPost(String path, int size) throws Exception {
    return chunkedRequest("POST", path, size);
  }

  static String chunkedRequest(String method, String path, int size) throws Exception {
    byte[] chunk = new byte[16 * 1024];
    new Random(1).nextBytes(chunk);
    byte[] head = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    byte[] crlf = "\r\n".getBytes(StandardCharsets.ISO_8859_1);
    return rawRequest(method, path, "Transfer-Encoding: chunked", (out, answered) -> {
      for (int sent = 0; sent < size && !answered.getAsBoolean(); sent += chunk.length) {
        out.write(head);
        out.write(chunk);
        out.write(crlf);
      }
      out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    });
  }

  /** Writes a request body, stopping early once the server has answered. */
  interface Body {
    void write(OutputStream out, java.util.function.BooleanSupplier answered) throws java.io.IOException;
  }

  /**
   * Sends a request with a JSON body framed by {@code framing} (a Content-Length or Transfer-Encoding header) on a raw
   * socket, reading the answer while the body goes out: a server that refuses a body answers and closes before it has
   * all of it, which a client still uploading would see only as a broken pipe.
   */
  static String rawRequest(String method, String path, String framing, Body body) throws Exception {
    URI url = daemon.url();
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), url.getPort())) {
      s.setSoTimeout(20_000);
      InputStream in = s.getInputStream();
      CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> {
        try {
          return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (java.io.IOException e) {
          return "read failed: " + e;
        }
      });
      OutputStream out = s.getOutputStream();
      out.write((method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + daemon.token()
          + "\r\nContent-Type: application/json\r\n" + framing + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      try {
        body.write(out, answer::isDone);
        out.flush();
      } catch (java.io.IOException closedByServer) {
        // expected: the server refused the body and closed the connection
      }
      return answer.get(20, TimeUnit.SECONDS);
    }
  }
}
