package dev.cramjet.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the command line in this JVM and captures what it printed: the CLI tests' one harness. */
final class CliRun {
  private CliRun() {}

  /** The exit code and the text on standard output and standard error. */
  record Result(int code, String out, String err) {}

  /**
   * Runs {@code cramjet args...} with its out and err writers captured: the commands print through picocli's writers,
   * so System.out and System.err are left alone (logging still goes to System.err).
   */
  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Result(code, out.toString(), err.toString());
  }
}
