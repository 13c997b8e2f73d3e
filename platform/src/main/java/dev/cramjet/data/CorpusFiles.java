package dev.cramjet.data;

import dev.cramjet.util.BadInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Turns the user's input list (files, folders, globs) into the ordered list of files to read. Folders are walked
 * recursively; their files and a glob's matches are sorted by path so the same inputs always give the same order.
 * Inside folders only recognised names are read ({@code .txt}, {@code .jsonl}, either with {@code .gz} or {@code
 * .zst}); other files are listed as skipped and hidden files (names starting with a dot) are ignored, in globs too, as is a fetched corpus's {@code corpus.json}. A file named directly is always read (as plain
 * text unless its name says JSON lines). It does not open the files.
 */
public final class CorpusFiles {
  private CorpusFiles() {}

  /** The files to read, in order, and the files passed over with the reason. */
  public record Resolved(List<Path> files, List<Manifest.SkippedFile> skipped) {
    public Resolved {
      files = List.copyOf(files);
      skipped = List.copyOf(skipped);
    }
  }

  /**
   * Resolves {@code inputs}; relative ones against {@code base}. A missing path, a glob with no match, or no readable
   * file at all is a {@link BadInputException}.
   */
  public static Resolved resolve(List<String> inputs, Path base) {
    if (inputs.isEmpty()) throw new BadInputException("no corpus inputs given: expected files, folders or globs");
    base = base.toAbsolutePath();
    Set<Path> files = new LinkedHashSet<>();
    List<Manifest.SkippedFile> skipped = new ArrayList<>();
    for (String input : inputs) {
      if (isGlob(input)) {
        List<Path> matches = glob(input, base);
        if (matches.isEmpty()) throw new BadInputException("corpus input glob " + input + " matches no file");
        files.addAll(matches);
        continue;
      }
      Path p = base.resolve(input).normalize();
      if (!Files.exists(p)) throw new BadInputException("corpus input " + p + " does not exist");
      if (Files.isDirectory(p)) {
        for (Path f : walk(p)) {
          String fname = f.getFileName().toString();
          // Hidden files and the fetcher's own description are not corpus text.
          if (fname.startsWith(".") || fname.equals(CorpusFetcher.INFO_FILE)) continue;
          if (TextFormat.recognised(f)) files.add(f);
          else skipped.add(new Manifest.SkippedFile(f.toString(), "not .txt/.jsonl (optionally .gz/.zst)"));
        }
      } else {
        files.add(p);
      }
    }
    if (files.isEmpty()) {
      throw new BadInputException("corpus inputs " + inputs + " hold no .txt or .jsonl file (optionally .gz/.zst)");
    }
    return new Resolved(new ArrayList<>(files), skipped);
  }

  static boolean isGlob(String s) {
    return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0 || s.indexOf('{') >= 0;
  }

  private static List<Path> glob(String pattern, Path base) {
    // Walk from the deepest folder before the first wildcard, match the whole path.
    int wild = firstWildcard(pattern);
    int slash = pattern.lastIndexOf('/', wild);
    Path root = base.resolve(slash < 0 ? "" : pattern.substring(0, slash + 1)).normalize();
    String absPattern = root + "/" + pattern.substring(slash + 1);
    PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + absPattern);
    if (!Files.isDirectory(root)) return List.of();
    List<Path> out = new ArrayList<>();
    for (Path f : walk(root)) {
      if (m.matches(f) && !f.getFileName().toString().startsWith(".")) out.add(f);
    }
    return out;
  }

  private static int firstWildcard(String s) {
    int i = s.length();
    for (char c : new char[] {'*', '?', '[', '{'}) {
      int k = s.indexOf(c);
      if (k >= 0) i = Math.min(i, k);
    }
    return i;
  }

  private static List<Path> walk(Path dir) {
    try {
      return filesUnder(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  /**
   * Every regular file below {@code dir}, recursively and sorted by path, whatever its name: the walk behind folders
   * and globs, also used by the CLI's line readers. A folder that cannot be opened is an {@link IOException}.
   */
  public static List<Path> filesUnder(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).sorted().toList();
    }
  }
}
