package dev.cramjet.dashboards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What can be checked of the Docker packaging without a Docker engine: the compose file and the provisioning parse,
 * every file they and the Dockerfiles reference exists, the pieces point at each other (Grafana's provisioning path
 * is where compose mounts the dashboards; Prometheus scrapes the compose service), and promtool accepts the
 * Prometheus config that compose mounts.
 */
class DockerFilesTest {
  private static final Path ROOT = RepoFiles.root();
  private static final Path DOCKER = ROOT.resolve("docker");

  private static JsonNode compose() throws IOException {
    return DashboardQueries.YAML.readTree(DOCKER.resolve("docker-compose.yml").toFile());
  }

  /** Bind mounts of a compose service: container path to host path (resolved against docker/). */
  private static Map<String, Path> binds(JsonNode service) {
    Map<String, Path> out = new HashMap<>();
    for (JsonNode v : service.path("volumes")) {
      String[] parts = v.asText().split(":");
      if (parts[0].startsWith(".") || parts[0].startsWith("/")) {
        out.put(parts[1], DOCKER.resolve(parts[0]).normalize());
      }
    }
    return out;
  }

  @Test
  void composeBringsUpTheDaemonPrometheusAndGrafanaFromFilesThatExist() throws IOException {
    JsonNode services = compose().path("services");
    assertTrue(services.has("cramjet") && services.has("prometheus") && services.has("grafana"), services.toString());
    List<String> missing = new ArrayList<>();
    for (var it = services.fields(); it.hasNext(); ) {
      var s = it.next();
      binds(s.getValue()).values().forEach(p -> {
        if (!Files.exists(p)) {
          missing.add(s.getKey() + ": " + p);
        }
      });
      JsonNode build = s.getValue().path("build");
      if (!build.isMissingNode()) {
        Path context = DOCKER.resolve(build.path("context").asText()).normalize();
        if (!Files.isRegularFile(context.resolve(build.path("dockerfile").asText()))) {
          missing.add(s.getKey() + ": dockerfile " + build.path("dockerfile").asText() + " in " + context);
        }
      }
    }
    assertEquals(List.of(), missing, "files compose mounts or builds from");
  }

  @Test
  void grafanaProvisioningAndPrometheusPointWhereComposePutsThings() throws IOException {
    JsonNode services = compose().path("services");
    Map<String, Path> grafana = binds(services.path("grafana"));
    Path provisioning = grafana.get("/etc/grafana/provisioning");
    JsonNode providers = DashboardQueries.YAML.readTree(provisioning.resolve("dashboards/cramjet.yml").toFile());
    String dashboardsIn = providers.path("providers").get(0).path("options").path("path").asText();
    Path mounted = grafana.get(dashboardsIn);
    assertTrue(mounted != null && Files.isDirectory(mounted), "compose mounts nothing at " + dashboardsIn);
    try (var files = Files.list(mounted)) {
      assertEquals(DashboardQueries.dashboardFiles(), files.filter(p -> p.toString().endsWith(".json")).sorted().toList());
    }
    String home = services.path("grafana").path("environment").path("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH").asText();
    assertTrue(Files.isRegularFile(mounted.resolve(Path.of(dashboardsIn).relativize(Path.of(home)))), home);

    JsonNode datasources = DashboardQueries.YAML.readTree(provisioning.resolve("datasources/prometheus.yml").toFile());
    assertEquals("prometheus", datasources.path("datasources").get(0).path("type").asText());

    Path promDir = binds(services.path("prometheus")).get("/etc/prometheus");
    JsonNode prom = DashboardQueries.YAML.readTree(promDir.resolve("prometheus.yml").toFile());
    for (JsonNode rules : prom.path("rule_files")) {
      assertTrue(Files.isRegularFile(promDir.resolve(rules.asText())), "rule file " + rules.asText());
    }
    String target = prom.path("scrape_configs").get(0).path("static_configs").get(0).path("targets").get(0).asText();
    String[] hostPort = target.split(":");
    assertTrue(services.has(hostPort[0]), "Prometheus scrapes " + target + ", not a compose service");
    List<String> exposed = new ArrayList<>();
    services.path(hostPort[0]).path("expose").forEach(p -> exposed.add(p.asText()));
    assertTrue(exposed.contains(hostPort[1]), target + " is not exposed by the service: " + exposed);
  }

