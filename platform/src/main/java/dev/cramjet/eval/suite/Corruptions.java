package dev.cramjet.eval.suite;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Turns a real sentence into an unacceptable one for the acceptability task: with even odds, two words at different
 * places swap (a subtle error, often still locally fluent), or all words are shuffled (a gross one). The result always
 * differs from the input: a sentence whose words are all equal cannot be corrupted and is rejected.
 */
final class Corruptions {
  private Corruptions() {}

  static String corrupt(String sentence, SplittableRandom rng) {
    String[] words = sentence.split(" ");
    if (Arrays.stream(words).distinct().count() < 2) {
      throw new IllegalArgumentException("cannot corrupt a sentence without two different words: " + sentence);
    }
    String[] out;
    do {
      out = rng.nextBoolean() ? swapTwo(words, rng) : shuffleAll(words, rng);
    } while (Arrays.equals(out, words));
    return String.join(" ", out);
  }

  static String[] swapTwo(String[] words, SplittableRandom rng) {
    String[] w = words.clone();
    int i = rng.nextInt(w.length);
    int j = rng.nextInt(w.length);
    String t = w[i];
    w[i] = w[j];
    w[j] = t;
    return w;
  }

  static String[] shuffleAll(String[] words, SplittableRandom rng) {
    List<String> w = new ArrayList<>(Arrays.asList(words));
    SuiteBuilder.shuffle(w, rng);
    return w.toArray(new String[0]);
  }
}
