package dev.cramjet.eval.suite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cramjet.eval.Metric;
import dev.cramjet.eval.TaskSpec;
import dev.cramjet.eval.TsvLayout;
import dev.cramjet.util.AtomicFiles;
import dev.cramjet.util.BadInputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Builds the offline stand-in suite from a fetched IMDB corpus ({@code reviews.jsonl}: {@code text}, {@code label})
 * and a fetched Brown corpus (one {@code cXNN.txt} per sample, one sentence per line):
 *
 * <ul>
 *   <li>{@code imdb-sentiment}: review to 0/1 sentiment, SST-2 format, accuracy. Reviews are cut to their first
 *       {@value #REVIEW_CHARS} characters (the model reads 128 tokens anyway).
 *   <li>{@code brown-genre}: a passage of {@value #PASSAGE} consecutive sentences to one of 15 genres, SST-2 format with
 *       the genre names as labels (the multi-class variant: {@code task.json} lists them), accuracy.
 *   <li>{@code brown-adjacent}: a sentence pair, 1 when the second sentence follows the first in the same sample, 0
 *       when it is a random sentence of another sample; MRPC format, F1 and accuracy.
 *   <li>{@code brown-acceptability}: a sentence, 1 as written, 0 when corrupted (two words swapped, or all words
 *       shuffled); each source sentence appears once, original or corrupted; CoLA format, MCC.
 * </ul>
 *
 * Brown samples are split into train and dev by file (one in five for dev), so no dev passage shares a document with
 * training; IMDB reviews are split by a seeded shuffle. Classes are balanced. Everything is a function of the seed.
 * The suite is written to a temporary folder and renamed into place.
 */
public final class SuiteBuilder {
  static final int REVIEW_CHARS = 1000;
  static final int PASSAGE = 3;
  static final int MIN_WORDS = 6;
  static final int MAX_WORDS = 30;

  private final int trainSize;
  private final int devSize;
  private final long seed;

  /**
   * @param trainSize training examples per task
   * @param devSize dev examples per task
   */
  public SuiteBuilder(int trainSize, int devSize, long seed) {
    if (trainSize < 15 || devSize < 15) {
      throw new BadInputException("suite sizes must be at least 15 examples (one per genre), got train " + trainSize
          + ", dev " + devSize);
    }
    this.trainSize = trainSize;
    this.devSize = devSize;
    this.seed = seed;
  }

  /** What was built: task name to (train, dev) sizes. */
  public record Summary(Path out, Map<String, int[]> sizes) {}

  /**
   * @param imdbReviews the {@code reviews.jsonl} of a fetched IMDB corpus
   * @param brownDir the folder of {@code cXNN.txt} files of a fetched Brown corpus
   */
  public Summary build(Path imdbReviews, Path brownDir, Path out) throws IOException {
    if (Files.exists(out)) {
      throw new BadInputException("--out " + out + " exists; choose a new folder");
    }
    Map<String, List<String>> brown = readBrown(brownDir);
    Path parent = out.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path tmp = dev.cramjet.util.AtomicFiles.tempDirIn(parent, ".suite-");
    Map<String, int[]> sizes = new LinkedHashMap<>();
    try {
      sizes.put("imdb-sentiment", imdb(imdbReviews, tmp.resolve("imdb-sentiment")));
      Map<String, List<String>> trainDocs = new TreeMap<>();
      Map<String, List<String>> devDocs = new TreeMap<>();
      splitByFile(brown, trainDocs, devDocs);
      sizes.put("brown-genre", genre(trainDocs, devDocs, tmp.resolve("brown-genre")));
      sizes.put("brown-adjacent", adjacent(trainDocs, devDocs, tmp.resolve("brown-adjacent")));
      sizes.put("brown-acceptability", acceptability(trainDocs, devDocs, tmp.resolve("brown-acceptability")));
      Map<String, Object> about = new LinkedHashMap<>();
      about.put("name", "cramjet offline stand-in suite");
      about.put("note", "A stand-in built from IMDB reviews and the Brown corpus in GLUE's file formats; it is not GLUE"
          + " and its scores are not comparable with GLUE scores.");
      about.put("seed", seed);
      about.put("train_size", trainSize);
      about.put("dev_size", devSize);
      about.put("sources", List.of(imdbReviews.toString(), brownDir.toString()));
      Files.writeString(tmp.resolve("suite.json"),
          new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(about) + "\n");
      Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      AtomicFiles.deleteTree(tmp);
      throw e;
    }
    return new Summary(out, sizes);
  }

  // ---- IMDB sentiment

  private int[] imdb(Path reviews, Path dir) throws IOException {
    List<List<String>> byLabel = List.of(new ArrayList<>(), new ArrayList<>());
    ObjectMapper om = new ObjectMapper();
    int lineNo = 0;
    try (BufferedReader in = Files.newBufferedReader(reviews, StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        JsonNode n;
        try {
          n = om.readTree(line);
        } catch (IOException e) {
          throw new BadInputException(reviews + ": line " + lineNo + ": not a JSON object: " + e.getMessage());
        }
        int label = n.path("label").asInt(-1);
        String text = clean(n.path("text").asText(""));
        if (label != 0 && label != 1) {
          throw new BadInputException(reviews + ": line " + lineNo + ": field 'label' must be 0 or 1");
        }
        if (!text.isEmpty()) {
          byLabel.get(label).add(text.length() > REVIEW_CHARS ? text.substring(0, REVIEW_CHARS) : text);
        }
      }
    }
    SplittableRandom rng = new SplittableRandom(seed);
    List<String[]> train = new ArrayList<>();
    List<String[]> dev = new ArrayList<>();
    for (int label = 0; label < 2; label++) {
      List<String> texts = byLabel.get(label);
      shuffle(texts, rng);
      int nTrain = share(trainSize, 2, label);
      int nDev = share(devSize, 2, label);
      if (texts.size() < nTrain + nDev) {
        throw new BadInputException(reviews + ": only " + texts.size() + " reviews of label " + label + ", need "
            + (nTrain + nDev));
      }
      for (int i = 0; i < nTrain + nDev; i++) {
        (i < nTrain ? train : dev).add(new String[] {texts.get(i), Integer.toString(label)});
      }
    }
    return write(dir, TsvLayout.SST2, "sentence\tlabel", List.of("0", "1"), List.of(Metric.ACCURACY), train, dev, rng);
  }

  // ---- Brown

  /** Sample name (cXNN) to its sentences, in order. */
  static Map<String, List<String>> readBrown(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new BadInputException(dir + ": not a folder of Brown samples (cXNN.txt)");
    }
    Map<String, List<String>> docs = new TreeMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.sorted().toList()) {
        String name = p.getFileName().toString();
        if (!name.matches("c[a-r]\\d\\d\\.txt")) {
          continue;
        }
        List<String> sentences = new ArrayList<>();
        for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
          String t = clean(line);
          if (!t.isEmpty()) {
            sentences.add(t);
          }
        }
        docs.put(name.substring(0, 4), sentences);
      }
    }
    if (docs.isEmpty()) {
      throw new BadInputException(dir + ": no Brown samples (cXNN.txt files) found");
    }
    return docs;
  }

  /** One file in five of each genre (at least one) goes to dev, chosen by the seed. */
  private void splitByFile(Map<String, List<String>> docs, Map<String, List<String>> train,
      Map<String, List<String>> dev) {
    Map<Character, List<String>> byGenre = new TreeMap<>();
    docs.keySet().forEach(name -> byGenre.computeIfAbsent(name.charAt(1), k -> new ArrayList<>()).add(name));
    SplittableRandom rng = new SplittableRandom(seed + 1);
    for (List<String> names : byGenre.values()) {
      shuffle(names, rng);
      int nDev = Math.max(1, names.size() / 5);
      for (int i = 0; i < names.size(); i++) {
        (i < nDev ? dev : train).put(names.get(i), docs.get(names.get(i)));
      }
    }
  }

  private int[] genre(Map<String, List<String>> trainDocs, Map<String, List<String>> devDocs, Path dir)
      throws IOException {
    List<String> labels = BrownGenres.BY_CODE.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .map(Map.Entry::getValue).toList();
    SplittableRandom rng = new SplittableRandom(seed + 2);
    List<String[]> train = genrePassages(trainDocs, trainSize, labels, rng);
    List<String[]> dev = genrePassages(devDocs, devSize, labels, rng);
    return write(dir, TsvLayout.SST2, "sentence\tlabel", labels, List.of(Metric.ACCURACY), train, dev, rng);
  }

  /** {@code n} passages, as even across genres as the sizes allow, each from a random sample and start. */
  private static List<String[]> genrePassages(Map<String, List<String>> docs, int n, List<String> labels,
      SplittableRandom rng) {
    List<String[]> out = new ArrayList<>();
    List<Character> codes = BrownGenres.BY_CODE.keySet().stream().sorted().toList();
    for (int g = 0; g < codes.size(); g++) {
      char code = codes.get(g);
      List<List<String>> ofGenre = docs.entrySet().stream().filter(e -> e.getKey().charAt(1) == code)
          .map(Map.Entry::getValue).filter(d -> d.size() >= PASSAGE).toList();
      if (ofGenre.isEmpty()) {
        throw new BadInputException("the Brown corpus has no usable sample of genre " + labels.get(g));
      }
      for (int i = 0; i < share(n, codes.size(), g); i++) {
        List<String> d = ofGenre.get(rng.nextInt(ofGenre.size()));
        int start = rng.nextInt(d.size() - PASSAGE + 1);
        out.add(new String[] {String.join(" ", d.subList(start, start + PASSAGE)), labels.get(g)});
      }
    }
    return out;
  }

  private int[] adjacent(Map<String, List<String>> trainDocs, Map<String, List<String>> devDocs, Path dir)
      throws IOException {
    SplittableRandom rng = new SplittableRandom(seed + 3);
    return write(dir, TsvLayout.MRPC, "Quality\t#1 ID\t#2 ID\t#1 String\t#2 String", List.of("0", "1"),
        List.of(Metric.F1, Metric.ACCURACY), pairs(trainDocs, trainSize, rng), pairs(devDocs, devSize, rng), rng);
  }

  /** Half adjacent pairs (label 1), half a sentence and one of another sample (label 0); MRPC column order. */
  private static List<String[]> pairs(Map<String, List<String>> docs, int n, SplittableRandom rng) {
    List<String> names = docs.entrySet().stream().filter(e -> e.getValue().size() >= 2).map(Map.Entry::getKey).toList();
    List<String[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int label = i % 2;
      String a = names.get(rng.nextInt(names.size()));
      List<String> da = docs.get(a);
      int at = rng.nextInt(da.size() - 1);
      String second;
      String secondId;
      if (label == 1) {
        second = da.get(at + 1);
        secondId = a + "-" + (at + 1);
      } else {
        String b;
        do {
          b = names.get(rng.nextInt(names.size()));
        } while (b.equals(a));
        int bt = rng.nextInt(docs.get(b).size());
        second = docs.get(b).get(bt);
        secondId = b + "-" + bt;
      }
      out.add(new String[] {Integer.toString(label), a + "-" + at, secondId, da.get(at), second});
    }
    return out;
  }

  private int[] acceptability(Map<String, List<String>> trainDocs, Map<String, List<String>> devDocs, Path dir)
      throws IOException {
    SplittableRandom rng = new SplittableRandom(seed + 4);
    return write(dir, TsvLayout.COLA, null, List.of("0", "1"), List.of(Metric.MCC),
        acceptable(trainDocs, trainSize, rng), acceptable(devDocs, devSize, rng), rng);
  }

  /** CoLA rows (source, label, original label, sentence): half as written, half corrupted; no sentence twice. */
  private static List<String[]> acceptable(Map<String, List<String>> docs, int n, SplittableRandom rng) {
    List<String[]> candidates = new ArrayList<>();
    docs.forEach((name, sentences) -> {
      for (String s : sentences) {
        int words = s.split(" ").length;
        if (words >= MIN_WORDS && words <= MAX_WORDS) {
          candidates.add(new String[] {name, s});
        }
      }
    });
    if (candidates.size() < n) {
      throw new BadInputException("the Brown corpus has only " + candidates.size() + " sentences of " + MIN_WORDS
          + "-" + MAX_WORDS + " words for this split, need " + n);
    }
    shuffle(candidates, rng);
    List<String[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String[] c = candidates.get(i);
      boolean keep = i % 2 == 1;
      String sentence = keep ? c[1] : Corruptions.corrupt(c[1], rng);
      out.add(new String[] {"brown-" + c[0], keep ? "1" : "0", keep ? "" : "*", sentence});
    }
    return out;
  }

  // ---- writing

  /** Writes train.tsv, dev.tsv (rows shuffled) and task.json; returns {train, dev} sizes. */
  private static int[] write(Path dir, TsvLayout layout, String header, List<String> labels, List<Metric> metrics,
      List<String[]> train, List<String[]> dev, SplittableRandom rng) throws IOException {
    Files.createDirectories(dir);
    shuffle(train, rng);
    shuffle(dev, rng);
    writeTsv(dir.resolve("train.tsv"), header, train);
    writeTsv(dir.resolve("dev.tsv"), header, dev);
    String name = dir.getFileName().toString();
    new TaskSpec(name, dir, layout, labels, metrics, "train.tsv", Map.of(name, "dev.tsv")).save();
    return new int[] {train.size(), dev.size()};
  }

  private static void writeTsv(Path file, String header, List<String[]> rows) throws IOException {
    StringBuilder sb = new StringBuilder();
    if (header != null) {
      sb.append(header).append('\n');
    }
    for (String[] r : rows) {
      sb.append(String.join("\t", r)).append('\n');
    }
    Files.writeString(file, sb, StandardCharsets.UTF_8);
  }

  /** Tabs and line breaks would break a TSV row: they become spaces; runs of spaces collapse. */
  static String clean(String s) {
    return s.replaceAll("[\\t\\r\\n]+", " ").replaceAll(" {2,}", " ").trim();
  }

  /** The share of {@code n} that part {@code i} of {@code parts} gets: equal, the remainder to the first parts. */
  static int share(int n, int parts, int i) {
    return n / parts + (i < n % parts ? 1 : 0);
  }

  static <T> void shuffle(List<T> list, SplittableRandom rng) {
    for (int i = list.size() - 1; i > 0; i--) {
      Collections.swap(list, i, rng.nextInt(i + 1));
    }
  }
}
