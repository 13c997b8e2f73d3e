package dev.cramjet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.cramjet.actors.StatusBoard;
import dev.cramjet.actors.control.Daemon;
import dev.cramjet.actors.control.PlatformLauncher;
import dev.cramjet.config.RunConfig;
import dev.cramjet.train.Hardware;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code cramjet bench api-load}: does serving the control API slow training? Starts the platform in this process on a
 * run config (default {@code tiny-synthetic}, in a temporary run folder), lets it warm up, then measures training
 * tokens/s in alternating windows of the same run: unloaded, loaded, unloaded, loaded, ... unloaded ({@code --rounds}
 * loaded windows sharing {@code --seconds}). Alternating cancels slow drift of the machine's speed (other work, clock
 * changes). In a loaded window a client process ({@link ApiLoadClient}, niced so that it stands in for a client on
 * another machine) sends {@code GET /status} and scrapes {@code /metrics} back to back from a bounded pool of threads.
 * Reports the ratio of loaded to unloaded tokens/s (all windows pooled; each round against its two neighbours too;
 * target: at least 0.90), the requests, failures (target: none) and latency percentiles. Exit code 1 when a request
 * failed; the ratio is reported, not enforced (timing is the machine's). Also reports the trainer's steady-state data
 * wait over the whole run as a share of its step time ({@code data_wait_ratio}; target: under 1%, also not enforced):
 * the data pipeline must keep the trainer fed, API load or not.
 */
@Command(name = "api-load", mixinStandardHelpOptions = true,
    description = "Training tokens/s while the control API is under load, against unloaded windows of the same run.")
public final class BenchApiLoadCommand implements Callable<Integer> {
  @Mixin Output io;

  /** The ratio the issue asks for: loaded training within 10% of unloaded. */
  static final double TARGET_RATIO = 0.90;

  /** The trainer's steady-state data wait the platform aims for: under 1% of its step time. */
  static final double DATA_WAIT_TARGET_RATIO = 0.01;

  @Option(names = "--config", defaultValue = "tiny-synthetic",
      description = "Run preset or .conf file that trains (default: ${DEFAULT-VALUE}).")
  String config;

  @Option(names = "--set", description = "Override a config key (KEY=VALUE), repeatable.")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--seconds", defaultValue = "30",
      description = "Seconds under load in all, split into --rounds windows (default: ${DEFAULT-VALUE}).")
  double seconds;

  @Option(names = "--rounds", defaultValue = "3",
      description = "Loaded windows, each between two unloaded ones of the same length (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--warmup", defaultValue = "10",
      description = "Seconds of training before the first window (default: ${DEFAULT-VALUE}).")
  double warmup;

  @Option(names = "--clients", defaultValue = "2", description = "Client threads (default: ${DEFAULT-VALUE}).")
  int clients;

  @Option(names = "--rate", defaultValue = "0",
      description = "Requests per second over all client threads; 0: back to back (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--nice", defaultValue = "19",
      description = "Niceness of the client process, 0 for none (default: ${DEFAULT-VALUE}).")
  int nice;

  @Mixin BenchReport report;

  /** (time, cumulative tokens) each time the trainer published a step. */
  private record Sample(long nanos, long tokens) {}

  @Override
  public Integer call() throws Exception {
    if (seconds <= 0 || rounds < 1 || warmup < 0 || clients < 1 || nice < 0 || nice > 19 || rate < 0) {
      throw new IllegalArgumentException(
          "--seconds must be > 0, --rounds >= 1, --warmup >= 0, --clients >= 1, --nice 0..19, --rate >= 0");
    }
    double window = seconds / rounds;
    Path runDir = Files.createTempDirectory("cramjet-api-load");
    List<String> sets = new ArrayList<>(overrides);
    sets.add("run.out=\"" + runDir.toString().replace("\\", "\\\\") + "\"");
    sets.add("train.budget=1000000steps");
    sets.add("train.checkpoint-every=0");
    RunConfig cfg = RunConfig.load(config, sets);
    Progress progress = new Progress(io.err(), 5);
    PlatformLauncher.Launched launched = PlatformLauncher.launch(cfg, "127.0.0.1", 0, null, null, 8, 1e12,
        dev.cramjet.train.StepListener.NONE, ConfigFactory.load());
    Daemon daemon = launched.daemon();
    List<Sample> samples = java.util.Collections.synchronizedList(new ArrayList<>());
    Thread sampler = new Thread(() -> sample(daemon.board(), samples), "api-load-sampler");
    sampler.setDaemon(true);
    Map<String, Object> out = new LinkedHashMap<>();
    JsonNode load;
    Process client = null;
    try {
      sampler.start();
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
      while (daemon.board().progress().step() < 1) {
        if (System.nanoTime() > deadline) throw new IllegalStateException("the run took no step in 5 minutes");
        Thread.sleep(20);
      }
      String token = Files.readString(launched.runDir().resolve(Daemon.TOKEN_FILE)).trim();
      client = startClient(daemon.url().toString(), token);
      BufferedReader answers = new BufferedReader(new InputStreamReader(client.getInputStream(),
          StandardCharsets.UTF_8));
      java.io.PrintStream orders = new java.io.PrintStream(client.getOutputStream(), true, StandardCharsets.UTF_8);
      String ready = readLine(answers, 120);
      if (!"ready".equals(ready)) throw new IllegalStateException("the load client did not start: " + ready);
      progress.line(String.format(java.util.Locale.ROOT, "api-load: training; warm-up %.0f s, then %d loaded "
          + "windows of %.1f s between unloaded ones", warmup, rounds, window));
      Thread.sleep((long) (warmup * 1000));
      List<double[]> unloaded = new ArrayList<>(); // {tokens, seconds} per window
      List<double[]> loaded = new ArrayList<>();
      List<Long> requestsPerRound = new ArrayList<>();
      unloaded.add(measure(samples, () -> Thread.sleep((long) (window * 1000))));
      for (int r = 0; r < rounds; r++) {
        long[] got = new long[1];
        final BufferedReader in = answers;
        loaded.add(measure(samples, () -> {
          orders.println("load " + window);
          JsonNode round = new ObjectMapper().readTree(readLine(in, (long) window + 120));
          got[0] = round.path("requests").asLong();
        }));
        requestsPerRound.add(got[0]);
        unloaded.add(measure(samples, () -> Thread.sleep((long) (window * 1000))));
      }
      orders.println("quit");
      load = new ObjectMapper().readTree(readLine(answers, 120));
      List<Double> roundRatios = new ArrayList<>();
      List<Map<String, Object>> windows = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        double l = rate(loaded.get(r));
        double u = (rate(unloaded.get(r)) + rate(unloaded.get(r + 1))) / 2;
        roundRatios.add(l / u);
        Map<String, Object> w = new LinkedHashMap<>();
        w.put("unloaded_before_tokens_per_second", rate(unloaded.get(r)));
        w.put("loaded_tokens_per_second", l);
        w.put("unloaded_after_tokens_per_second", rate(unloaded.get(r + 1)));
        w.put("ratio", l / u);
        w.put("requests", requestsPerRound.get(r));
        w.replaceAll((k, v) -> finiteOrNull(v));
        windows.add(w);
      }
      double loadedRate = pooled(loaded);
      double unloadedRate = pooled(unloaded);
      double ratio = loadedRate / unloadedRate;
      double loadedSeconds = loaded.stream().mapToDouble(w -> w[2]).sum();
      out.put("config", config);
      out.put("arch", launched.config().arch().name());
      out.put("cpu_cores", Runtime.getRuntime().availableProcessors());
      out.put("cpu", Hardware.cpuVectorLevel());
      out.put("rounds", rounds);
      out.put("seconds_per_window", window);
      out.put("clients", clients);
      out.put("client_nice", nice);
      out.put("rate_limit", rate > 0 ? rate : null);
      out.put("unloaded_tokens_per_second", unloadedRate);
      out.put("loaded_tokens_per_second", loadedRate);
      out.put("ratio", ratio);
      out.put("round_ratios", roundRatios);
      double[] finite = roundRatios.stream().mapToDouble(Double::doubleValue).filter(Double::isFinite).sorted()
          .toArray();
      out.put("median_round_ratio", finite.length == 0 ? Double.NaN : finite.length % 2 == 1 ? finite[finite.length / 2]
          : (finite[finite.length / 2 - 1] + finite[finite.length / 2]) / 2);
      out.put("target_ratio", TARGET_RATIO);
      out.put("windows", windows);
      out.put("requests", load.path("requests").asLong());
      out.put("requests_per_second", load.path("requests").asLong() / loadedSeconds);
      out.put("status_requests", load.path("status").path("requests").asLong());
      out.put("metrics_requests", load.path("metrics").path("requests").asLong());
      out.put("failed_requests", load.path("failed").asLong());
      out.put("first_failure", load.path("first_failure").isNull() ? null : load.path("first_failure").asText());
      out.put("latency_ms", load.path("latency_ms"));
      out.put("status_latency_ms", load.path("status").path("latency_ms"));
      out.put("metrics_latency_ms", load.path("metrics").path("latency_ms"));
      out.put("client_cpu_seconds", load.path("cpu_seconds").asDouble());
      out.put("steps", daemon.board().progress().step());
      out.put("pass", ratio >= TARGET_RATIO && load.path("failed").asLong() == 0);
      StatusBoard.DataWait dataWait = daemon.board().dataWait();
      out.put("data_wait_ratio", dataWait.ratio());
      out.put("data_wait_steady_seconds", dataWait.steadyWaitSeconds());
      out.put("data_wait_target_ratio", DATA_WAIT_TARGET_RATIO);
    } finally {
      sampler.interrupt();
      if (client != null) {
        client.getOutputStream().close();
        if (!client.waitFor(30, TimeUnit.SECONDS)) client.destroyForcibly();
      }
      daemon.stopGracefully(Duration.ofMinutes(2));
      daemon.close();
      dev.cramjet.util.AtomicFiles.deleteTree(runDir);
    }
    out.replaceAll((k, v) -> finiteOrNull(v));
    report.print(io, out);
    return load.path("failed").asLong() == 0 ? 0 : Main.EXIT_FAILURE;
  }

  private static void sample(StatusBoard board, List<Sample> samples) {
    long last = -1;
    while (!Thread.currentThread().isInterrupted()) {
      long tokens = board.progress().tokens();
      if (tokens != last) {
        samples.add(new Sample(System.nanoTime(), tokens));
        last = tokens;
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** A rate of a window without two steps in it is NaN, written as JSON null. */
  private static Object finiteOrNull(Object v) {
    if (v instanceof Double d && !Double.isFinite(d)) return null;
    if (v instanceof List<?> l) return l.stream().map(BenchApiLoadCommand::finiteOrNull).toList();
    return v;
  }

  /** Something timed: a sleep, or a round of load. */
  private interface Timed {
    void run() throws Exception;
  }

  /**
   * Runs {@code what} and returns {tokens, seconds, wall seconds} of the steps published while it ran: from the first
   * to the last step inside the window, so that partial steps at its edges do not count.
   */
  private static double[] measure(List<Sample> samples, Timed what) throws Exception {
    long from = System.nanoTime();
    what.run();
    long to = System.nanoTime();
    Sample first = null;
    Sample last = null;
    synchronized (samples) {
      for (Sample s : samples) {
        if (s.nanos() < from || s.nanos() > to) continue;
        if (first == null) first = s;
        last = s;
      }
    }
    if (first == null || last == first) return new double[] {0, 0, (to - from) / 1e9};
    return new double[] {last.tokens() - first.tokens(), (last.nanos() - first.nanos()) / 1e9, (to - from) / 1e9};
  }

  private static double rate(double[] w) {
    return w[1] == 0 ? Double.NaN : w[0] / w[1];
  }

  /** Tokens/s over several windows together. */
  private static double pooled(List<double[]> windows) {
    double tokens = 0;
    double secs = 0;
    for (double[] w : windows) {
      tokens += w[0];
      secs += w[1];
    }
    return secs == 0 ? Double.NaN : tokens / secs;
  }

  /** Starts the client process (niced where {@code nice} is available). */
  private Process startClient(String url, String token) throws java.io.IOException {
    List<String> cmd = new ArrayList<>();
    Path niceBin = Path.of("/usr/bin/nice");
    if (nice > 0 && Files.isExecutable(niceBin)) {
      cmd.addAll(List.of(niceBin.toString(), "-n", String.valueOf(nice)));
    }
    cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), ApiLoadClient.class.getName(), url, token,
        String.valueOf(clients), String.valueOf(rate)));
    return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  /** The next line of {@code r}, waiting at most {@code seconds}. */
  private static String readLine(BufferedReader r, long seconds) throws Exception {
    String line;
    try {
      line = CompletableFuture.supplyAsync(() -> readLine(r)).get(seconds, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("the load client did not answer within " + seconds + " s");
    }
    if (line == null) throw new IllegalStateException("the load client ended early");
    return line;
  }

  private static String readLine(BufferedReader r) {
    try {
      return r.readLine();
    } catch (java.io.IOException e) {
      return null;
    }
  }
}
