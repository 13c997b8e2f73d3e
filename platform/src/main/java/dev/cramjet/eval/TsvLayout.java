package dev.cramjet.eval;

import dev.cramjet.util.BadInputException;
import java.util.List;
import java.util.Locale;

/**
 * Where the texts and the label sit in one GLUE task's TSV files. All but CoLA have a header row and are read by
 * column name (MNLI and STS-B have many columns, of which three matter); CoLA has no header and fixed columns (source,
 * label, original label, sentence). Fields are split on tabs only: GLUE's files are not CSV-quoted, so quotes are
 * ordinary characters (Python's QUOTE_NONE).
 *
 * @param header whether the first line names the columns
 * @param first column of the first text (a header name, or the 0-based index as a string for headerless files)
 * @param second column of the second text, or null for single-sentence tasks
 * @param label column of the label or score
 * @param columnNames names used in error messages for headerless files (empty for files with a header)
 */
public record TsvLayout(String id, boolean header, String first, String second, String label,
    List<String> columnNames) {

  public static final TsvLayout COLA = new TsvLayout("cola", false, "3", null, "1",
      List.of("source", "label", "original_label", "sentence"));
  public static final TsvLayout SST2 = headed("sst2", "sentence", null, "label");
  public static final TsvLayout MRPC = headed("mrpc", "#1 String", "#2 String", "Quality");
  public static final TsvLayout STSB = headed("stsb", "sentence1", "sentence2", "score");
  public static final TsvLayout QQP = headed("qqp", "question1", "question2", "is_duplicate");
  public static final TsvLayout MNLI = headed("mnli", "sentence1", "sentence2", "gold_label");
  public static final TsvLayout QNLI = headed("qnli", "question", "sentence", "label");
  public static final TsvLayout RTE = headed("rte", "sentence1", "sentence2", "label");
  public static final TsvLayout WNLI = headed("wnli", "sentence1", "sentence2", "label");

  private static final List<TsvLayout> ALL = List.of(COLA, SST2, MRPC, STSB, QQP, MNLI, QNLI, RTE, WNLI);

  private static TsvLayout headed(String id, String first, String second, String label) {
    return new TsvLayout(id, true, first, second, label, List.of());
  }

  public boolean pair() {
    return second != null;
  }

  /** The layout of the GLUE task {@code id} (cola, sst2, mrpc, stsb, qqp, mnli, qnli, rte, wnli). */
  public static TsvLayout named(String id, String what) {
    String key = id.toLowerCase(Locale.ROOT).replace("-", "");
    for (TsvLayout l : ALL) {
      if (l.id.equals(key)) {
        return l;
      }
    }
    throw new BadInputException(what + ": unknown file format '" + id + "'; expected one of "
        + ALL.stream().map(TsvLayout::id).toList());
  }
}
