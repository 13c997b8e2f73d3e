package dev.cramjet.eval;

import dev.cramjet.util.BadInputException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Where each GLUE task comes from in the official distribution, relative to its base address, and the terms and
 * citation a user of it owes. The paths are those of the distribution that GLUE's own download script uses; a mirror
 * serves the same paths under another base address.
 */
public final class GlueSources {
  private GlueSources() {}

  /** The official distribution's base address; {@code --base-url} or {@code CRAMJET_GLUE_URL} replace it. */
  public static final String DEFAULT_BASE = "https://dl.fbaipublicfiles.com/";

  /** How a task's files become its folder. */
  public enum Kind {
    /** One zip archive holding the task folder. */
    ZIP,
    /** MRPC: the two SentEval text files split into train and dev by GLUE's list of dev pairs. */
    MRPC,
    /** One TSV file that becomes the only file of the folder (the diagnostic set). */
    SINGLE_FILE
  }

  /**
   * One task: its folder in the official layout, the names a user may type for it, the source paths under the base
   * address, the files that must be present after unpacking (relative to the folder), and its terms and citation.
   */
  public record Task(String folder, List<String> names, Kind kind, List<String> paths, List<String> expected,
      String terms, String citation) {}

  private static final String GLUE = "glue/data/";

  /** Every task, in GLUE's order; the diagnostic set (AX) last. */
  public static final List<Task> ALL = List.of(
      zip("CoLA", List.of("cola"), "CoLA.zip",
          "research use; see the CoLA release notes",
          "Warstadt, Singh and Bowman (2019), Neural Network Acceptability Judgments, TACL"),
      zip("SST-2", List.of("sst2", "sst"), "SST-2.zip",
          "research use; see the Stanford Sentiment Treebank release",
          "Socher et al. (2013), Recursive Deep Models for Semantic Compositionality Over a Sentiment Treebank, EMNLP"),
      new Task("MRPC", List.of("mrpc"), Kind.MRPC,
          List.of("senteval/senteval_data/msr_paraphrase_train.txt", "senteval/senteval_data/msr_paraphrase_test.txt",
              GLUE + "mrpc_dev_ids.tsv"),
          List.of("train.tsv", "dev.tsv", "test.tsv"),
          "Microsoft Research Paraphrase Corpus licence (research use); the text files are SentEval's copy",
          "Dolan and Brockett (2005), Automatically Constructing a Corpus of Sentential Paraphrases, IWP"),
      zip("STS-B", List.of("stsb", "sts"), "STS-B.zip",
          "mixed sources; see the STS Benchmark page",
          "Cer et al. (2017), SemEval-2017 Task 1: Semantic Textual Similarity, SemEval"),
      zip("QQP", List.of("qqp"), "QQP-clean.zip",
          "Quora's terms of service (non-commercial use)",
          "Iyer, Dandekar and Csernai (2017), First Quora Dataset Release: Question Pairs"),
      new Task("MNLI", List.of("mnli"), Kind.ZIP, List.of(GLUE + "MNLI.zip"),
          List.of("train.tsv", "dev_matched.tsv", "dev_mismatched.tsv"),
          "OANC and Creative Commons (CC BY-SA 3.0, CC BY 3.0) sources; see the MultiNLI data description",
          "Williams, Nangia and Bowman (2018), A Broad-Coverage Challenge Corpus for Sentence Understanding through"
              + " Inference, NAACL"),
      zip("QNLI", List.of("qnli"), "QNLIv2.zip",
          "CC BY-SA 4.0 (from SQuAD)",
          "Rajpurkar et al. (2016), SQuAD: 100,000+ Questions for Machine Comprehension of Text, EMNLP"),
      zip("RTE", List.of("rte"), "RTE.zip",
          "research use; see the RTE challenge pages",
          "Dagan et al. (2006); Bar Haim et al. (2006); Giampiccolo et al. (2007); Bentivogli et al. (2009)"),
      zip("WNLI", List.of("wnli"), "WNLI.zip",
          "CC BY 4.0 (the Winograd Schema Challenge)",
          "Levesque, Davis and Morgenstern (2012), The Winograd Schema Challenge, KR"),
      new Task("diagnostic", List.of("ax", "diagnostic"), Kind.SINGLE_FILE, List.of(GLUE + "AX.tsv"),
          List.of("diagnostic.tsv"),
          "GLUE diagnostic dataset; see the GLUE site",
          "Wang et al. (2019), GLUE: A Multi-Task Benchmark and Analysis Platform for NLU, ICLR"));

  /** What a fetch gets when no task is named: the nine tasks, without the diagnostic set. */
  public static List<Task> defaults() {
    return ALL.subList(0, ALL.size() - 1);
  }

  private static Task zip(String folder, List<String> names, String archive, String terms, String citation) {
    return new Task(folder, names, Kind.ZIP, List.of(GLUE + archive), List.of("train.tsv", "dev.tsv"), terms,
        citation);
  }

  /**
   * The tasks a user named (case, hyphens and underscores ignored: {@code cola}, {@code SST-2}, {@code sts_b}), in
   * GLUE's order; an empty list means {@link #defaults()}. An unknown name is an error that lists the known ones.
   */
  public static List<Task> select(List<String> wanted) {
    if (wanted == null || wanted.isEmpty()) {
      return defaults();
    }
    Set<Task> chosen = new LinkedHashSet<>();
    for (String w : wanted) {
      String key = normalise(w);
      Task found = null;
      for (Task t : ALL) {
        if (normalise(t.folder()).equals(key) || t.names().contains(key)) {
          found = t;
          break;
        }
      }
      if (found == null) {
        List<String> known = new ArrayList<>();
        for (Task t : ALL) {
          known.add(t.names().get(0));
        }
        throw new BadInputException("--tasks: unknown GLUE task '" + w + "'; known: " + String.join(", ", known));
      }
      chosen.add(found);
    }
    List<Task> ordered = new ArrayList<>();
    for (Task t : ALL) {
      if (chosen.contains(t)) {
        ordered.add(t);
      }
    }
    return ordered;
  }

  private static String normalise(String name) {
    return name.trim().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
  }
}
