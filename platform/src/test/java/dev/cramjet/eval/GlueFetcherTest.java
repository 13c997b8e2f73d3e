package dev.cramjet.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.cramjet.util.BadInputException;
import dev.cramjet.util.Hashing;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link GlueFetcher} against a real HTTP server on loopback that serves small archives in GLUE's official layout,
 * with range requests, and with faults on demand: a connection cut mid-body, a truncated archive, a missing file,
 * changed bytes.
 */
class GlueFetcherTest {
  @TempDir Path dir;

  /** Served files by path under the base ("glue/data/CoLA.zip"). */
  private final Map<String, byte[]> files = new ConcurrentHashMap<>();
  /** Paths whose next response is cut after this many body bytes. */
  private final Map<String, Integer> cutAfter = new ConcurrentHashMap<>();
  /** Every request: "path range" (range "-" when none). */
  private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
  private HttpServer server;
  private URI base;
  private final List<String> messages = Collections.synchronizedList(new ArrayList<>());
  private final List<String> tasksAnnounced = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/mirror/", this::serve);
    server.start();
    base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/mirror/");
    files.put("glue/data/CoLA.zip", zip(Map.of(
        "CoLA/train.tsv", cola(400), "CoLA/dev.tsv", cola(50), "CoLA/test.tsv", "index\tsentence\n0\tA test.\n")));
    files.put("glue/data/SST-2.zip", zip(Map.of(
        "SST-2/train.tsv", "sentence\tlabel\ngood film \t1\nbad film \t0\n",
        "SST-2/dev.tsv", "sentence\tlabel\nfine \t1\n", "__MACOSX/SST-2/._train.tsv", "junk")));
    files.put("senteval/senteval_data/msr_paraphrase_train.txt", (
        "\uFEFFQuality\t#1 ID\t#2 ID\t#1 String\t#2 String\n"
            + "1\t11\t12\tThe cat sat.\tA cat sat.\n"
            + "0\t21\t22\tIt rained.\tThe sun shone.\n"
            + "1\t31\t32\tHe left early.\tHe went early.\n").getBytes(StandardCharsets.UTF_8));
    files.put("senteval/senteval_data/msr_paraphrase_test.txt", (
        "Quality\t#1 ID\t#2 ID\t#1 String\t#2 String\n1\t41\t42\tYes.\tIndeed.\n").getBytes(StandardCharsets.UTF_8));
    files.put("glue/data/mrpc_dev_ids.tsv", "21\t22\n".getBytes(StandardCharsets.UTF_8));
    files.put("glue/data/AX.tsv", "index\tsentence1\tsentence2\n0\tA\tB\n".getBytes(StandardCharsets.UTF_8));
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private void serve(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath().substring("/mirror/".length());
    String range = ex.getRequestHeaders().getFirst("Range");
    requests.add(path + " " + (range == null ? "-" : range));
    byte[] body = files.get(path);
    if (body == null) {
      ex.sendResponseHeaders(404, -1);
      ex.close();
      return;
    }
    int start = 0;
    if (range != null && range.startsWith("bytes=")) {
      start = Integer.parseInt(range.substring(6, range.indexOf('-')));
      if (start >= body.length) {
        ex.sendResponseHeaders(416, -1);
        ex.close();
        return;
      }
      ex.getResponseHeaders().add("Content-Range", "bytes " + start + "-" + (body.length - 1) + "/" + body.length);
      ex.sendResponseHeaders(206, body.length - start);
    } else {
      ex.sendResponseHeaders(200, body.length);
    }
    Integer cut = cutAfter.remove(path);
    OutputStream o = ex.getResponseBody();
    if (cut != null) {
      o.write(body, start, cut);
      o.flush();
      ex.close(); // fewer bytes than announced: the connection drops mid-body
      return;
    }
    o.write(body, start, body.length - start);
    o.close();
  }

