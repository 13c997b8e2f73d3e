package dev.cramjet.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The load side of {@code bench api-load}, run as its own process so that its CPU can be niced below the trainer's.
 * Arguments: URL TOKEN CLIENTS [RATE] (RATE: requests per second over all threads; 0 or absent: back to back). Prints {@code ready} once connected; then, for each line {@code load SECONDS} read on
 * standard input, {@code CLIENTS} threads each send {@code GET /status} and {@code GET /metrics} in turn, back to
 * back, for that long, and one JSON line reports the round (requests, failures); on {@code quit} (or the end of
 * input) one JSON line reports all rounds together: requests and failures per endpoint, and latency percentiles.
 */
public final class ApiLoadClient {
  private ApiLoadClient() {}

  /** One client thread's record. */
  private static final class Tally {
    final long[][] nanos = {new long[1 << 12], new long[1 << 12]};
    final int[] count = new int[2];
    final int[] failed = new int[2];
    String firstFailure;

    void add(int kind, long n) {
      if (count[kind] == nanos[kind].length) nanos[kind] = Arrays.copyOf(nanos[kind], count[kind] * 2);
      nanos[kind][count[kind]++] = n;
    }
  }

  private static final String[] PATHS = {"/status", "/metrics"};

  public static void main(String[] args) throws Exception {
    URI base = URI.create(args[0]);
    String token = args[1];
    int clients = Integer.parseInt(args[2]);
    double rate = args.length > 3 ? Double.parseDouble(args[3]) : 0;
    byte[][] requests = new byte[2][];
    for (int k = 0; k < 2; k++) {
      requests[k] = ("GET " + PATHS[k] + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
          + "\r\nAuthorization: Bearer " + token + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
    try (Connection warm = new Connection(base)) {
      for (int k = 0; k < 2; k++) warm.exchange(requests[k]); // connect and warm up before the window
    }
    List<Tally> tallies = new ArrayList<>();
    for (int c = 0; c < clients; c++) tallies.add(new Tally());
    ObjectMapper json = new ObjectMapper();
    System.out.println("ready");
    System.out.flush();
    java.io.BufferedReader stdin = new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
        java.nio.charset.StandardCharsets.UTF_8));
    String command;
    while ((command = stdin.readLine()) != null && command.startsWith("load ")) {
      double seconds = Double.parseDouble(command.substring(5).trim());
      int before = total(tallies);
      int failedBefore = failed(tallies);
      round(base, requests, tallies, seconds, rate);
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("requests", total(tallies) - before);
      r.put("failed", failed(tallies) - failedBefore);
      System.out.println(json.writeValueAsString(r));
      System.out.flush();
    }
    System.out.println(json.writeValueAsString(summary(tallies)));
    System.out.flush();
  }

