package dev.cramjet.data;

/**
 * Every document read, counted by its fate. The fates are exclusive and checked in this order: unreadable (broken
 * JSON, a line too long, a stream cut short), empty (no tokens), duplicate (exact or whole-document span duplicate),
 * filtered (compression filter), kept. The constructor refuses counts that do not add up.
 */
public record DocumentCounts(long read, long kept, long filtered, long duplicate, long empty, long unreadable) {
  public DocumentCounts {
    if (read != kept + filtered + duplicate + empty + unreadable || kept < 0 || filtered < 0 || duplicate < 0
        || empty < 0 || unreadable < 0) {
      throw new IllegalArgumentException(
          "document counts do not add up: read " + read + " != kept " + kept + " + filtered " + filtered
              + " + duplicate " + duplicate + " + empty " + empty + " + unreadable " + unreadable);
    }
  }
}
