package dev.cramjet.eval.suite;

import java.util.Map;

/** The 15 Brown corpus genres, keyed by the second letter of a sample's file name ({@code ca01} is press: reportage). */
final class BrownGenres {
  private BrownGenres() {}

  static final Map<Character, String> BY_CODE = Map.ofEntries(
      Map.entry('a', "press_reportage"),
      Map.entry('b', "press_editorial"),
      Map.entry('c', "press_reviews"),
      Map.entry('d', "religion"),
      Map.entry('e', "skill_and_hobbies"),
      Map.entry('f', "popular_lore"),
      Map.entry('g', "belles_lettres"),
      Map.entry('h', "government"),
      Map.entry('j', "learned"),
      Map.entry('k', "fiction"),
      Map.entry('l', "mystery"),
      Map.entry('m', "science_fiction"),
      Map.entry('n', "adventure"),
      Map.entry('p', "romance"),
      Map.entry('r', "humor"));
}