  /** Every thread sends its requests back to back (or paced to {@code rate} in all) for {@code seconds}. */
  private static void round(URI base, byte[][] requests, List<Tally> tallies, double seconds, double rate)
      throws InterruptedException {
    long begin = System.nanoTime();
    long end = begin + (long) (seconds * 1e9);
    long interval = rate > 0 ? (long) (1e9 * tallies.size() / rate) : 0; // per thread
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < tallies.size(); c++) {
      Tally t = tallies.get(c);
      int first = c % 2;
      Thread th = new Thread(() -> {
        Connection conn = null;
        for (int i = first; System.nanoTime() < end; i++) {
          int kind = i % 2;
          if (interval > 0) {
            long due = Math.min(begin + (i - first) * interval, end);
            long wait = due - System.nanoTime();
            if (wait > 0) {
              try {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
              } catch (InterruptedException e) {
                return;
              }
            }
            if (System.nanoTime() >= end) break;
          }
          long start = System.nanoTime();
          try {
            if (conn == null) conn = new Connection(base);
            int status = conn.exchange(requests[kind]);
            if (status != 200) {
              t.failed[kind]++;
              if (t.firstFailure == null) t.firstFailure = PATHS[kind] + ": HTTP " + status;
            }
          } catch (Exception e) {
            t.failed[kind]++;
            if (t.firstFailure == null) t.firstFailure = PATHS[kind] + ": " + e.getMessage();
            if (conn != null) conn.close();
            conn = null;
          }
          t.add(kind, System.nanoTime() - start);
        }
        if (conn != null) conn.close();
      }, "api-load-" + c);
      threads.add(th);
      th.start();
    }
    for (Thread th : threads) th.join();
  }

  private static int total(List<Tally> tallies) {
    return tallies.stream().mapToInt(t -> t.count[0] + t.count[1]).sum();
  }

  private static int failed(List<Tally> tallies) {
    return tallies.stream().mapToInt(t -> t.failed[0] + t.failed[1]).sum();
  }

  private static Map<String, Object> summary(List<Tally> tallies) {
    Map<String, Object> out = new LinkedHashMap<>();
    long[] all = new long[0];
    int failures = 0;
    String firstFailure = null;
    for (int k = 0; k < 2; k++) {
      long[] lat = new long[0];
      int count = 0;
      int failed = 0;
      for (Tally t : tallies) {
        lat = concat(lat, Arrays.copyOf(t.nanos[k], t.count[k]));
        count += t.count[k];
        failed += t.failed[k];
        if (firstFailure == null) firstFailure = t.firstFailure;
      }
      all = concat(all, lat);
      failures += failed;
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("requests", count);
      m.put("failed", failed);
      m.put("latency_ms", percentiles(lat));
      out.put(PATHS[k].substring(1), m);
    }
    out.put("requests", all.length);
    out.put("failed", failures);
    out.put("first_failure", firstFailure);
    out.put("latency_ms", percentiles(all));
    out.put("cpu_seconds", ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(-1.0));
    return out;
  }

  /**
   * One keep-alive HTTP/1.1 connection on a plain socket: a client this light keeps the load's own CPU small, so that
   * what the benchmark sees is the daemon's cost. Reads a response by its Content-Length (the API always sends one).
   */
  private static final class Connection implements AutoCloseable {
    private final java.net.Socket socket;
    private final java.io.BufferedInputStream in;
    private final java.io.OutputStream out;

    Connection(URI base) throws java.io.IOException {
      socket = new java.net.Socket(base.getHost(), base.getPort());
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(10_000);
      in = new java.io.BufferedInputStream(socket.getInputStream(), 1 << 16);
      out = socket.getOutputStream();
    }

    /** Sends one request and reads the whole response; returns its status. */
    int exchange(byte[] request) throws java.io.IOException {
      out.write(request);
      out.flush();
      String status = line();
      if (status == null || !status.startsWith("HTTP/1.1 ")) throw new java.io.IOException("no HTTP answer: " + status);
      long length = -1;
      String header;
      while ((header = line()) != null && !header.isEmpty()) {
        if (header.regionMatches(true, 0, "content-length:", 0, 15)) length = Long.parseLong(header.substring(15).trim());
      }
      if (length < 0) throw new java.io.IOException("an answer without Content-Length");
      in.skipNBytes(length);
      return Integer.parseInt(status.substring(9, 12));
    }

    private String line() throws java.io.IOException {
      StringBuilder sb = new StringBuilder();
      int b;
      while ((b = in.read()) >= 0 && b != '\n') {
        if (b != '\r') sb.append((char) b);
      }
      return b < 0 && sb.length() == 0 ? null : sb.toString();
    }

    @Override
    public void close() {
      try {
        socket.close();
      } catch (java.io.IOException e) {
        // closing
      }
    }
  }

  private static long[] concat(long[] a, long[] b) {
    long[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  /** p50, p90, p99 and max of nanosecond latencies, in milliseconds. */
  static Map<String, Double> percentiles(long[] nanos) {
    long[] s = nanos.clone();
    Arrays.sort(s);
    Map<String, Double> m = new LinkedHashMap<>();
    for (double q : new double[] {0.5, 0.9, 0.99}) {
      m.put("p" + Math.round(q * 100), s.length == 0 ? 0 : s[Math.min(s.length - 1, (int) (q * s.length))] / 1e6);
    }
    m.put("max", s.length == 0 ? 0 : s[s.length - 1] / 1e6);
    return m;
  }
}
