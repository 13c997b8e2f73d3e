package dev.cramjet.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress of a long job on standard error: a redrawn bar on a terminal, plain log lines (at most one every {@code
 * logIntervalSeconds}) when the output goes to a file or a pipe. Standard output stays free for results and JSON.
 */
final class Progress {
  private final PrintWriter err;
  private final boolean terminal;
  private final long logIntervalNanos;
  private long lastLog = Long.MIN_VALUE;
  private int lastWidth;

  Progress(PrintWriter err, double logIntervalSeconds) {
    this(err, System.console() != null, logIntervalSeconds);
  }

  Progress(PrintWriter err, boolean terminal, double logIntervalSeconds) {
    this.err = err;
    this.terminal = terminal;
    this.logIntervalNanos = (long) (logIntervalSeconds * 1e9);
  }

  boolean terminal() {
    return terminal;
  }

  /** Shows {@code fraction} (0..1) done with a status text. */
  void update(double fraction, String status) {
    int width = 24;
    int filled = (int) Math.round(Math.max(0, Math.min(1, fraction)) * width);
    String bar = String.format(Locale.ROOT, "[%s%s] ", "#".repeat(filled), ".".repeat(width - filled));
    show(bar, String.format(Locale.ROOT, "%3.0f%% %s", fraction * 100, status));
  }

  /** Shows a status text for work whose total is not known in advance. */
  void status(String status) {
    show("", status);
  }

  private void show(String bar, String text) {
    if (terminal) {
      String line = bar + text;
      err.print("\r" + line + " ".repeat(Math.max(0, lastWidth - line.length())));
      err.flush();
      lastWidth = line.length();
    } else {
      long now = System.nanoTime();
      if (lastLog == Long.MIN_VALUE || now - lastLog >= logIntervalNanos) {
        lastLog = now;
        err.println(text);
      }
    }
  }

  /** Prints a line of its own, above the bar. */
  void line(String text) {
    clear();
    err.println(text);
  }

  /** Ends the bar so later output starts on a fresh line. */
  void done() {
    clear();
  }

  private void clear() {
    if (terminal && lastWidth > 0) {
      err.print("\r" + " ".repeat(lastWidth) + "\r");
      lastWidth = 0;
    }
  }

  /** 1234567 -> "1.23M", for counts in status lines. */
  static String si(double v) {
    double a = Math.abs(v);
    if (a >= 1e9) {
      return String.format(Locale.ROOT, "%.2fG", v / 1e9);
    } else if (a >= 1e6) {
      return String.format(Locale.ROOT, "%.2fM", v / 1e6);
    } else if (a >= 1e3) {
      return String.format(Locale.ROOT, "%.1fk", v / 1e3);
    }
    return String.format(Locale.ROOT, "%.0f", v);
  }

  /** Seconds as "1h02m", "4m05s" or "12s". */
  static String duration(double seconds) {
    long s = Math.round(Math.max(0, seconds));
    if (s >= 3600) {
      return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    } else if (s >= 60) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    return s + "s";
  }
}
