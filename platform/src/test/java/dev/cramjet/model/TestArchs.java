package dev.cramjet.model;

import com.typesafe.config.ConfigFactory;
import dev.cramjet.config.ConfigBinder;
import dev.cramjet.config.Presets;

/** Architectures for tests: presets, and a few-dimensional variant of any preset for gradient checks. */
final class TestArchs {
  private TestArchs() {}

  static ArchConfig preset(String name) {
    return ConfigBinder.bind(Presets.load("arch", name), ArchConfig.class, "arch");
  }

  /** {@code preset} shrunk to 2 layers of width 8, 2 heads, vocabulary 16, rows of 6: small enough for float64 checks. */
  static ArchConfig small(String preset) {
    return ConfigBinder.bind(
        ConfigFactory.parseString("vocab-size = 16, hidden = 8, layers = 2, heads = 2, intermediate = 12, max-seq-len = 6")
            .withFallback(Presets.load("arch", preset)),
        ArchConfig.class, "arch");
  }
}
