package dev.cramjet.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cramjet.util.AtomicFiles;
import dev.cramjet.util.BadInputException;
import dev.cramjet.util.Hashing;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Downloads GLUE tasks into the official folder layout that {@link GlueTasks} reads.
 *
 * <p>Each source file is downloaded to {@code .glue-downloads/NAME.part} and resumed with an HTTP range request after
 * an interruption (within a run, up to {@code attempts} tries; across runs, from the kept part). A finished archive is
 * checked entry by entry (CRC-32), unpacked into a temporary folder beside the target, and renamed into place; only
 * then is the task recorded in {@code glue-manifest.json}, with each source's address, size and SHA-256 and each
 * unpacked file's size and SHA-256. A later fetch re-hashes the recorded files and downloads only tasks that are
 * missing or damaged. A source whose SHA-256 differs from the one recorded by an earlier fetch is refused unless
 * {@code refresh} is set. Nothing half-written is ever left where {@code glue} would read it.
 */
public final class GlueFetcher {
  /** The manifest's file name in the output folder. */
  public static final String MANIFEST = "glue-manifest.json";

  static final String DOWNLOADS = ".glue-downloads";
  private static final String TMP_PREFIX = ".glue-tmp-";
  private static final String OLD_PREFIX = ".glue-old-";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** A failure of the network or of what the server sent: exit code 1 in the CLI. */
  public static final class FetchException extends RuntimeException {
    public FetchException(String message) {
      super(message);
    }
  }

  /** What the fetch reports while it works. */
  public interface Listener {
    /** Once per task, before its work: its terms and citation. */
    void task(GlueSources.Task task);

    /** Bytes of one source downloaded so far; {@code total} is -1 when the server does not say. */
    void progress(String source, long done, long total);

    /** A sentence worth a line of its own (retries, damaged files, skipped work). */
    void message(String text);
  }

  /** What happened to one task. */
  public enum Action {
    FETCHED, INTACT, REPAIRED
  }

  /** One task's result: what was done, how many bytes came over the network, and how many files it holds. */
  public record Outcome(String task, Action action, long downloadedBytes, int files) {}

  private final URI base;
  private final Path out;
  private final Listener listener;
  private final int attempts;
  private final boolean refresh;

  /**
   * @param base the distribution's base address (a folder: {@code http(s)://host/path/})
   * @param out the GLUE folder to fill
   * @param attempts tries per source within this run before giving up (the part file is kept for the next run)
   * @param refresh accept sources whose SHA-256 differs from the one recorded by an earlier fetch
   */
  public GlueFetcher(URI base, Path out, Listener listener, int attempts, boolean refresh) {
    this.base = base;
    this.out = out;
    this.listener = listener;
    this.attempts = attempts;
    this.refresh = refresh;
  }

  /**
   * Parses a base address: {@code http} or {@code https}, with a host; a missing trailing slash is added so that
   * sources resolve below it.
   */
  public static URI parseBase(String text, String what) {
    URI uri;
    try {
      uri = new URI(text.trim());
    } catch (URISyntaxException e) {
      throw new BadInputException(what + ": not a URL: '" + text + "' (" + e.getReason() + ")");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
      throw new BadInputException(what + ": expected an http(s) address with a host, got '" + text + "'");
    }
    return text.endsWith("/") ? uri : URI.create(uri + "/");
  }

