package dev.cramjet.actors.control;

import dev.cramjet.metrics.CramjetMetrics;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.io.IOException;

/**
 * Serves a registry at {@code http://HOST:PORT/metrics} with client_java's small HTTP server, for runs without the
 * daemon's own HTTP layer (the foreground {@code pretrain --metrics-port}). Binds to loopback unless told otherwise:
 * metrics reveal what a machine is doing, so exposing them is a deliberate choice.
 */
public final class MetricsServer implements AutoCloseable {
  /** The default bind address: loopback only. */
  public static final String LOOPBACK = "127.0.0.1";

  private final HTTPServer server;
  private final String host;

  private MetricsServer(HTTPServer server, String host) {
    this.server = server;
    this.host = host;
  }

  /** Starts serving {@code metrics} on loopback; port 0 picks a free port (see {@link #port()}). */
  public static MetricsServer start(CramjetMetrics metrics, int port) throws IOException {
    return start(metrics, LOOPBACK, port);
  }

  /** Starts serving {@code metrics} on {@code host:port}; port 0 picks a free port. */
  public static MetricsServer start(CramjetMetrics metrics, String host, int port) throws IOException {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("metrics port must be 0 (any free port) to 65535, got " + port);
    }
    HTTPServer server = HTTPServer.builder().hostname(host).port(port).registry(metrics.registry()).buildAndStart();
    return new MetricsServer(server, host);
  }

  /** The port actually bound. */
  public int port() {
    return server.getPort();
  }

  /** The scrape URL, e.g. {@code http://127.0.0.1:9400/metrics}. */
  public String url() {
    String h = host.contains(":") ? "[" + host + "]" : host;
    return "http://" + h + ":" + port() + "/metrics";
  }

  @Override
  public void close() {
    server.close();
  }
}