  private static String cola(int rows) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < rows; i++) {
      b.append("src").append(i % 3).append('\t').append(i % 2).append("\t\tSentence number ").append(i)
          .append(" is here .\n");
    }
    return b.toString();
  }

  private static byte[] zip(Map<String, String> entries) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, String> e : new java.util.TreeMap<>(entries).entrySet()) {
        z.putNextEntry(new ZipEntry(e.getKey()));
        z.write(e.getValue().getBytes(StandardCharsets.UTF_8));
        z.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  private GlueFetcher fetcher(int attempts, boolean refresh) {
    return new GlueFetcher(base, dir, new GlueFetcher.Listener() {
      @Override
      public void task(GlueSources.Task task) {
        tasksAnnounced.add(task.folder());
      }

      @Override
      public void progress(String source, long done, long total) {}

      @Override
      public void message(String text) {
        messages.add(text);
      }
    }, attempts, refresh);
  }

  private List<GlueFetcher.Outcome> fetch(String... tasks) {
    return fetcher(3, false).fetch(GlueSources.select(List.of(tasks)));
  }

  private JsonNode manifest() throws IOException {
    return new ObjectMapper().readTree(dir.resolve(GlueFetcher.MANIFEST).toFile());
  }

  private List<String> leftovers() throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.map(p -> dir.relativize(p).toString())
          .filter(n -> n.contains(".glue-tmp-") || n.contains(".glue-old-") || n.endsWith(".part")).toList();
    }
  }

  @Test
  void fetchesTheOfficialLayoutThatGlueReadsAndRecordsEveryFile() throws IOException {
    List<GlueFetcher.Outcome> out = fetch("cola", "SST-2", "mrpc", "ax");
    assertEquals(List.of("CoLA", "SST-2", "MRPC", "diagnostic"), out.stream().map(GlueFetcher.Outcome::task).toList());
    assertTrue(out.stream().allMatch(o -> o.action() == GlueFetcher.Action.FETCHED));
    assertEquals(List.of("CoLA", "SST-2", "MRPC", "diagnostic"), tasksAnnounced);
    // The folders are what `glue --data` reads.
    List<TaskSpec> specs = GlueTasks.discover(dir, List.of());
    assertEquals(List.of("CoLA", "SST-2", "MRPC"), specs.stream().map(TaskSpec::name).toList());
    assertEquals(cola(400), Files.readString(dir.resolve("CoLA/train.tsv")));
    assertFalse(Files.exists(dir.resolve("SST-2/__MACOSX")), "macOS metadata is not unpacked");
    // MRPC: dev pairs go to dev.tsv, the rest to train.tsv, both with the header; test gets an index column.
    String train = Files.readString(dir.resolve("MRPC/train.tsv"));
    String dev = Files.readString(dir.resolve("MRPC/dev.tsv"));
    assertTrue(train.startsWith("Quality\t#1 ID") && dev.startsWith("Quality\t#1 ID"), train);
    assertTrue(train.contains("11\t12") && train.contains("31\t32") && !train.contains("21\t22"), train);
    assertTrue(dev.contains("21\t22") && !dev.contains("11\t12"), dev);
    assertEquals("index\t#1 ID\t#2 ID\t#1 String\t#2 String\n0\t41\t42\tYes.\tIndeed.\n",
        Files.readString(dir.resolve("MRPC/test.tsv")));
    assertTrue(Files.exists(dir.resolve("diagnostic/diagnostic.tsv")));
    // The manifest records each source and each file with its size and SHA-256.
    JsonNode m = manifest();
    JsonNode colaSource = m.path("tasks").path("CoLA").path("sources").get(0);
    assertEquals(base + "glue/data/CoLA.zip", colaSource.path("url").asText());
    assertEquals(files.get("glue/data/CoLA.zip").length, colaSource.path("size").asLong());
    int checked = 0;
    for (JsonNode task : m.path("tasks")) {
      for (JsonNode f : task.path("files")) {
        Path p = dir.resolve(f.path("path").asText());
        assertEquals(Hashing.sha256(p), f.path("sha256").asText(), p.toString());
        assertEquals(Files.size(p), f.path("size").asLong());
        checked++;
      }
    }
    assertEquals(3 + 2 + 3 + 1, checked);
    assertEquals(List.of(), leftovers());
  }

  @Test
  void aSecondFetchVerifiesAndDownloadsNothing() {
    fetch("cola", "mrpc");
    requests.clear();
    List<GlueFetcher.Outcome> again = fetch("cola", "mrpc");
    assertEquals(List.of(), requests, "nothing is downloaded when every file is intact");
    assertTrue(again.stream().allMatch(o -> o.action() == GlueFetcher.Action.INTACT && o.downloadedBytes() == 0));
  }

  @Test
  void aDamagedFileIsNoticedAndOnlyItsTaskFetchedAgain() throws IOException {
    fetch("cola", "sst2");
    Path devFile = dir.resolve("CoLA/dev.tsv");
    String good = Files.readString(devFile);
    Files.writeString(devFile, good.replace("Sentence number 7 ", "Sentence number 8 "));
    requests.clear();
    List<GlueFetcher.Outcome> again = fetch("cola", "sst2");
    assertEquals(GlueFetcher.Action.REPAIRED, again.get(0).action());
    assertEquals(GlueFetcher.Action.INTACT, again.get(1).action());
    assertEquals(List.of("glue/data/CoLA.zip -"), requests);
    assertEquals(good, Files.readString(devFile));
    assertTrue(messages.stream().anyMatch(s -> s.contains("CoLA/dev.tsv does not match its SHA-256")), messages.toString());
  }

  @Test
  void aCutConnectionResumesWithARangeRequest() throws IOException {
    int half = files.get("glue/data/CoLA.zip").length / 2;
    cutAfter.put("glue/data/CoLA.zip", half);
    List<GlueFetcher.Outcome> out = fetch("cola");
    assertEquals(List.of("glue/data/CoLA.zip -", "glue/data/CoLA.zip bytes=" + half + "-"), requests);
    assertEquals(files.get("glue/data/CoLA.zip").length - half, out.get(0).downloadedBytes() - half);
    assertEquals(cola(50), Files.readString(dir.resolve("CoLA/dev.tsv")));
    assertEquals(List.of(), leftovers());
  }

  @Test
  void aDownloadCutInOneRunResumesInTheNextAndNothingHalfWrittenIsVisible() throws IOException {
    int cut = files.get("glue/data/CoLA.zip").length / 3;
    cutAfter.put("glue/data/CoLA.zip", cut);
    GlueFetcher.FetchException e = assertThrows(GlueFetcher.FetchException.class,
        () -> fetcher(1, false).fetch(GlueSources.select(List.of("cola"))));
    assertTrue(e.getMessage().contains("run the same command again to resume"), e.getMessage());
    assertFalse(Files.exists(dir.resolve("CoLA")), "no task folder before its archive is whole");
    assertFalse(Files.exists(dir.resolve(GlueFetcher.MANIFEST)) && manifest().path("tasks").has("CoLA"));
    assertEquals(cut, Files.size(dir.resolve(GlueFetcher.DOWNLOADS).resolve("CoLA.zip.part")));
    requests.clear();
    fetch("cola");
    assertEquals(List.of("glue/data/CoLA.zip bytes=" + cut + "-"), requests);
    assertEquals(cola(400), Files.readString(dir.resolve("CoLA/train.tsv")));
  }

  @Test
  void aTruncatedArchiveIsAnErrorAndLeavesNothingBehind() throws IOException {
    byte[] whole = files.get("glue/data/CoLA.zip");
    files.put("glue/data/CoLA.zip", Arrays.copyOf(whole, whole.length * 2 / 3));
    GlueFetcher.FetchException e = assertThrows(GlueFetcher.FetchException.class, () -> fetch("cola"));
    assertTrue(e.getMessage().contains("CoLA.zip: the archive is corrupt or truncated"), e.getMessage());
    assertFalse(Files.exists(dir.resolve("CoLA")));
    assertEquals(List.of(), leftovers(), "the bad archive is deleted so the next run starts afresh");
  }

  @Test
  void anArchiveWithABadChecksumEntryIsRefused() throws IOException {
    // Stored (uncompressed) entries put the text in the archive as is: change one byte of it.
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(bytes)) {
      z.setMethod(ZipOutputStream.STORED);
      for (String name : List.of("CoLA/train.tsv", "CoLA/dev.tsv")) {
        byte[] text = cola(20).getBytes(StandardCharsets.UTF_8);
        ZipEntry entry = new ZipEntry(name);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(text);
        entry.setSize(text.length);
        entry.setCrc(crc.getValue());
        z.putNextEntry(entry);
        z.write(text);
        z.closeEntry();
      }
    }
    byte[] zip = bytes.toByteArray();
    String s = new String(zip, StandardCharsets.ISO_8859_1);
    int at = s.indexOf("Sentence number 5");
    zip[at] = (byte) 's';
    files.put("glue/data/CoLA.zip", zip);
    GlueFetcher.FetchException e = assertThrows(GlueFetcher.FetchException.class, () -> fetch("cola"));
    assertTrue(e.getMessage().contains("fails its CRC-32 check"), e.getMessage());
    assertFalse(Files.exists(dir.resolve("CoLA")));
    assertEquals(List.of(), leftovers());
  }

  @Test
  void aMissingTaskNamesTheAddressAndKeepsTheTasksBeforeIt() throws IOException {
    GlueFetcher.FetchException e = assertThrows(GlueFetcher.FetchException.class, () -> fetch("cola", "qqp"));
    assertTrue(e.getMessage().contains(base + "glue/data/QQP-clean.zip: HTTP 404"), e.getMessage());
    assertTrue(manifest().path("tasks").has("CoLA"));
    assertTrue(Files.exists(dir.resolve("CoLA/train.tsv")));
    assertFalse(Files.exists(dir.resolve("QQP")));
  }

  @Test
  void changedBytesOnTheServerAreACheckumMismatchUnlessRefreshed() throws IOException {
    fetch("cola");
    Files.writeString(dir.resolve("CoLA/dev.tsv"), "damaged\n");
    files.put("glue/data/CoLA.zip", zip(Map.of("CoLA/train.tsv", cola(10), "CoLA/dev.tsv", cola(5))));
    GlueFetcher.FetchException e = assertThrows(GlueFetcher.FetchException.class, () -> fetch("cola"));
    assertTrue(e.getMessage().contains("checksum mismatch") && e.getMessage().contains("--refresh"), e.getMessage());
    assertEquals("damaged\n", Files.readString(dir.resolve("CoLA/dev.tsv")), "nothing was replaced");
    assertEquals(List.of(), leftovers());
    fetcher(3, true).fetch(GlueSources.select(List.of("cola")));
    assertEquals(cola(5), Files.readString(dir.resolve("CoLA/dev.tsv")));
  }

  @Test
  void unsafeEntryNamesAreRefused() throws IOException {
    files.put("glue/data/CoLA.zip", zip(Map.of("CoLA/train.tsv", "x", "CoLA/../../evil.txt", "boo")));
    GlueFetcher.FetchException e = assertThrows(GlueFetcher.FetchException.class, () -> fetch("cola"));
    assertTrue(e.getMessage().contains("unsafe entry name"), e.getMessage());
    assertFalse(Files.exists(dir.getParent().resolve("evil.txt")));
    assertFalse(Files.exists(dir.resolve("CoLA")));
  }

  @Test
  void taskNamesAndBaseAddressesAreChecked() {
    assertEquals(List.of("CoLA", "STS-B", "MNLI"), GlueSources.select(List.of("mnli", "sts_b", "CoLA")).stream()
        .map(GlueSources.Task::folder).toList());
    assertEquals(9, GlueSources.select(List.of()).size());
    BadInputException e = assertThrows(BadInputException.class, () -> GlueSources.select(List.of("colaa")));
    assertTrue(e.getMessage().contains("unknown GLUE task 'colaa'") && e.getMessage().contains("mrpc"), e.getMessage());
    assertThrows(BadInputException.class, () -> GlueFetcher.parseBase("ftp://x/", "--base-url"));
    assertThrows(BadInputException.class, () -> GlueFetcher.parseBase("not a url", "--base-url"));
    assertEquals("http://h/m/", GlueFetcher.parseBase("http://h/m", "--base-url").toString());
  }
}