  @Test
  void dockerfilesAreMultiStageNonRootAndCopyOnlyWhatExists() throws IOException {
    for (String name : List.of("Dockerfile", "Dockerfile.cuda")) {
      List<String> lines = Files.readAllLines(DOCKER.resolve(name), StandardCharsets.UTF_8);
      List<String> missing = new ArrayList<>();
      long stages = 0;
      String user = null;
      boolean volume = false;
      for (String line : lines) {
        String l = line.trim();
        stages += l.startsWith("FROM ") ? 1 : 0;
        user = l.startsWith("USER ") ? l.substring(5).trim() : user;
        volume |= l.startsWith("VOLUME ");
        if (!l.startsWith("COPY ")) {
          continue;
        }
        String[] words = l.split("\\s+");
        boolean fromStage = words[1].startsWith("--from=");
        List<String> sources = List.of(words).subList(fromStage ? 2 : 1, words.length - 1);
        for (String src : sources) {
          // Files copied from the build stage are the repository's, except what Maven builds under target/.
          String repoPath = fromStage ? (src.startsWith("/src/") && !src.contains("/target/") ? src.substring(5) : null)
              : src;
          if (repoPath != null && !Files.exists(ROOT.resolve(repoPath))) {
            missing.add(src);
          }
        }
      }
      assertEquals(List.of(), missing, name + " copies files that are not in the repository");
      assertTrue(stages >= 2, name + " is not multi-stage");
      assertTrue(user != null && !user.equals("root") && !user.equals("0"), name + " runs as " + user);
      assertTrue(volume, name + " declares no data volume");
    }
  }

  /** Named volumes of a compose service: volume name to container path. */
  private static Map<String, String> namedVolumes(JsonNode service) {
    Map<String, String> out = new HashMap<>();
    for (JsonNode v : service.path("volumes")) {
      String[] parts = v.asText().split(":");
      if (!parts[0].startsWith(".") && !parts[0].startsWith("/")) {
        out.put(parts[0], parts[1]);
      }
    }
    return out;
  }

  @Test
  void prometheusReadsTheDaemonsTokenFromTheDaemonsDataVolume() throws IOException {
    JsonNode services = compose().path("services");
    Path promDir = binds(services.path("prometheus")).get("/etc/prometheus");
    JsonNode job = DashboardQueries.YAML.readTree(promDir.resolve("prometheus.yml").toFile()).path("scrape_configs")
        .get(0);
    assertEquals("Bearer", job.path("authorization").path("type").asText());
    String credentials = job.path("authorization").path("credentials_file").asText();
    // The daemon writes its token into its run folder (run.out of the demo config, relative to the image's /data).
    String dataVolume = null;
    for (Map.Entry<String, String> e : namedVolumes(services.path("cramjet")).entrySet()) {
      dataVolume = e.getValue().equals("/data") ? e.getKey() : dataVolume;
    }
    assertTrue(dataVolume != null, "the daemon keeps /data on a named volume");
    String mounted = namedVolumes(services.path("prometheus")).get(dataVolume);
    assertTrue(mounted != null, "Prometheus mounts the daemon's data volume");
    assertEquals(mounted + "/runs/demo/token", credentials);
    assertTrue(Files.readString(ROOT.resolve("configs/run/demo.conf")).contains("out = runs/demo"));
    List<String> command = new ArrayList<>();
    services.path("cramjet").path("command").forEach(c -> command.add(c.asText()));
    String port = command.get(command.indexOf("--port") + 1);
    String target = job.path("static_configs").get(0).path("targets").get(0).asText();
    assertEquals("cramjet:" + port, target);
  }

  @Test
  void promtoolAcceptsTheMountedPrometheusConfig(@org.junit.jupiter.api.io.TempDir Path tmp)
      throws IOException, InterruptedException {
    Path promtool = RepoFiles.onPath("promtool").orElse(null);
    assumeTrue(promtool != null, "promtool is not installed (.ci/run installs it)");
    Path promDir = binds(compose().path("services").path("prometheus")).get("/etc/prometheus");
    // promtool checks that the token file exists: check a copy of the folder whose token path points at a file here.
    Path copy = Files.createDirectories(tmp.resolve("prometheus"));
    try (var files = Files.list(promDir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.copy(f, copy.resolve(f.getFileName().toString()));
      }
    }
    Path token = Files.writeString(tmp.resolve("token"), "a-test-token");
    String text = Files.readString(copy.resolve("prometheus.yml"));
    String credentials = DashboardQueries.YAML.readTree(text).path("scrape_configs").get(0).path("authorization")
        .path("credentials_file").asText();
    assertTrue(!credentials.isEmpty() && text.contains(credentials), "the scrape job reads a token file");
    Files.writeString(copy.resolve("prometheus.yml"), text.replace(credentials, token.toString()));
    Process p = new ProcessBuilder(promtool.toString(), "check", "config", copy.resolve("prometheus.yml").toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    assertTrue(out.contains("SUCCESS"), out);
  }
}
