package dev.cramjet.cli;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.slf4j.LoggerFactory;

/** Runs the command line in this JVM and captures what it printed: the CLI tests' one harness. */
final class CliRun {
  private CliRun() {}

  /** The exit code and the text on standard output and standard error. */
  record Result(int code, String out, String err) {}

  /**
   * Runs {@code cramjet args...} with its out and err writers captured: the commands print through picocli's writers,
   * so System.out and System.err are left alone. What is logged meanwhile (which a user sees on standard error: the
   * log goes there) is added to the captured err in the log's own format.
   */
  static synchronized Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    PrintWriter errWriter = new PrintWriter(err, true);
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    LogCapture log = new LogCapture(errWriter, (LoggerContext) LoggerFactory.getILoggerFactory());
    root.addAppender(log);
    try {
      int code = Main.run(new PrintWriter(out, true), errWriter, args);
      return new Result(code, out.toString(), err.toString());
    } finally {
      root.detachAppender(log);
      log.stop();
    }
  }

  /** Writes log events to the captured err, formatted like the test log configuration's console appender. */
  private static final class LogCapture extends AppenderBase<ILoggingEvent> {
    private final PrintWriter err;
    private final PatternLayoutEncoder encoder = new PatternLayoutEncoder();

    LogCapture(PrintWriter err, LoggerContext context) {
      this.err = err;
      setContext(context);
      setName("cli-run");
      encoder.setContext(context);
      encoder.setPattern("%d{HH:mm:ss} %-5level %logger{24} - %msg%n");
      encoder.start();
      start();
    }

    @Override
    protected void append(ILoggingEvent event) {
      synchronized (err) {
        err.print(encoder.getLayout().doLayout(event));
        err.flush();
      }
    }
  }
}
