package dev.cramjet.actors;

import java.util.Locale;

/** What the control API can ask a running daemon to do; each maps to {@code POST /<name>}. */
public enum ControlAction {
  PAUSE,
  RESUME,
  EVALUATE,
  CHECKPOINT,
  STOP;

  /** The lower-case name used in URLs and on the command line. */
  public String path() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The action for a URL or command-line name, or null. */
  public static ControlAction ofPath(String name) {
    for (ControlAction a : values()) {
      if (a.path().equals(name)) {
        return a;
      }
    }
    return null;
  }
}
