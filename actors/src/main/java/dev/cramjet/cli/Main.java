package dev.cramjet.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code cramjet} command line. Each subcommand lives in its own class; this one only wires them together
 * and maps failures to exit codes: 0 success, 1 runtime failure, 2 bad usage or bad input, 3 the run trained to its
 * end but its final checkpoint failed while an older one is intact (resume from that one).
 */
@Command(
    name = "cramjet",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Cramming a BERT-style masked language model on a fixed compute budget.",
    subcommands = {
      CommandLine.HelpCommand.class,
      TokenizerCommand.class,
      TokenizeCommand.class,
      BenchCommand.class,
      DataCommand.class,
      CorpusCommand.class,
      PretrainCommand.class,
      DemoCommand.class,
      DaemonCommand.class,
      CtlCommand.class,
      WorkerCommand.class,
      GlueCommand.class,
      PredictCommand.class,
      ExportCommand.class,
      SuiteCommand.class,
      SweepCommand.class,
    })
public final class Main extends CommandGroup {

  /** Exit code for input the user must fix (bad flag, bad config, missing file). */
  public static final int EXIT_USAGE = 2;

  /** Exit code for a failure while running. */
  public static final int EXIT_FAILURE = 1;

  /**
   * Exit code when training ended but the final checkpoint could not be written (a full disk, say) while an older
   * checkpoint is intact: the run is resumable from that one, and the message says which and how.
   */
  public static final int EXIT_FINAL_CHECKPOINT_FAILED = 3;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line without exiting the JVM, printing to System.out and System.err. */
  public static int run(String... args) {
    CommandLine cli = newCommandLine();
    return execute(cli, cli.getOut(), cli.getErr(), args);
  }

  /**
   * Runs the command line without exiting the JVM, with every command printing its results to {@code out} and its
   * progress, notes and errors to {@code err} (both flushed before this returns); tests call this to capture output.
   */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    return execute(newCommandLine(), out, err, args);
  }

  private static int execute(CommandLine cli, PrintWriter out, PrintWriter err, String... args) {
    cli.setOut(out);
    cli.setErr(err);
    try {
      return cli.execute(args);
    } finally {
      out.flush();
      err.flush();
    }
  }

  static CommandLine newCommandLine() {
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          if (ex instanceof dev.cramjet.util.BadInputException || ex instanceof IllegalArgumentException) {
            commandLine.getErr().println("cramjet: " + ex.getMessage());
            return EXIT_USAGE;
          }
          commandLine.getErr().println("cramjet: failed: " + ex);
          if (System.getenv("CRAMJET_DEBUG") != null) {
            ex.printStackTrace(commandLine.getErr());
          }
          return EXIT_FAILURE;
        });
    return cli;
  }

  /** Prints the version baked into the jar manifest (or "dev" when run from classes). */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"cramjet " + (v == null ? "dev" : v)};
    }
  }
}
