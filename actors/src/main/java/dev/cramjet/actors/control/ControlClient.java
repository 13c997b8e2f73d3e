package dev.cramjet.actors.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cramjet.actors.ControlAction;
import dev.cramjet.util.BadInputException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A client of the control API (java.net.http). {@link #fromRunDir} finds a daemon through the {@code daemon.json} and
 * {@code token} it wrote. Answers come back as the status code and the JSON body; a daemon that is not listening, or a
 * run folder without {@code daemon.json}, is a {@link NotRunningException}.
 */
public final class ControlClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI base;
  private final String token;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** The daemon is not listening at the URL. */
  public static final class NotRunningException extends IOException {
    public NotRunningException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** An answer: HTTP status and JSON body. */
  public record Answer(int status, JsonNode body) {
    public boolean ok() {
      return status / 100 == 2;
    }
  }

  public ControlClient(URI base, String token) {
    this.base = base;
    this.token = token;
  }

  /** A client for the daemon whose run folder is {@code runDir}; {@code token} overrides the token file if set. */
  public static ControlClient fromRunDir(Path runDir, String token) throws IOException {
    Path info = runDir.resolve(Daemon.INFO_FILE);
    if (!Files.isRegularFile(info)) {
      throw new NotRunningException("no daemon is running for " + runDir + " (no " + info + "); start one with "
          + "'cramjet daemon --config FILE', or give --url and --token", null);
    }
    JsonNode n = JSON.readTree(info.toFile());
    if (n == null || !n.hasNonNull("url")) {
      throw new BadInputException(info + ": expected a JSON object with \"url\"");
    }
    String t = token != null ? token : TokenFile.read(runDir.resolve(Daemon.TOKEN_FILE));
    return new ControlClient(URI.create(n.get("url").asText()), t);
  }

  public URI base() {
    return base;
  }

  public Answer status() throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(base.resolve("/status")).GET());
  }

  public Answer act(ControlAction action) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(base.resolve("/" + action.path()))
        .POST(HttpRequest.BodyPublishers.noBody()));
  }

  private Answer send(HttpRequest.Builder b) throws IOException, InterruptedException {
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    b.timeout(Daemon.askTimeout().plusSeconds(10));
    HttpResponse<String> r;
    try {
      r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      throw new NotRunningException("no daemon answers at " + base + " (is it running?)", e);
    }
    JsonNode body;
    try {
      body = JSON.readTree(r.body());
    } catch (IOException e) {
      body = JSON.createObjectNode().put("error", r.body());
    }
    return new Answer(r.statusCode(), body);
  }
}
