package dev.cramjet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The resume hint repeats the user's arguments, with one --resume pointing at the run folder. */
class ResumeHintTest {
  private static String hint(String... args) {
    CommandLine root = Main.newCommandLine();
    CommandLine.ParseResult parsed = root.parseArgs(args);
    return ResumeHint.of(parsed.subcommand().commandSpec(), Path.of("runs/r1"));
  }

  @Test
  void keepsTheArgumentsAndReplacesAnEarlierResume() {
    assertEquals("pretrain --config tiny-synthetic --shards shards --budget 30m --resume runs/r1",
        hint("pretrain", "--config", "tiny-synthetic", "--shards", "shards", "--resume", "old", "--budget", "30m"));
    assertEquals("demo --budget 5m --resume runs/r1", hint("demo", "--resume", "--budget", "5m"));
    assertEquals("pretrain --config my.conf --set 'train.lr=5e-4 ' --resume runs/r1",
        hint("pretrain", "--config", "my.conf", "--set", "train.lr=5e-4 "));
  }

  @Test
  void aSecretGivenWithSetIsNotRepeated() {
    assertEquals("pretrain --config my.conf --set train.lr=1e-3 --resume runs/r1",
        hint("pretrain", "--config", "my.conf", "--set", "daemon.token=\"s3cret-s3cret-s3cret\"", "--set",
            "train.lr=1e-3", "--set=daemon.token=other-secret-value"));
  }
}
