package dev.cramjet.cli;

import dev.cramjet.data.CorpusFetcher;
import dev.cramjet.data.CorpusFiles;
import dev.cramjet.util.Hashing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A corpus the user already has on disk, described like a fetched one so the demo treats both alike. Its identity for
 * the caches is the SHA-256 of its files' names and contents, so editing a file retrains the tokenizer.
 */
final class LocalCorpus {
  private LocalCorpus() {}

  static CorpusFetcher.Result describe(Path path) throws IOException {
    path = path.toAbsolutePath().normalize();
    CorpusFiles.Resolved resolved = CorpusFiles.resolve(List.of(path.toString()), Path.of(""));
    List<CorpusFetcher.FileInfo> files = new ArrayList<>();
    StringBuilder identity = new StringBuilder();
    long bytes = 0;
    Path base = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
    for (Path f : resolved.files()) {
      long size = Files.size(f);
      bytes += size;
      files.add(new CorpusFetcher.FileInfo(base.relativize(f.toAbsolutePath().normalize()).toString(), size, 0));
      identity.append(base.relativize(f.toAbsolutePath().normalize())).append('=').append(Hashing.sha256(f)).append('\n');
    }
    String sha = Hashing.sha256(identity.toString());
    return new CorpusFetcher.Result(path, true, new CorpusFetcher.CorpusInfo(path.getFileName().toString(), "local",
        List.of("local:" + path.toAbsolutePath()), List.of(sha), files, bytes, 0));
  }
}
