package dev.cramjet.dashboards;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Paths of the repository's non-Java files (dashboards, docker) and of the Prometheus tools on PATH. */
final class RepoFiles {
  private RepoFiles() {}

  /** The repository root: the nearest folder above the working directory that holds {@code dashboards/}. */
  static Path root() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null) {
      if (Files.isDirectory(p.resolve("dashboards")) && Files.isRegularFile(p.resolve("pom.xml"))) {
        return p;
      }
      p = p.getParent();
    }
    throw new IllegalStateException("no repository root with dashboards/ above " + Path.of("").toAbsolutePath());
  }

  static Path dashboards() {
    return root().resolve("dashboards");
  }

  /** An executable named {@code name} on PATH, if any ({@code prometheus}, {@code promtool}). */
  static Optional<Path> onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
