package dev.cramjet.metrics;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The Prometheus text exposition format (version 0.0.4) for a registry, for any HTTP layer that serves
 * {@code /metrics} itself (the daemon's pekko-http routes answer with {@link #CONTENT_TYPE} and {@link #render}).
 * Also lists the series names a scrape exposes, which the dashboard checks compare against.
 */
public final class MetricsText {
  /** The Content-Type header for {@link #render}'s bytes. */
  public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

  private static final PrometheusTextFormatWriter WRITER = PrometheusTextFormatWriter.create();

  private MetricsText() {}

  /** Collects every metric of {@code registry} now and renders it as UTF-8 text. */
  public static byte[] render(PrometheusRegistry registry) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    try {
      WRITER.write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException("rendering metrics failed", e); // a byte array does not fail to write
    }
    return out.toByteArray();
  }

  /**
   * The names of the samples a scrape of {@code registry} can expose, by metric family, derived from each family's
   * type so that families without a series yet (a labelled gauge before its first label) are included: a counter
   * gives {@code name_total}, a histogram {@code name_bucket}, {@code name_count} and {@code name_sum}, a summary its
   * name, {@code _count} and {@code _sum}.
   */
  public static Map<String, Set<String>> sampleNamesByFamily(PrometheusRegistry registry) {
    Map<String, Set<String>> families = new TreeMap<>();
    for (MetricSnapshot s : registry.scrape()) {
      String name = s.getMetadata().getPrometheusName();
      List<String> suffixes;
      if (s instanceof CounterSnapshot) {
        suffixes = List.of("_total");
      } else if (s instanceof HistogramSnapshot) {
        suffixes = List.of("_bucket", "_count", "_sum");
      } else if (s instanceof SummarySnapshot) {
        suffixes = List.of("", "_count", "_sum");
      } else if (s instanceof InfoSnapshot) {
        suffixes = List.of("_info");
      } else {
        suffixes = List.of("");
      }
      Set<String> names = families.computeIfAbsent(name, k -> new TreeSet<>());
      for (String suffix : suffixes) {
        names.add(name + suffix);
      }
    }
    return families;
  }

  /** Every sample name of {@link #sampleNamesByFamily}, in one set. */
  public static Set<String> sampleNames(PrometheusRegistry registry) {
    Set<String> all = new TreeSet<>();
    sampleNamesByFamily(registry).values().forEach(all::addAll);
    return all;
  }
}
