package dev.cramjet.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import dev.cramjet.util.BadInputException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Named configuration presets shipped in the jar under {@code configs/<kind>/<name>.conf} (the repository's {@code
 * configs/} folder). A name that is a path to an existing file is read from disk instead, so users can keep their
 * own presets beside their runs.
 */
public final class Presets {
  private Presets() {}

  /** Loads preset {@code name} of {@code kind} ("arch", "train", "run"). */
  public static Config load(String kind, String name) {
    Path file = Path.of(name);
    if ((name.contains("/") || name.endsWith(".conf")) && Files.isRegularFile(file)) {
      return parseFile(file);
    }
    String resource = "configs/" + kind + "/" + name + ".conf";
    if (Presets.class.getClassLoader().getResource(resource) == null) {
      throw new BadInputException("unknown " + kind + " preset '" + name + "'; known: " + String.join(", ", names(kind))
          + " (or give a path to a .conf file)");
    }
    try {
      return ConfigFactory.parseResources(Presets.class.getClassLoader(), resource,
          ConfigParseOptions.defaults().setAllowMissing(false)).resolve();
    } catch (ConfigException e) {
      throw new BadInputException("preset " + resource + ": " + e.getMessage(), e);
    }
  }

  /** Parses a HOCON file, turning syntax errors into a message with the file and line. */
  public static Config parseFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new BadInputException("config file not found: " + file);
    }
    try {
      return ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false)).resolve();
    } catch (ConfigException e) {
      String line = e.origin() != null && e.origin().lineNumber() > 0 ? ":" + e.origin().lineNumber() : "";
      throw new BadInputException(file + line + ": malformed config: " + RunConfig.plain(e), e);
    }
  }

  /** The preset names of {@code kind}, sorted. */
  public static List<String> names(String kind) {
    URL url = Presets.class.getClassLoader().getResource("configs/" + kind);
    if (url == null) {
      return List.of();
    }
    try {
      URI uri = url.toURI();
      if ("jar".equals(uri.getScheme())) {
        FileSystem fs;
        try {
          fs = FileSystems.getFileSystem(uri);
        } catch (FileSystemNotFoundException e) {
          fs = FileSystems.newFileSystem(uri, Map.of());
        }
        return list(fs.getPath("configs", kind));
      }
      return list(Path.of(uri));
    } catch (IOException | URISyntaxException e) {
      return List.of();
    }
  }

  private static List<String> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".conf"))
          .map(n -> n.substring(0, n.length() - ".conf".length()))
          .sorted()
          .toList();
    }
  }
}
