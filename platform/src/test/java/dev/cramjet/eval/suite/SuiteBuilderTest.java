package dev.cramjet.eval.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cramjet.eval.Example;
import dev.cramjet.eval.GlueTasks;
import dev.cramjet.eval.TaskSpec;
import dev.cramjet.eval.TsvReader;
import dev.cramjet.util.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SuiteBuilderTest {
  @TempDir Path tmp;
  Path reviews;
  Path brown;

  /** Sentence {@code i} of Brown sample {@code file}: six distinct words naming where it comes from. */
  static String sentence(String file, int i) {
    return file + " s" + i + " alpha beta gamma delta";
  }

  @BeforeEach
  void corpora() throws Exception {
    reviews = tmp.resolve("imdb/reviews.jsonl");
    Files.createDirectories(reviews.getParent());
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 60; i++) {
      sb.append("{\"text\":\"review ").append(i).append(i % 2 == 0 ? " awful\\tdull" : " great fun").append("\",\"label\":")
          .append(i % 2 == 0 ? 0 : 1).append("}\n");
    }
    Files.writeString(reviews, sb);
    brown = tmp.resolve("brown");
    Files.createDirectories(brown);
    for (char g : "abcdefghjklmnpr".toCharArray()) {
      for (int f = 1; f <= 3; f++) {
        String name = "c" + g + "0" + f;
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          lines.add(sentence(name, i));
        }
        Files.write(brown.resolve(name + ".txt"), lines);
      }
    }
    Files.writeString(brown.resolve("README.txt"), "not a sample\n");
  }

  private List<Example> read(Path suite, String task, String file) throws Exception {
    TaskSpec spec = TaskSpec.load(suite.resolve(task));
    return TsvReader.read(suite.resolve(task).resolve(file), spec, false).examples();
  }

  @Test
  void buildsFourTasksInGlueFormatsThatTheReaderReads() throws Exception {
    Path suite = tmp.resolve("suite");
    SuiteBuilder.Summary s = new SuiteBuilder(30, 16, 5).build(reviews, brown, suite);
    assertEquals(List.of("imdb-sentiment", "brown-genre", "brown-adjacent", "brown-acceptability"),
        List.copyOf(s.sizes().keySet()));
    assertTrue(GlueTasks.isSuite(suite));
    List<TaskSpec> tasks = GlueTasks.discover(suite, List.of());
    assertEquals(4, tasks.size());
    for (TaskSpec t : tasks) {
      assertEquals(30, read(suite, t.name(), "train.tsv").size(), t.name());
      assertEquals(16, read(suite, t.name(), "dev.tsv").size(), t.name());
    }
    assertTrue(Files.readString(suite.resolve("suite.json")).contains("not GLUE"));
    assertTrue(Files.readString(suite.resolve("brown-acceptability/train.tsv")).lines()
        .allMatch(l -> l.split("\t", -1).length == 4), "CoLA rows have 4 columns and no header");
  }

  @Test
  void imdbIsBalancedAndTabsAreCleaned() throws Exception {
    Path suite = tmp.resolve("suite");
    new SuiteBuilder(30, 16, 5).build(reviews, brown, suite);
    List<Example> train = read(suite, "imdb-sentiment", "train.tsv");
    List<Example> dev = read(suite, "imdb-sentiment", "dev.tsv");
    assertEquals(15, train.stream().filter(e -> e.label() == 1).count());
    assertEquals(8, dev.stream().filter(e -> e.label() == 1).count());
    for (Example e : train) {
      assertEquals(e.label() == 1, e.first().endsWith("great fun"), e.first());
      assertFalse(e.first().contains("\t"));
    }
    Set<String> trainTexts = train.stream().map(Example::first).collect(Collectors.toSet());
    assertTrue(dev.stream().noneMatch(e -> trainTexts.contains(e.first())), "dev reviews are not in train");
  }

  @Test
  void genrePassagesComeFromTheirGenreAndDevFilesAreHeldOut() throws Exception {
    Path suite = tmp.resolve("suite");
    new SuiteBuilder(30, 16, 5).build(reviews, brown, suite);
    TaskSpec genre = TaskSpec.load(suite.resolve("brown-genre"));
    assertEquals(15, genre.labels().size());
    List<Example> train = read(suite, "brown-genre", "train.tsv");
    List<Example> dev = read(suite, "brown-genre", "dev.tsv");
    List<String> codes = List.of("a", "b", "c", "d", "e", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r");
    Set<String> trainFiles = new HashSet<>();
    for (Example e : train) {
      String file = e.first().substring(0, 4); // every sentence starts with its file name
      assertEquals(genre.labels().get(codes.indexOf(file.substring(1, 2))), genre.labels().get(e.label()));
      assertEquals(3, e.first().split(" alpha beta gamma delta").length, "three sentences: " + e.first());
      trainFiles.add(file);
    }
    for (Example e : dev) {
      assertFalse(trainFiles.contains(e.first().substring(0, 4)), "dev file also in train: " + e.first());
    }
  }

  @Test
  void adjacentPairsFollowEachOtherAndNegativesComeFromAnotherSample() throws Exception {
    Path suite = tmp.resolve("suite");
    new SuiteBuilder(30, 16, 5).build(reviews, brown, suite);
    List<Example> train = read(suite, "brown-adjacent", "train.tsv");
    assertEquals(15, train.stream().filter(e -> e.label() == 1).count());
    for (Example e : train) {
      String[] a = e.first().split(" ");
      String[] b = e.second().split(" ");
      if (e.label() == 1) {
        assertEquals(a[0], b[0]);
        assertEquals(Integer.parseInt(a[1].substring(1)) + 1, Integer.parseInt(b[1].substring(1)));
      } else {
        assertNotEquals(a[0], b[0]);
      }
    }
  }

  @Test
  void acceptabilityPairsOriginalsWithCorruptedSentences() throws Exception {
    Path suite = tmp.resolve("suite");
    new SuiteBuilder(30, 16, 5).build(reviews, brown, suite);
    List<Example> train = read(suite, "brown-acceptability", "train.tsv");
    assertEquals(15, train.stream().filter(e -> e.label() == 1).count());
    Set<String> sources = new HashSet<>();
    for (Example e : train) {
      String[] w = e.first().split(" ");
      String[] sorted = w.clone();
      Arrays.sort(sorted);
      // The words are always those of one real sentence; the file and sentence number words name it.
      String file = Arrays.stream(w).filter(x -> x.matches("c[a-r]\\d\\d")).findFirst().orElseThrow();
      String num = Arrays.stream(w).filter(x -> x.matches("s\\d+")).findFirst().orElseThrow();
      String original = sentence(file, Integer.parseInt(num.substring(1)));
      String[] origSorted = original.split(" ");
      Arrays.sort(origSorted);
      assertTrue(Arrays.equals(sorted, origSorted));
      assertEquals(e.label() == 1, e.first().equals(original), e.first());
      assertTrue(sources.add(original), "each source sentence once: " + original);
    }
  }

  @Test
  void sameSeedSameSuite() throws Exception {
    new SuiteBuilder(30, 16, 5).build(reviews, brown, tmp.resolve("a"));
    new SuiteBuilder(30, 16, 5).build(reviews, brown, tmp.resolve("b"));
    new SuiteBuilder(30, 16, 6).build(reviews, brown, tmp.resolve("c"));
    for (String t : List.of("imdb-sentiment", "brown-genre", "brown-adjacent", "brown-acceptability")) {
      assertEquals(Files.readString(tmp.resolve("a").resolve(t).resolve("train.tsv")),
          Files.readString(tmp.resolve("b").resolve(t).resolve("train.tsv")), t);
    }
    assertNotEquals(Files.readString(tmp.resolve("a/brown-genre/train.tsv")),
        Files.readString(tmp.resolve("c/brown-genre/train.tsv")));
  }

  @Test
  void badInputsAreReported() throws Exception {
    assertThrows(BadInputException.class, () -> new SuiteBuilder(10, 16, 1));
    BadInputException few = assertThrows(BadInputException.class,
        () -> new SuiteBuilder(300, 16, 5).build(reviews, brown, tmp.resolve("x")));
    assertTrue(few.getMessage().contains("only 30 reviews of label 0"), few.getMessage());
    assertFalse(Files.exists(tmp.resolve("x")), "nothing half-written");
    BadInputException noBrown = assertThrows(BadInputException.class,
        () -> new SuiteBuilder(30, 16, 5).build(reviews, tmp.resolve("imdb"), tmp.resolve("y")));
    assertTrue(noBrown.getMessage().contains("no Brown samples"), noBrown.getMessage());
  }

  @Test
  void corruptionsKeepTheWordsAndChangeTheOrder() {
    SplittableRandom rng = new SplittableRandom(1);
    for (int i = 0; i < 50; i++) {
      String s = "the jury said it did find no evidence";
      String c = Corruptions.corrupt(s, rng);
      assertNotEquals(s, c);
      String[] a = s.split(" ");
      String[] b = c.split(" ");
      Arrays.sort(a);
      Arrays.sort(b);
      assertTrue(Arrays.equals(a, b), c);
    }
    assertThrows(IllegalArgumentException.class, () -> Corruptions.corrupt("no no no", rng));
  }
}
