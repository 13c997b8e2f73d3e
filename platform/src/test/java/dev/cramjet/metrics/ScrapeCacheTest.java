package dev.cramjet.metrics;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The /metrics text is rendered at most once per age limit, and fresh after it. */
class ScrapeCacheTest {
  @Test
  void rendersAtMostOncePerAgeLimit() throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    Counter c = Counter.builder().name("cramjet_test_events_total").help("test").register(registry);
    ScrapeCache cache = new ScrapeCache(registry, Duration.ofMillis(300));
    byte[] first = cache.text();
    assertTrue(text(first).contains("cramjet_test_events_total 0.0"), text(first));
    c.inc();
    assertSame(first, cache.text(), "a scrape within the age limit reuses the rendering");
    Thread.sleep(350);
    byte[] later = cache.text();
    assertTrue(text(later).contains("cramjet_test_events_total 1.0"), text(later));
    assertFalse(first == later);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
