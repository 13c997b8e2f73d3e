package dev.cramjet.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cramjet.util.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the npm registry comes from, in npm's order, with the environment injected as a map and a temporary home:
 * --registry, CRAMJET_NPM_REGISTRY, npm_config_registry, NPM_CONFIG_REGISTRY, the user's .npmrc, `npm config get
 * registry` (a real executable on the given PATH), else an error saying how to set one.
 */
class NpmRegistryResolveTest {
  @TempDir Path home;

  private Path fakeNpm(String prints, int exit) throws Exception {
    Path bin = Files.createDirectories(home.resolve("bin"));
    Path npm = bin.resolve("npm");
    Files.writeString(npm, "#!/bin/sh\n[ \"$1 $2 $3\" = \"config get registry\" ] || exit 9\necho '" + prints
        + "'\nexit " + exit + "\n");
    Files.setPosixFilePermissions(npm, PosixFilePermissions.fromString("rwxr-xr-x"));
    return bin;
  }

  @Test
  void eachSourceWinsOverTheOnesAfterIt() throws Exception {
    Files.writeString(home.resolve(".npmrc"), "registry=http://127.0.0.1:4005/\n");
    Map<String, String> env = new HashMap<>();
    env.put("PATH", fakeNpm("http://127.0.0.1:4006/", 0).toString());
    env.put("NPM_CONFIG_REGISTRY", "http://127.0.0.1:4004");
    env.put("npm_config_registry", "http://127.0.0.1:4003");
    env.put("CRAMJET_NPM_REGISTRY", "http://127.0.0.1:4002");

    assertEquals(new NpmRegistry.Choice("http://127.0.0.1:4001", "--registry"),
        NpmRegistry.resolve("http://127.0.0.1:4001", env, home));
    assertEquals(new NpmRegistry.Choice("http://127.0.0.1:4002", "the environment variable CRAMJET_NPM_REGISTRY"),
        NpmRegistry.resolve(null, env, home));
    env.remove("CRAMJET_NPM_REGISTRY");
    assertEquals("http://127.0.0.1:4003", NpmRegistry.resolve(null, env, home).url());
    env.remove("npm_config_registry");
    assertEquals("http://127.0.0.1:4004", NpmRegistry.resolve(null, env, home).url());
    env.remove("NPM_CONFIG_REGISTRY");
    assertEquals(new NpmRegistry.Choice("http://127.0.0.1:4005/", home.resolve(".npmrc") + " line 1"),
        NpmRegistry.resolve(null, env, home));
    Files.delete(home.resolve(".npmrc"));
    NpmRegistry.Choice fromNpm = NpmRegistry.resolve(null, env, home);
    assertEquals("http://127.0.0.1:4006/", fromNpm.url());
    assertTrue(fromNpm.source().contains("config get registry"), fromNpm.source());
  }

  @Test
  void nothingConfiguredIsAnErrorSayingHowToSetIt() throws Exception {
    Map<String, String> noNpm = Map.of("PATH", Files.createDirectories(home.resolve("empty-bin")).toString());
    BadInputException e = assertThrows(BadInputException.class, () -> NpmRegistry.resolve(null, noNpm, home));
    assertTrue(e.getMessage().startsWith("no npm registry is configured: set CRAMJET_NPM_REGISTRY"), e.getMessage());
    assertTrue(e.getMessage().contains("registry=URL") && e.getMessage().contains(home.resolve(".npmrc").toString())
        && e.getMessage().contains("npm is not on the PATH"), e.getMessage());

    // npm present but printing nothing useful (npm answers "undefined" for an unset key)
    Map<String, String> uselessNpm = Map.of("PATH", fakeNpm("undefined", 0).toString());
    BadInputException e2 = assertThrows(BadInputException.class, () -> NpmRegistry.resolve(null, uselessNpm, home));
    assertTrue(e2.getMessage().contains("gave no URL"), e2.getMessage());
  }

  @Test
  void npmrcIsReadAsNpmReadsIt() throws Exception {
    Files.writeString(home.resolve(".npmrc"), String.join("\n",
        "; a comment",
        "# registry=http://127.0.0.1:1/ (commented out)",
        "@corp:registry=http://127.0.0.1:2/",
        "  registry =  \"http://${REG_HOST}:${REG_PORT}/npm/\"  ",
        "always-auth=false", ""));
    Map<String, String> env = Map.of("REG_HOST", "127.0.0.1", "REG_PORT", "4873");
    NpmRegistry.Choice c = NpmRegistry.resolve(null, env, home);
    assertEquals("http://127.0.0.1:4873/npm/", c.url());
    assertEquals(home.resolve(".npmrc") + " line 4", c.source());

    // npm_config_userconfig names another file instead of ~/.npmrc
    Path other = home.resolve("conf/other-npmrc");
    Files.createDirectories(other.getParent());
    Files.writeString(other, "registry=http://127.0.0.1:4874/\n");
    assertEquals("http://127.0.0.1:4874/",
        NpmRegistry.resolve(null, Map.of("npm_config_userconfig", other.toString()), home).url());
  }

  @Test
  void aValueThatIsNotAUrlIsNamedWithItsSource() throws Exception {
    Files.writeString(home.resolve(".npmrc"), "color=false\nregistry=registry-without-scheme\n");
    BadInputException e = assertThrows(BadInputException.class, () -> NpmRegistry.resolve(null, Map.of(), home));
    assertTrue(e.getMessage().contains(home.resolve(".npmrc") + " line 2")
        && e.getMessage().contains("'registry-without-scheme' is not an http(s) URL"), e.getMessage());

    BadInputException env = assertThrows(BadInputException.class,
        () -> NpmRegistry.resolve(null, Map.of("CRAMJET_NPM_REGISTRY", "ftp://127.0.0.1/"), home));
    assertTrue(env.getMessage().contains("the environment variable CRAMJET_NPM_REGISTRY"), env.getMessage());

    Files.writeString(home.resolve(".npmrc"), "registry=http://${UNSET_HOST_VAR}/\n");
    BadInputException unset = assertThrows(BadInputException.class, () -> NpmRegistry.resolve(null, Map.of(), home));
    assertTrue(unset.getMessage().contains("${UNSET_HOST_VAR}"), unset.getMessage());
  }
}
