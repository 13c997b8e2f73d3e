package dev.cramjet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code glue fetch} through the command line against a loopback mirror: output, JSON and exit codes. */
class GlueFetchCliTest {
  @TempDir Path dir;
  private HttpServer server;
  private String base;

  @BeforeEach
  void start() throws Exception {
    ByteArrayOutputStream zip = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(zip)) {
      z.putNextEntry(new ZipEntry("RTE/train.tsv"));
      z.write("index\tsentence1\tsentence2\tlabel\n0\tA dog runs.\tAn animal moves.\tentailment\n"
          .getBytes(StandardCharsets.UTF_8));
      z.putNextEntry(new ZipEntry("RTE/dev.tsv"));
      z.write("index\tsentence1\tsentence2\tlabel\n0\tIt is hot.\tIt is cold.\tnot_entailment\n"
          .getBytes(StandardCharsets.UTF_8));
    }
    byte[] body = zip.toByteArray();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", ex -> {
      if (ex.getRequestURI().getPath().equals("/glue/data/RTE.zip")) {
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
      } else {
        ex.sendResponseHeaders(404, -1);
      }
      ex.close();
    });
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }



  @Test
  void fetchesThenVerifiesAndPrintsEachTasksTermsOnce() throws Exception {
    Path glue = dir.resolve("glue");
    CliRun.Result first = CliRun.run("glue", "fetch", "--out", glue.toString(), "--tasks", "rte", "--base-url", base, "--json");
    assertEquals(0, first.code(), first.err());
    JsonNode o = new ObjectMapper().readTree(first.out());
    assertEquals("fetched", o.path("tasks").get(0).path("action").asText());
    assertEquals("RTE", o.path("tasks").get(0).path("task").asText());
    assertTrue(Files.isRegularFile(glue.resolve("RTE/dev.tsv")));
    assertEquals(1, first.err().split("RTE: terms:", -1).length - 1, first.err());
    assertTrue(first.err().contains("Bentivogli"), first.err());

    CliRun.Result second = CliRun.run("glue", "fetch", "--out", glue.toString(), "--tasks", "rte", "--base-url", base);
    assertEquals(0, second.code(), second.err());
    assertTrue(second.out().contains("RTE") && second.out().contains("intact"), second.out());
  }

  @Test
  void exitCodesFollowTheReadme() {
    Path glue = dir.resolve("glue");
    CliRun.Result missing = CliRun.run("glue", "fetch", "--out", glue.toString(), "--tasks", "cola", "--base-url", base);
    assertEquals(1, missing.code());
    assertTrue(missing.err().contains("glue/data/CoLA.zip: HTTP 404"), missing.err());
    assertFalse(Files.exists(glue.resolve("CoLA")));

    CliRun.Result unknown = CliRun.run("glue", "fetch", "--out", glue.toString(), "--tasks", "nosuch", "--base-url", base);
    assertEquals(2, unknown.code());
    assertTrue(unknown.err().contains("unknown GLUE task 'nosuch'"), unknown.err());

    CliRun.Result badUrl = CliRun.run("glue", "fetch", "--out", glue.toString(), "--base-url", "ftp://mirror/");
    assertEquals(2, badUrl.code());
    assertTrue(badUrl.err().contains("--base-url"), badUrl.err());

    CliRun.Result noNetwork = CliRun.run("glue", "fetch", "--out", glue.toString(), "--tasks", "rte", "--attempts", "1",
        "--base-url", "http://127.0.0.1:1/");
    assertEquals(1, noNetwork.code());
    assertTrue(noNetwork.err().contains("download failed after 1 attempts"), noNetwork.err());

    CliRun.Result bareGlue = CliRun.run("glue");
    assertEquals(2, bareGlue.code());
    assertTrue(bareGlue.err().contains("--checkpoint") && bareGlue.err().contains("glue fetch"), bareGlue.err());
  }
}
