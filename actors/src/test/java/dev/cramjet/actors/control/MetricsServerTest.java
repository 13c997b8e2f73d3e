package dev.cramjet.actors.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cramjet.metrics.CramjetMetrics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class MetricsServerTest {
  /** The value of the sample whose name-and-labels part is exactly {@code series}. */
  private static double value(String text, String series) {
    for (String line : text.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    throw new AssertionError("no sample " + series + " in:\n" + text);
  }

  @Test
  void serverAnswersScrapesOnLoopback() throws Exception {
    CramjetMetrics m = new CramjetMetrics();
    m.setPrefetchQueueDepth(7);
    try (MetricsServer server = MetricsServer.start(m, 0)) {
      assertTrue(server.url().startsWith("http://127.0.0.1:"), server.url());
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.url())).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode());
      assertEquals(7, value(r.body(), "cramjet_prefetch_queue_batches"));
      assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), r.headers().toString());
    }
  }

  @Test
  void rejectsAPortOutOfRange() {
    var e = assertThrows(IllegalArgumentException.class, () -> MetricsServer.start(new CramjetMetrics(), 70000));
    assertTrue(e.getMessage().contains("70000"), e.getMessage());
  }
}
