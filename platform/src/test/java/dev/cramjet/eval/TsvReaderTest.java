package dev.cramjet.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cramjet.util.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TsvReaderTest {
  @TempDir Path glue;

  private TaskSpec task(String name) {
    return GlueTasks.all(glue).stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
  }

  private Path write(String task, String file, String... lines) throws Exception {
    Path p = glue.resolve(task).resolve(file);
    Files.createDirectories(p.getParent());
    Files.writeString(p, String.join("\n", lines) + "\n");
    return p;
  }

  @Test
  void colaIsHeaderlessWithFixedColumns() throws Exception {
    Path f = write("CoLA", "train.tsv",
        "gj04\t1\t\tOur friends won't buy this analysis, let alone the next one we propose.",
        "gj04\t0\t*\tThey drank the pub.");
    List<Example> ex = TsvReader.read(f, task("CoLA"), false).examples();
    assertEquals(2, ex.size());
    assertEquals("Our friends won't buy this analysis, let alone the next one we propose.", ex.get(0).first());
    assertNull(ex.get(0).second());
    assertEquals(1, ex.get(0).label());
    assertEquals(0, ex.get(1).label());
    assertEquals(2, ex.get(1).line());
  }

  @Test
  void colaShortRowNamesFileLineAndField() throws Exception {
    Path f = write("CoLA", "dev.tsv", "gj04\t1\t\tFine.", "gj04\t1\t");
    BadInputException e = assertThrows(BadInputException.class, () -> TsvReader.read(f, task("CoLA"), false));
    assertTrue(e.getMessage().contains(f + ": line 2: field 'sentence' (column 4) is missing"), e.getMessage());
  }

  @Test
  void sst2KeepsQuotesLiterally() throws Exception {
    Path f = write("SST-2", "train.tsv", "sentence\tlabel", "\"hide new secretions\" from the parental units \t0",
        "it 's a charming \" journey . \t1");
    List<Example> ex = TsvReader.read(f, task("SST-2"), false).examples();
    assertEquals("\"hide new secretions\" from the parental units ", ex.get(0).first());
    assertEquals("it 's a charming \" journey . ", ex.get(1).first());
    assertEquals(List.of(0, 1), ex.stream().map(Example::label).toList());
  }

  @Test
  void mrpcReadsStringsByHeaderName() throws Exception {
    Path f = write("MRPC", "dev.tsv", "Quality\t#1 ID\t#2 ID\t#1 String\t#2 String",
        "1\t1355540\t1355592\tHe said the foodservice pie business doesn't fit.\tThe foodservice pie business does not fit.",
        "0\t2029631\t2029565\tMagnarelli said Racicot hated the Iraqi regime.\tHis wife said he was \"100 percent behind\" him.");
    List<Example> ex = TsvReader.read(f, task("MRPC"), false).examples();
    assertEquals("The foodservice pie business does not fit.", ex.get(0).second());
    assertEquals(1, ex.get(0).label());
    assertEquals("His wife said he was \"100 percent behind\" him.", ex.get(1).second());
    assertEquals(0, ex.get(1).label());
  }

  @Test
  void stsbReadsScoresAndRejectsNonNumbers() throws Exception {
    String header = "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore";
    Path f = write("STS-B", "dev.tsv", header,
        "0\tmain-captions\tMSRvid\t2012test\t0000\tnone\tnone\tA man with a hard hat is dancing.\tA man wearing a hard hat is dancing.\t5.000",
        "1\tmain-captions\tMSRvid\t2012test\t0002\tnone\tnone\tA young child is riding a horse.\tA child is riding a horse.\t4.750");
    List<Example> ex = TsvReader.read(f, task("STS-B"), false).examples();
    assertEquals(5.0, ex.get(0).score(), 0);
    assertEquals(4.75, ex.get(1).score(), 0);
    assertEquals(-1, ex.get(1).label());

    Path bad = write("STS-B", "train.tsv", header, "0\tg\tf\ty\to\ts\ts\tA.\tB.\tfive");
    BadInputException e = assertThrows(BadInputException.class, () -> TsvReader.read(bad, task("STS-B"), false));
    assertTrue(e.getMessage().contains("line 2: field 'score' (column 10): expected a number, got 'five'"), e.getMessage());
  }

  @Test
  void qqpMalformedLinesFailOrAreSkippedAndCounted() throws Exception {
    Path f = write("QQP", "train.tsv", "id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate",
        "133273\t213221\t213222\tHow is the life of a math student?\tWhich level of prepration is enough?\t0",
        "402555\t536040\t536041\tHow do I control my horny emotions?",
        "360472\t364011\t490273\tWhat causes stool color to change?\tWhat can cause stool to come out as little balls?\t1",
        "1\t2\t3\tq\tq\tyes");
    BadInputException e = assertThrows(BadInputException.class, () -> TsvReader.read(f, task("QQP"), false));
    assertTrue(e.getMessage().contains("line 3: field 'question2' (column 5) is missing"), e.getMessage());

    TsvReader.Result r = TsvReader.read(f, task("QQP"), true);
    assertEquals(2, r.examples().size());
    assertEquals(2, r.skipped());
    assertEquals(List.of(0, 1), r.examples().stream().map(Example::label).toList());
    assertTrue(r.firstProblem().contains("line 3"), r.firstProblem());
  }

  @Test
  void mnliMapsGoldLabelsAndHasTwoDevFiles() throws Exception {
    String header = "index\tpromptID\tpairID\tgenre\tsentence1_binary_parse\tsentence2_binary_parse\tsentence1_parse"
        + "\tsentence2_parse\tsentence1\tsentence2\tlabel1\tlabel2\tlabel3\tlabel4\tlabel5\tgold_label";
    String row = "0\t63735\t63735n\tslate\t( ( The new ) )\t( ( The ) )\t(ROOT (S))\t(ROOT (S))"
        + "\tThe new rights are nice enough\tEveryone really likes the newest benefits\tneutral\tentailment\tneutral"
        + "\tneutral\tneutral\tneutral";
    write("MNLI", "dev_matched.tsv", header, row);
    write("MNLI", "dev_mismatched.tsv", header, row.substring(0, row.lastIndexOf('\t')) + "\tcontradiction");
    TaskSpec mnli = task("MNLI");
    assertEquals(List.of("MNLI-m", "MNLI-mm"), List.copyOf(mnli.dev().keySet()));
    Example m = TsvReader.read(mnli.folder().resolve("dev_matched.tsv"), mnli, false).examples().get(0);
    assertEquals("The new rights are nice enough", m.first());
    assertEquals("Everyone really likes the newest benefits", m.second());
    assertEquals(1, m.label()); // entailment 0, neutral 1, contradiction 2
    assertEquals(2, TsvReader.read(mnli.folder().resolve("dev_mismatched.tsv"), mnli, false).examples().get(0).label());
  }

  @Test
  void qnliAndRteLabelsAreChecked() throws Exception {
    Path q = write("QNLI", "dev.tsv", "index\tquestion\tsentence\tlabel",
        "0\tWhat came into force after the new constitution was herald?\tAs of that day, the new constitution heralding"
            + " the Second Republic came into force.\tentailment");
    Example e = TsvReader.read(q, task("QNLI"), false).examples().get(0);
    assertEquals(0, e.label());
    assertTrue(e.first().startsWith("What came"));

    Path r = write("RTE", "dev.tsv", "index\tsentence1\tsentence2\tlabel", "0\tDana Reeve died.\tChristopher Reeve had an"
        + " accident.\tnot_entailment", "1\tA.\tB.\tmaybe");
    BadInputException bad = assertThrows(BadInputException.class, () -> TsvReader.read(r, task("RTE"), false));
    assertTrue(bad.getMessage().contains("line 3: field 'label' (column 4): expected one of [entailment, not_entailment],"
        + " got 'maybe'"), bad.getMessage());
  }

  @Test
  void headerWithoutTheNeededColumnIsAlwaysAnError() throws Exception {
    Path f = write("SST-2", "dev.tsv", "text\tlabel", "good\t1");
    BadInputException e = assertThrows(BadInputException.class, () -> TsvReader.read(f, task("SST-2"), true));
    assertTrue(e.getMessage().contains("line 1: the header has no column 'sentence'"), e.getMessage());
  }

  @Test
  void discoverFindsPresentGlueTasksAndRejectsUnknownOnes() throws Exception {
    write("RTE", "train.tsv", "index\tsentence1\tsentence2\tlabel");
    write("CoLA", "train.tsv", "x\t1\t\ty");
    write("WNLI", "train.tsv", "index\tsentence1\tsentence2\tlabel");
    assertEquals(List.of("CoLA", "RTE"), GlueTasks.discover(glue, List.of()).stream().map(TaskSpec::name).toList());
    assertEquals(List.of("WNLI"), GlueTasks.discover(glue, List.of("wnli")).stream().map(TaskSpec::name).toList());
    BadInputException e = assertThrows(BadInputException.class, () -> GlueTasks.discover(glue, List.of("sts-b")));
    assertTrue(e.getMessage().contains("no task 'sts-b'"), e.getMessage());
  }

  @Test
  void suiteTaskDescribesAMultiClassLabelSet(@TempDir Path suite) throws Exception {
    TaskSpec genre = new TaskSpec("genre", suite.resolve("genre"), TsvLayout.SST2, List.of("news", "humor", "romance"),
        List.of(Metric.ACCURACY), "train.tsv", java.util.Map.of("genre", "dev.tsv"));
    genre.save();
    Files.writeString(suite.resolve("genre/train.tsv"), "sentence\tlabel\nthe paper said\tnews\nshe loved him\tromance\n");
    assertTrue(GlueTasks.isSuite(suite));
    TaskSpec loaded = GlueTasks.discover(suite, List.of()).get(0);
    assertEquals(genre, loaded);
    List<Example> ex = TsvReader.read(suite.resolve("genre/train.tsv"), loaded, false).examples();
    assertEquals(List.of(0, 2), ex.stream().map(Example::label).toList());
  }
}
