package dev.cramjet.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Where a result came from: the code's git commit, found once per process. */
public final class Provenance {
  private static volatile String commit;

  private Provenance() {}

  /**
   * The git commit of the code: the {@code cramjet.git.commit} system property (set by {@code bin/cramjet}), else
   * {@code git rev-parse HEAD} in the working directory, else "unknown". A "+dirty" suffix marks local changes.
   */
  public static String gitCommit() {
    String c = commit;
    if (c == null) {
      c = System.getProperty("cramjet.git.commit");
      if (c == null || c.isBlank()) {
        c = askGit();
      }
      commit = c;
    }
    return c;
  }

  private static String askGit() {
    if (!Files.isDirectory(Path.of(".git")) && !Files.isRegularFile(Path.of(".git"))) {
      return "unknown";
    }
    try {
      Process p = new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0 || out.length() != 40) {
        return "unknown";
      }
      Process d = new ProcessBuilder("git", "status", "--porcelain", "--untracked-files=no").start();
      String dirty = new String(d.getInputStream().readAllBytes()).trim();
      d.waitFor(5, TimeUnit.SECONDS);
      return dirty.isEmpty() ? out : out + "+dirty";
    } catch (IOException e) {
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }
}
