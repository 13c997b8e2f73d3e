package dev.cramjet.eval;

/**
 * One labelled example of a sentence or sentence-pair task.
 *
 * @param first the first (or only) text
 * @param second the second text, or null for single-sentence tasks
 * @param label the class index into the task's label list; -1 for regression
 * @param score the gold value for regression; NaN for classification
 * @param line the 1-based line of the file it came from (for messages)
 */
public record Example(String first, String second, int label, double score, int line) {
  public Example {
    if (first == null) {
      throw new IllegalArgumentException("an example needs a first text");
    }
  }

  public static Example classified(String first, String second, int label, int line) {
    return new Example(first, second, label, Double.NaN, line);
  }

  public static Example scored(String first, String second, double score, int line) {
    return new Example(first, second, -1, score, line);
  }
}
