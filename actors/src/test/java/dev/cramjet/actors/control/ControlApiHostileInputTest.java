package dev.cramjet.actors.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Generated hostile requests against a real daemon's control API on loopback, sent on raw sockets so that nothing
 * is cleaned up on the way: odd and unknown methods, traversal and encoded paths, over-long URIs and headers, many
 * headers, wrong, missing and mangled tokens, bad JSON bodies. Every answer must be a status below 500 in the JSON
 * error shape (or a 200 the request was entitled to; 501 for an unknown method), name no Java exception, and leave the daemon serving.
 */
class ControlApiHostileInputTest {
  static final int TRIES = 200;
  static final AtomicInteger CASES = new AtomicInteger();
  static Path dir;
  static DaemonUnderTest daemon;

  private static final Pattern EXCEPTION_NAME = Pattern.compile("\\b[A-Z][A-Za-z]*(Exception|Error)\\b");
  private static final List<String> PROTECTED = List.of("/status", "/metrics", "/pause", "/resume", "/evaluate",
      "/checkpoint", "/stop");

  @BeforeContainer
  static void start() throws Exception {
    dir = Files.createTempDirectory("cramjet-hostile-http");
    daemon = DaemonUnderTest.start(dir);
  }

  @AfterContainer
  static void stop() throws Exception {
    try {
      System.err.println("ControlApiHostileInputTest: " + CASES.get() + " generated requests");
      daemon.close();
    } finally {
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** One generated request, before rendering. */
  record Req(String method, String path, String auth, List<String> extraHeaders, String body) {
    boolean authorized() {
      return auth != null && auth.toLowerCase(Locale.ROOT).startsWith("bearer ")
          && auth.substring(7).trim().equals(daemon.token());
    }
  }

  @Provide
  Arbitrary<Req> requests() {
    Arbitrary<String> method = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, Arbitraries.of("GET", "POST")),
        net.jqwik.api.Tuple.of(3, Arbitraries.of("PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "CONNECT")),
        net.jqwik.api.Tuple.of(1, Arbitraries.of("BREW", "get", "P\u00d3ST", "G ET", "")),
        net.jqwik.api.Tuple.of(1, Arbitraries.strings().withCharRange('A', 'Z').ofMinLength(1).ofMaxLength(40)));
    Arbitrary<String> known = Arbitraries.of("/health", "/status", "/metrics", "/pause", "/resume", "/evaluate",
        "/checkpoint", "/stop", "/", "/token", "/daemon.json");
    Arbitrary<String> traversal = Arbitraries.of("/../token", "/%2e%2e/token", "/..%2ftoken", "/status/../token",
        "//status", "/./status", "/status/", "/STATUS", "/status?x=../../etc/passwd", "/status#frag", "/%00",
        "/status%00", "/%ZZ", "/\u00e9t\u00e9", "/%C3%A9", "/..\\..\\token", "/status;jsessionid=1", "*",
        "http://127.0.0.1/status", "/%2fstatus");
    Arbitrary<String> random = Arbitraries.strings().withChars("/.%?#&=;:@!$'()*+,~-_aZ09 \t\u0000\u00ff\u4e2d")
        .ofMaxLength(60).map(s -> "/" + s);
    Arbitrary<String> longPath = Arbitraries.integers().between(1000, 20_000).map(n -> "/" + "a".repeat(n));
    Arbitrary<String> path = Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(5, known),
        net.jqwik.api.Tuple.of(3, traversal), net.jqwik.api.Tuple.of(2, random), net.jqwik.api.Tuple.of(1, longPath));
    Arbitrary<String> auth = Arbitraries.oneOf(
        Arbitraries.just(null),
        Arbitraries.of("Bearer ", "bearer ", "BEARER ", "Basic ", "Bearer  ", "Token ", "").map(s -> s + daemon.token()),
        Arbitraries.of("Bearer", "Bearer ", "Bearer wrong-token-wrong-token", "Basic dXNlcjpwYXNz", "\u00e9\u00e9"),
        Arbitraries.strings().ofMaxLength(40).map(s -> "Bearer " + daemon.token() + s),
        Arbitraries.strings().ofMaxLength(40).map(s -> "Bearer " + s));
    Arbitrary<List<String>> headers = Arbitraries.oneOf(
        Arbitraries.just(List.of()),
        Arbitraries.integers().between(5_000, 40_000).map(n -> List.of("X-Huge: " + "h".repeat(n))),
        Arbitraries.integers().between(50, 200).map(n -> {
          List<String> many = new ArrayList<>();
          for (int i = 0; i < n; i++) many.add("X-Many-" + i + ": " + i);
          return many;
        }),
        Arbitraries.of(List.of("Content-Type: text/plain"), List.of("Content-Type: application/json; charset=bogus"),
            List.of("Bad Header Name: x"), List.of("X-Ctl: \u0001\u0002"), List.of("Content-Length: -5"),
            List.of("Transfer-Encoding: gzip")));
    Arbitrary<String> body = Arbitraries.oneOf(
        Arbitraries.just(null),
        Arbitraries.of("{}", "{\"a\":1}", "[1]", "{bad", "null", "\"str\"", "{\"a\":}", "{} {}", "\u00ff\u00fe",
            "[".repeat(5000) + "]".repeat(5000), "{\"a\":" + "1".repeat(5000) + "}"),
        Arbitraries.strings().ofMaxLength(200));
    return Combinators.combine(method, path, auth, headers, body).as(Req::new);
  }

  /** The path as the server routes it: "." and ".." segments removed (RFC 3986, 5.2.4), as pekko-http does. */
  static String withoutDotSegments(String path) {
    try {
      return new java.net.URI(null, null, path, null).normalize().getRawPath();
    } catch (java.net.URISyntaxException e) {
      return path;
    }
  }

  @Property(tries = TRIES)
  void everyAnswerIsAClearJsonErrorOrAnEntitledSuccessAndTheDaemonServesOn(@ForAll("requests") Req req)
      throws Exception {
    CASES.incrementAndGet();
    String path = req.path();
    boolean post = req.method().equals("POST");
    if (req.authorized() && post && (path.startsWith("/stop") || path.startsWith("/resume"))) {
      path = "/pause"; // keep the shared daemon paused and running
    }
    Answer a = exchange(render(req.method(), path, req.auth(), req.extraHeaders(), req.body()));
    String what = req.method() + " " + abbreviate(path) + " auth=" + abbreviate(String.valueOf(req.auth()))
        + " headers=" + req.extraHeaders().size() + " body=" + abbreviate(String.valueOf(req.body())) + " -> "
        + a.status() + " " + abbreviate(a.body());
    // a client error, or 501 (an unknown method) or 505 (an HTTP version) as RFC 9110 asks; never a server fault
    assertTrue(a.status() >= 200 && a.status() < 500 || a.status() == 501 || a.status() == 505, what);
    assertNotEquals(500, a.status(), what);
    assertFalse(EXCEPTION_NAME.matcher(a.body()).find(), "no raw exception names: " + what);
    if (a.status() < 300) {
      String p = withoutDotSegments(path.split("[?#]")[0]);
      boolean open = p.equals("/health");
      assertTrue(open || req.authorized(), "a protected endpoint answered without the token: " + what);
      assertTrue(open || PROTECTED.contains(p), what);
    } else if (!req.method().equals("HEAD")) {
      assertTrue(a.contentType().startsWith("application/json"), "JSON error shape: " + what);
      JsonNode json = new ObjectMapper().readTree(a.body());
      assertEquals(a.status(), json.path("status").asInt(), what);
      assertFalse(json.path("error").asText().isBlank(), what);
    }
    assertEquals(200, exchange(render("GET", "/health", null, List.of(), null)).status(), "still serving after "
        + what);
  }

  record Answer(int status, String contentType, String body) {}

  static byte[] render(String method, String path, String auth, List<String> headers, String body) {
    byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    StringBuilder sb = new StringBuilder();
    sb.append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    if (auth != null) sb.append("Authorization: ").append(auth).append("\r\n");
    for (String h : headers) sb.append(h).append("\r\n");
    boolean declaresLength = headers.stream().anyMatch(h -> h.toLowerCase(Locale.ROOT).startsWith("content-length")
        || h.toLowerCase(Locale.ROOT).startsWith("transfer-encoding"));
    if (body != null && !declaresLength) sb.append("Content-Length: ").append(content.length).append("\r\n");
    sb.append("\r\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(sb.toString().getBytes(StandardCharsets.UTF_8));
    if (!declaresLength) out.writeBytes(content);
    return out.toByteArray();
  }

  /** Sends raw bytes and reads the whole answer (the request says Connection: close). */
  static Answer exchange(byte[] request) throws Exception {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), daemon.url().getPort())) {
      s.setSoTimeout(20_000);
      s.getOutputStream().write(request);
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      byte[] raw = readAnswer(in);
      String text = new String(raw, StandardCharsets.UTF_8);
      int headEnd = text.indexOf("\r\n\r\n");
      assertTrue(text.startsWith("HTTP/1.1 ") && headEnd > 0, "an HTTP answer, got: " + abbreviate(text));
      int status = Integer.parseInt(text.substring(9, 12));
      String head = text.substring(0, headEnd).toLowerCase(Locale.ROOT);
      String type = "";
      for (String line : head.split("\r\n")) {
        if (line.startsWith("content-type:")) type = line.substring(13).trim();
      }
      return new Answer(status, type, text.substring(headEnd + 4));
    }
  }

  private static byte[] readAnswer(InputStream in) throws java.io.IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try {
      int n;
      while ((n = in.read(buf)) > 0) out.write(buf, 0, n);
    } catch (java.net.SocketException reset) {
      // the server may close with the request not fully read; what arrived before is the answer
    }
    return out.toByteArray();
  }

  static String abbreviate(String s) {
    return s.length() <= 120 ? s : s.substring(0, 120) + "...(" + s.length() + " chars)";
  }
}
