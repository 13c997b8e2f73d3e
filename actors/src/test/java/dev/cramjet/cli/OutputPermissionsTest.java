package dev.cramjet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every file and folder the commands write follows the process's umask, as a file made with {@link Files#createFile}
 * does: tokenizer train, tokenize, data prepare, pretrain (config.conf, metrics, checkpoints) and export. Java cannot
 * set the umask, so the expected modes are read from a file and a folder created normally beside the outputs.
 */
class OutputPermissionsTest {
  @TempDir Path dir;

  private static int run(String... args) {
    CliRun.Result r = CliRun.run(args);
    assertEquals(0, r.code(), String.join(" ", args) + ":\n" + r.out() + r.err());
    return r.code();
  }

  @Test
  void everyOutputFollowsTheUmask() throws Exception {
    Set<PosixFilePermission> fileMode = Files.getPosixFilePermissions(Files.createFile(dir.resolve("plain-file")));
    Set<PosixFilePermission> dirMode = Files.getPosixFilePermissions(Files.createDirectory(dir.resolve("plain-dir")));

    Path corpus = TestCorpus.write(dir, 4, 40, 9);
    Path tok = dir.resolve("tok");
    run("tokenizer", "train", "--input", corpus.toString(), "--vocab-size", "200", "--out", tok.toString());
    Path ids = dir.resolve("ids/ids.txt");
    Files.createDirectories(ids.getParent());
    run("tokenize", "--tokenizer", tok.toString(), "--input", Files.list(corpus).sorted().findFirst().orElseThrow()
        .toString(), "--out", ids.toString());
    Files.writeString(dir.resolve("data.conf"), "data { inputs = [\"corpus\"], tokenizer = \"tok\", seq-len = 32 }\n");
    Path shards = dir.resolve("shards");
    run("data", "prepare", "--config", dir.resolve("data.conf").toString(), "--out", shards.toString());
    Files.writeString(dir.resolve("run.conf"), """
        arch { preset = mini, hidden = 32, layers = 1, intermediate = 64, max-seq-len = 32 }
        train { preset = cpu-short, micro-batch = 8, batch-size = 8, checkpoint-every = 1steps, log-every = 1 }
        """);
    Path runDir = dir.resolve("run");
    run("pretrain", "--config", dir.resolve("run.conf").toString(), "--shards", shards.toString(), "--budget",
        "2steps", "--out", runDir.toString(), "--peak-flops", "1e11");
    Path export = dir.resolve("export");
    run("export", "--checkpoint", runDir.toString(), "--tokenizer", tok.toString(), "--out", export.toString());

    List<String> wrong = new ArrayList<>();
    int checked = 0;
    for (Path root : List.of(tok, ids.getParent(), shards, runDir, export)) {
      try (Stream<Path> s = Files.walk(root)) {
        for (Path p : s.toList()) {
          Set<PosixFilePermission> expected = Files.isDirectory(p) ? dirMode : fileMode;
          Set<PosixFilePermission> actual = Files.getPosixFilePermissions(p);
          checked++;
          if (!actual.equals(expected)) {
            wrong.add(dir.relativize(p) + " is " + PosixFilePermissions.toString(actual) + ", expected "
                + PosixFilePermissions.toString(expected));
          }
        }
      }
    }
    assertEquals(List.of(), wrong);
    for (Path p : List.of(tok.resolve("vocab.txt"), tok.resolve("tokenizer.json"), ids, runDir.resolve("config.conf"),
        export.resolve("model.safetensors"), export.resolve("config.json"), export.resolve("vocab.txt"),
        export.resolve("tokenizer.json"))) {
      assertTrue(Files.isRegularFile(p), p + " written");
    }
    assertTrue(checked > 15, "files and folders checked: " + checked);
  }
}