  /** Fetches {@code tasks} in order; stops at the first failure, keeping every task finished before it. */
  public List<Outcome> fetch(List<GlueSources.Task> tasks) {
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new BadInputException("--out " + out + ": exists and is not a folder");
    }
    try {
      Files.createDirectories(out.resolve(DOWNLOADS));
      clearLeftovers();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + out, e);
    }
    ObjectNode manifest = readManifest();
    List<Outcome> outcomes = new ArrayList<>();
    for (GlueSources.Task task : tasks) {
      listener.task(task);
      JsonNode recorded = manifest.path("tasks").path(task.folder());
      String damage = recorded.isMissingNode() ? "not fetched yet" : damage(recorded);
      if (damage == null) {
        outcomes.add(new Outcome(task.folder(), Action.INTACT, 0, recorded.path("files").size()));
        continue;
      }
      if (!recorded.isMissingNode()) {
        listener.message(task.folder() + ": " + damage + "; fetching it again");
      }
      ObjectNode entry = fetchTask(task, recorded);
      ((ObjectNode) manifest.with("tasks")).set(task.folder(), entry);
      manifest.put("base_url", base.toString());
      writeManifest(manifest);
      long bytes = 0;
      for (JsonNode s : entry.path("sources")) {
        bytes += s.path("downloaded_bytes").asLong();
      }
      outcomes.add(new Outcome(task.folder(), recorded.isMissingNode() ? Action.FETCHED : Action.REPAIRED, bytes,
          entry.path("files").size()));
    }
    return outcomes;
  }

  /** Why the recorded files of a task are not intact, or null when every one has its recorded size and SHA-256. */
  private String damage(JsonNode recorded) {
    JsonNode files = recorded.path("files");
    if (files.isEmpty()) {
      return "the manifest lists no files";
    }
    for (JsonNode f : files) {
      Path p = out.resolve(f.path("path").asText());
      if (!Files.isRegularFile(p)) {
        return f.path("path").asText() + " is missing";
      }
      try {
        if (Files.size(p) != f.path("size").asLong()) {
          return f.path("path").asText() + " has " + Files.size(p) + " bytes, the manifest records "
              + f.path("size").asLong();
        }
      } catch (IOException e) {
        return f.path("path").asText() + " cannot be read (" + e.getMessage() + ")";
      }
      if (!Hashing.sha256(p).equals(f.path("sha256").asText())) {
        return f.path("path").asText() + " does not match its SHA-256 in " + MANIFEST;
      }
    }
    return null;
  }

  private ObjectNode fetchTask(GlueSources.Task task, JsonNode recorded) {
    ArrayNode sources = JSON.createArrayNode();
    List<Path> downloads = new ArrayList<>();
    for (String rel : task.paths()) {
      URL url = resolve(rel);
      Path part = out.resolve(DOWNLOADS).resolve(fileName(rel) + ".part");
      long downloaded = download(url, part);
      String sha = Hashing.sha256(part);
      String expected = null;
      for (JsonNode s : recorded.path("sources")) {
        if (s.path("path").asText().equals(rel)) {
          expected = s.path("sha256").asText(null);
        }
      }
      if (expected != null && !expected.equals(sha) && !refresh) {
        delete(part);
        throw new FetchException(url + ": checksum mismatch: SHA-256 " + sha + ", but an earlier fetch recorded "
            + expected + " in " + out.resolve(MANIFEST) + ". The server now sends different bytes; the download was"
            + " deleted. Pass --refresh to accept the new file.");
      }
      ObjectNode s = JSON.createObjectNode();
      s.put("path", rel);
      s.put("url", url.toString());
      s.put("size", size(part));
      s.put("sha256", sha);
      s.put("downloaded_bytes", downloaded);
      sources.add(s);
      downloads.add(part);
    }
    Path tmp = out.resolve(TMP_PREFIX + task.folder() + "-" + ProcessHandle.current().pid());
    try {
      AtomicFiles.deleteTree(tmp);
      Files.createDirectories(tmp);
      switch (task.kind()) {
        case ZIP -> unzip(downloads.get(0), resolve(task.paths().get(0)), task, tmp);
        case MRPC -> buildMrpc(downloads.get(0), downloads.get(1), downloads.get(2), tmp);
        case SINGLE_FILE -> Files.copy(downloads.get(0), tmp.resolve(task.expected().get(0)));
      }
      for (String name : task.expected()) {
        if (!Files.isRegularFile(tmp.resolve(name))) {
          throw new FetchException(resolve(task.paths().get(0)) + ": holds no " + task.folder() + "/" + name
              + "; the server does not serve GLUE's official layout");
        }
      }
      ArrayNode files = JSON.createArrayNode();
      try (Stream<Path> walk = Files.walk(tmp)) {
        for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
          ObjectNode f = JSON.createObjectNode();
          f.put("path", task.folder() + "/" + tmp.relativize(p).toString().replace('\\', '/'));
          f.put("size", Files.size(p));
          f.put("sha256", Hashing.sha256(p));
          files.add(f);
        }
      }
      for (Path p : downloads) {
        AtomicFiles.fsync(p);
      }
      install(tmp, out.resolve(task.folder()));
      for (Path p : downloads) {
        delete(p);
      }
      ObjectNode entry = JSON.createObjectNode();
      entry.put("fetched_at", Instant.now().toString());
      entry.put("terms", task.terms());
      entry.put("citation", task.citation());
      entry.set("sources", sources);
      entry.set("files", files);
      return entry;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot unpack " + task.folder() + " into " + out + ": " + e.getMessage(), e);
    } finally {
      try {
        AtomicFiles.deleteTree(tmp);
      } catch (IOException e) {
        listener.message("could not remove " + tmp + ": " + e.getMessage());
      }
    }
  }

  /** Swaps the unpacked folder into place; a crash leaves the old folder or the new one, plus a hidden leftover. */
  private void install(Path tmp, Path target) throws IOException {
    Path old = out.resolve(OLD_PREFIX + target.getFileName() + "-" + ProcessHandle.current().pid());
    if (Files.exists(target)) {
      AtomicFiles.move(target, old);
    }
    AtomicFiles.move(tmp, target);
    AtomicFiles.deleteTree(old);
  }

  private URL resolve(String rel) {
    try {
      return base.resolve(rel).toURL();
    } catch (java.net.MalformedURLException e) {
      throw new BadInputException("base address " + base + ": cannot form a URL for " + rel);
    }
  }

  private static String fileName(String rel) {
    return rel.substring(rel.lastIndexOf('/') + 1);
  }

  /** Downloads {@code url} into {@code part}, resuming what is there; returns the bytes that came over the network. */
  long download(URL url, Path part) {
    long received = 0;
    IOException last = null;
    long total = -1;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      long have = Files.exists(part) ? size(part) : 0;
      HttpURLConnection c = null;
      try {
        c = (HttpURLConnection) url.openConnection();
        c.setConnectTimeout(20_000);
        c.setReadTimeout(60_000);
        c.setInstanceFollowRedirects(true);
        if (have > 0) {
          c.setRequestProperty("Range", "bytes=" + have + "-");
        }
        int code = c.getResponseCode();
        if (code == 416 && have > 0) {
          // The part is as long as the file or longer: it cannot be resumed; start over.
          delete(part);
          attempt--;
          continue;
        }
        if (code == 404 || code == 410) {
          throw new FetchException(url + ": HTTP " + code + ", the server has no such file. Check the base address"
              + " (--base-url or CRAMJET_GLUE_URL; now " + base + ").");
        }
        if (code != 200 && code != 206) {
          throw new FetchException(url + ": HTTP " + code + " " + c.getResponseMessage());
        }
        boolean append = false;
        if (code == 206) {
          long[] range = contentRange(c.getHeaderField("Content-Range"));
          if (range != null && range[0] == have) {
            append = true;
            total = range[1];
          }
        }
        if (!append) {
          have = 0;
          total = c.getContentLengthLong();
        }
        if (attempt > 1 || have > 0) {
          listener.message(url + ": resuming at byte " + have + (total > 0 ? " of " + total : ""));
        }
        try (InputStream in = c.getInputStream();
            OutputStream o = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
          byte[] buf = new byte[1 << 16];
          long done = have;
          int n;
          while ((n = in.read(buf)) > 0) {
            o.write(buf, 0, n);
            done += n;
            received += n;
            listener.progress(fileName(url.getPath()), done, total);
          }
        }
        if (total >= 0 && size(part) != total) {
          throw new IOException("the connection closed after " + size(part) + " of " + total + " bytes");
        }
        return received;
      } catch (IOException e) {
        last = e;
        if (attempt < attempts) {
          listener.message(url + ": interrupted at byte " + (Files.exists(part) ? size(part) : 0) + " ("
              + e.getMessage() + "); retrying, attempt " + (attempt + 1) + " of " + attempts);
        }
      } finally {
        if (c != null) {
          c.disconnect();
        }
      }
    }
    throw new FetchException(url + ": download failed after " + attempts + " attempts ("
        + (last == null ? "no answer" : last.getMessage()) + "); " + (Files.exists(part) ? size(part) : 0)
        + (total > 0 ? " of " + total : "") + " bytes are kept in " + part
        + "; run the same command again to resume");
  }

  /** "bytes START-END/TOTAL" to {start, total}; null when absent or unreadable. */
  static long[] contentRange(String header) {
    if (header == null || !header.startsWith("bytes ")) {
      return null;
    }
    try {
      String spec = header.substring(6).trim();
      int dash = spec.indexOf('-');
      int slash = spec.indexOf('/');
      long start = Long.parseLong(spec.substring(0, dash));
      String tot = spec.substring(slash + 1);
      return new long[] {start, tot.equals("*") ? -1 : Long.parseLong(tot)};
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * Unpacks a zip into {@code tmp}, checking each entry's CRC-32. The archive's single top folder (CoLA/, QNLI/, ...)
   * becomes {@code tmp} itself. A truncated or corrupt archive is deleted so that the next run downloads it afresh.
   */
  private void unzip(Path archive, URL url, GlueSources.Task task, Path tmp) throws IOException {
    try (ZipFile zip = new ZipFile(archive.toFile())) {
      Set<String> tops = new HashSet<>();
      List<ZipEntry> entries = new ArrayList<>();
      for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
        ZipEntry z = e.nextElement();
        String name = z.getName().replace('\\', '/');
        if (name.startsWith("__MACOSX/") || name.contains("/._") || name.startsWith("._")) {
          continue;
        }
        if (name.startsWith("/") || name.contains(":") || List.of(name.split("/")).contains("..")) {
          throw new FetchException(url + ": unsafe entry name '" + z.getName() + "' in the archive; refused");
        }
        int slash = name.indexOf('/');
        tops.add(slash < 0 ? "" : name.substring(0, slash));
        entries.add(z);
      }
      String strip = tops.size() == 1 && !tops.contains("") ? tops.iterator().next() + "/" : "";
      for (ZipEntry z : entries) {
        String name = z.getName().replace('\\', '/').substring(strip.length());
        if (name.isEmpty()) {
          continue;
        }
        Path target = tmp.resolve(name).normalize();
        if (!target.startsWith(tmp)) {
          throw new FetchException(url + ": unsafe entry name '" + z.getName() + "' in the archive; refused");
        }
        if (z.isDirectory()) {
          Files.createDirectories(target);
          continue;
        }
        Files.createDirectories(target.getParent());
        CRC32 crc = new CRC32();
        try (InputStream in = zip.getInputStream(z); OutputStream o = Files.newOutputStream(target)) {
          byte[] buf = new byte[1 << 16];
          int n;
          while ((n = in.read(buf)) > 0) {
            crc.update(buf, 0, n);
            o.write(buf, 0, n);
          }
        }
        if (z.getCrc() != -1 && crc.getValue() != z.getCrc()) {
          throw new ZipException("entry " + z.getName() + " fails its CRC-32 check");
        }
      }
    } catch (ZipException | java.io.EOFException e) {
      delete(archive);
      throw new FetchException(url + ": the archive is corrupt or truncated (" + e.getMessage() + "); it was deleted,"
          + " run the same command again to download it afresh");
    }
  }

  /**
   * MRPC as GLUE lays it out: the SentEval training file split into train.tsv and dev.tsv by GLUE's list of dev pairs
   * (both keep the header), and the test file with an index column and no labels.
   */
  private static void buildMrpc(Path trainTxt, Path testTxt, Path devIds, Path tmp) throws IOException {
    Set<String> dev = new HashSet<>();
    try (BufferedReader r = Files.newBufferedReader(devIds, StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        String[] f = stripBom(line).split("\t");
        if (f.length >= 2) {
          dev.add(f[0].trim() + "\t" + f[1].trim());
        }
      }
    }
    try (BufferedReader r = Files.newBufferedReader(trainTxt, StandardCharsets.UTF_8);
        Writer train = Files.newBufferedWriter(tmp.resolve("train.tsv"), StandardCharsets.UTF_8);
        Writer devOut = Files.newBufferedWriter(tmp.resolve("dev.tsv"), StandardCharsets.UTF_8)) {
      String header = stripBom(r.readLine());
      if (header == null) {
        throw new FetchException(trainTxt.getFileName() + ": empty; expected the MRPC training pairs");
      }
      train.write(header + "\n");
      devOut.write(header + "\n");
      String line;
      int lineNo = 1;
      while ((line = r.readLine()) != null) {
        lineNo++;
        String[] f = line.split("\t", -1);
        if (f.length != 5) {
          throw new FetchException("msr_paraphrase_train.txt line " + lineNo + ": expected 5 tab-separated fields,"
              + " got " + f.length);
        }
        String row = String.join("\t", f) + "\n";
        (dev.contains(f[1] + "\t" + f[2]) ? devOut : train).write(row);
      }
    }
    try (BufferedReader r = Files.newBufferedReader(testTxt, StandardCharsets.UTF_8);
        Writer test = Files.newBufferedWriter(tmp.resolve("test.tsv"), StandardCharsets.UTF_8)) {
      r.readLine();
      test.write("index\t#1 ID\t#2 ID\t#1 String\t#2 String\n");
      String line;
      int index = 0;
      while ((line = r.readLine()) != null) {
        String[] f = line.split("\t", -1);
        if (f.length != 5) {
          throw new FetchException("msr_paraphrase_test.txt line " + (index + 2) + ": expected 5 tab-separated"
              + " fields, got " + f.length);
        }
        test.write(index++ + "\t" + f[1] + "\t" + f[2] + "\t" + f[3] + "\t" + f[4] + "\n");
      }
    }
  }

  private static String stripBom(String s) {
    return s != null && s.startsWith("\uFEFF") ? s.substring(1) : s;
  }

  /** Removes the temporary and old folders a killed fetch may have left (never the part files: they resume). */
  private void clearLeftovers() throws IOException {
    try (Stream<Path> list = Files.list(out)) {
      for (Path p : list.toList()) {
        String name = p.getFileName().toString();
        if (name.startsWith(TMP_PREFIX) || name.startsWith(OLD_PREFIX)) {
          AtomicFiles.deleteTree(p);
        }
      }
    }
  }

  private ObjectNode readManifest() {
    Path file = out.resolve(MANIFEST);
    if (!Files.exists(file)) {
      return JSON.createObjectNode();
    }
    try {
      JsonNode node = JSON.readTree(file.toFile());
      if (!(node instanceof ObjectNode o) || !node.path("tasks").isObject() && node.has("tasks")) {
        throw new BadInputException(file + ": not a Cramjet GLUE manifest (expected an object with \"tasks\")");
      }
      return o;
    } catch (IOException e) {
      throw new BadInputException(file + ": unreadable manifest (" + e.getMessage() + "); move it away to fetch"
          + " afresh");
    }
  }

  private void writeManifest(ObjectNode manifest) {
    try {
      AtomicFiles.writeBytes(out.resolve(MANIFEST), JSON.writeValueAsBytes(manifest));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + out.resolve(MANIFEST), e);
    }
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + p, e);
    }
  }

  private static void delete(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + p, e);
    }
  }
}
