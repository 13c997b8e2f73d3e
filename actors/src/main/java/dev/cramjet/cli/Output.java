package dev.cramjet.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Where a command prints: the out and err writers of its {@code CommandLine}, which are System.out and System.err
 * unless {@link Main#run(PrintWriter, PrintWriter, String...)} was given others (the tests capture output that way).
 * A command mixes it in with {@code @Mixin Output io;}; it adds no options. Results go to {@link #out()}, progress and
 * notes to {@link #err()}, so that {@code --json} leaves stdout to the one result. ({@code @Command} without
 * attributes: picocli takes a mixin only when it carries one of its annotations.)
 */
@Command
final class Output {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec(Spec.Target.MIXEE)
  private CommandSpec mixee;

  /** Standard output: results. */
  PrintWriter out() {
    return mixee.commandLine().getOut();
  }

  /** Standard error: progress, notes and warnings. */
  PrintWriter err() {
    return mixee.commandLine().getErr();
  }

  /** Prints {@code value} as JSON on stdout: one line when {@code compact} (for --json), else indented for reading. */
  void printJson(Object value, boolean compact) throws JsonProcessingException {
    out().println(compact ? JSON.writeValueAsString(value)
        : JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value));
  }
}
