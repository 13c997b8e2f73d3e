package dev.cramjet.metrics;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;

/**
 * A registry's {@link MetricsText#render rendered text}, rendered at most once per {@code maxAge} however often it is
 * asked for; concurrent scrapes share one rendering. A scrape of every metric (the JVM's thread states among them)
 * costs a few milliseconds of CPU, so a client that scrapes back to back would otherwise take CPU from training; with
 * a cache of a quarter second the cost is bounded whatever the scrape rate, and a scrape is at most that stale (a
 * Prometheus server scrapes every 15 s). It does not render in the background: an idle cache costs nothing.
 */
public final class ScrapeCache {
  /** The default age limit: four renderings a second at most. */
  public static final Duration DEFAULT_MAX_AGE = Duration.ofMillis(250);

  private final PrometheusRegistry registry;
  private final long maxAgeNanos;
  private byte[] text;
  private long renderedAt;

  public ScrapeCache(PrometheusRegistry registry, Duration maxAge) {
    this.registry = registry;
    this.maxAgeNanos = maxAge.toNanos();
  }

  /** The text, rendered now if the last rendering is older than the age limit. */
  public synchronized byte[] text() {
    long now = System.nanoTime();
    if (text == null || now - renderedAt >= maxAgeNanos) {
      text = MetricsText.render(registry);
      renderedAt = System.nanoTime();
    }
    return text;
  }
}
