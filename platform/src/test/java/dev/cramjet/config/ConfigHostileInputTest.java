package dev.cramjet.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cramjet.data.PrepareConfig;
import dev.cramjet.data.PrepareConfigFile;
import dev.cramjet.model.ArchConfig;
import dev.cramjet.util.BadInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Generated hostile config input: values of the wrong type, fractions for whole numbers, numbers out of range or not
 * finite, values outside a key's limits, unknown keys and unknown sections, weird strings and keys. Each case is given
 * either as {@code --set KEY=VALUE} or on line 3 of a run file, and must be refused with a one-line
 * {@link BadInputException} that names the key and the source ("--set KEY", or "FILE:3"), without a Java class name or
 * HOCON's "merge of ... @ jar:..." origins.
 */
class ConfigHostileInputTest {
  private static final AtomicInteger CASES = new AtomicInteger();
  private static final List<String> SECTIONS = List.of("arch", "train", "run", "daemon");

  /** A key of a bound section with the HOCON type its record component has. */
  record Key(String section, String name, Class<?> type) {
    String full() {
      return section + "." + name;
    }
  }

  /** One hostile case: the full key written, the value text, what the message must name, and the source. */
  record Case(String key, String value, String named, boolean viaSet) {}

  private static List<Key> keys() {
    List<Key> out = new ArrayList<>();
    for (var e : List.of(Tuple.of("arch", ArchConfig.class), Tuple.of("train", TrainConfig.class),
        Tuple.of("run", RunConfig.RunSettings.class))) {
      for (RecordComponent c : e.get2().getRecordComponents()) {
        out.add(new Key(e.get1(), ConfigBinder.kebab(c.getName()), c.getType()));
      }
    }
    return out;
  }

  /** Values that no key of {@code type} accepts. */
  private static List<String> wrongValues(Class<?> type) {
    List<String> objectAndList = List.of("[1, 2]", "{ a = 1 }", "[]", "{}", "[\"x\", { y = 2 }]");
    List<String> v = new ArrayList<>(objectAndList);
    if (type == int.class || type == long.class) {
      v.addAll(List.of("1.5", "2.25", "-0.5", "0.001", "7.999999", "1e300", "-1e300", "\"abc\"", "\"\"", "\"1x\"",
          "\"NaN\"", "\"Infinity\"", "true", "\"3.5\"", "\"0x10\"", "1e-5"));
      if (type == int.class) {
        v.addAll(List.of("99999999999", "-99999999999", "2147483648", "-2147483649", "1e10"));
      } else {
        v.addAll(List.of("9223372036854775808", "-9223372036854775809", "1e19"));
      }
    } else if (type == double.class) {
      v.addAll(List.of("\"NaN\"", "\"Infinity\"", "\"-Infinity\"", "1e400", "-1e400", "\"abc\"", "\"\"", "true",
          "\"1.5.2\"", "\"0x1p3q\""));
    } else if (type == boolean.class) {
      v.addAll(List.of("\"maybe\"", "2", "1.5", "\"\"", "\"truthy\"", "0"));
    } else if (type.isEnum()) {
      v.addAll(List.of("\"sideways\"", "5", "\"\"", "\"fp64\"", "\"pre post\"", "\"\\u0000\"", "true"));
    }
    return v;
  }

  /** Values of the right type outside the limits that key's record checks. */
  private static final List<Tuple.Tuple2<String, String>> OUT_OF_LIMITS = List.of(
      Tuple.of("arch.vocab-size", "0"), Tuple.of("arch.vocab-size", "-5"), Tuple.of("arch.vocab-size", "3"),
      Tuple.of("arch.hidden", "0"), Tuple.of("arch.hidden", "-256"), Tuple.of("arch.layers", "0"),
      Tuple.of("arch.layers", "-1"), Tuple.of("arch.heads", "0"), Tuple.of("arch.heads", "-4"),
      Tuple.of("arch.intermediate", "0"), Tuple.of("arch.max-seq-len", "0"), Tuple.of("arch.max-seq-len", "-128"),
      Tuple.of("arch.norm-eps", "0"), Tuple.of("arch.norm-eps", "1"), Tuple.of("arch.norm-eps", "-1e-12"),
      Tuple.of("arch.dropout", "-0.1"), Tuple.of("arch.dropout", "1"), Tuple.of("arch.dropout", "7"),
      Tuple.of("arch.init-std", "0"), Tuple.of("arch.init-std", "-0.02"),
      Tuple.of("train.micro-batch", "0"), Tuple.of("train.micro-batch", "-32"), Tuple.of("train.batch-size", "0"),
      Tuple.of("train.batch-size", "-128"), Tuple.of("train.batch-size", "100"),
      Tuple.of("train.ramp-fraction", "-0.1"), Tuple.of("train.ramp-fraction", "1.5"), Tuple.of("train.lr", "-1e-3"),
      Tuple.of("train.beta1", "1"), Tuple.of("train.beta1", "-0.1"), Tuple.of("train.beta2", "1.5"),
      Tuple.of("train.beta2", "-1"), Tuple.of("train.eps", "0"), Tuple.of("train.eps", "-1e-12"),
      Tuple.of("train.eps", "1e-45"), Tuple.of("train.weight-decay", "-0.01"), Tuple.of("train.clip-norm", "-1"),
      Tuple.of("train.warmup", "1"), Tuple.of("train.warmup", "-0.1"), Tuple.of("train.mask-rate", "0"),
      Tuple.of("train.mask-rate", "1"), Tuple.of("train.mask-rate", "1.5"), Tuple.of("train.keep-checkpoints", "0"),
      Tuple.of("train.keep-checkpoints", "-3"), Tuple.of("train.log-every", "0"), Tuple.of("train.max-bad-steps", "0"),
      Tuple.of("train.budget", "\"soon\""), Tuple.of("train.budget", "\"-5m\""), Tuple.of("train.budget", "\"0steps\""),
      Tuple.of("train.budget", "\"\""), Tuple.of("train.budget", "\"10parsecs\""),
      Tuple.of("train.checkpoint-every", "\"often\""), Tuple.of("train.checkpoint-every", "\"-1steps\""),
      Tuple.of("train.schedule", "\"zigzag\""), Tuple.of("train.schedule", "\"\""), Tuple.of("run.shards", "\"\""),
      Tuple.of("run.shards", "\"   \""), Tuple.of("run.out", "\"\""), Tuple.of("run.out", "\"\\t\""));

  @Provide
  Arbitrary<Case> wrongTypes() {
    List<Arbitrary<Case>> perKey = new ArrayList<>();
    for (Key k : keys()) {
      if (k.type() == String.class) {
        // a string key takes numbers and booleans as their text; only a list or an object is the wrong type
        perKey.add(Combinators.combine(Arbitraries.of("[1, 2]", "{ a = 1 }", "[]", "{}"), Arbitraries.of(true, false))
            .as((v, set) -> new Case(k.full(), v, k.full(), set)));
      } else {
        perKey.add(Combinators.combine(Arbitraries.of(wrongValues(k.type())), Arbitraries.of(true, false))
            .as((v, set) -> new Case(k.full(), v, k.full(), set)));
      }
    }
    return Arbitraries.oneOf(perKey);
  }

  @Provide
  Arbitrary<Case> outOfLimits() {
    return Combinators.combine(Arbitraries.of(OUT_OF_LIMITS), Arbitraries.of(true, false))
        .as((t, set) -> new Case(t.get1(), t.get2(), t.get1(), set));
  }

  /** Names that are no key of any section: letters, digits and dashes, or stranger quoted text. */
  private static Arbitrary<String> strangeName() {
    Arbitrary<String> plain = Arbitraries.strings().withCharRange('a', 'z').withChars('-', '0', '7').ofMinLength(1)
        .ofMaxLength(24).filter(s -> Character.isLetter(s.charAt(0)) && !s.endsWith("-"));
    Arbitrary<String> weird = Arbitraries.of("ключ", "名前", "a b", "x_y", "UPPER", "tab\there", "semi;colon", "dollar$",
        "\u00e9t\u00e9", "emoji\ud83d\ude00", "../../etc", "a".repeat(300));
    return Arbitraries.frequencyOf(Tuple.of(4, plain), Tuple.of(1, weird));
  }

  private static String quoted(String name) {
    return name.matches("[a-z][a-z0-9-]*") ? name : "\"" + name.replace("\\", "\\\\").replace("\"", "\\\"")
        .replace("\t", "\\t") + "\"";
  }

  @Provide
  Arbitrary<Case> unknownNames() {
    List<String> known = new ArrayList<>(SECTIONS);
    for (Key k : keys()) {
      known.add(k.full());
    }
    known.add("arch.preset");
    known.add("train.preset");
    known.add("run.raw-text");
    Arbitrary<Case> unknownKey = Combinators.combine(Arbitraries.of("arch", "train", "run"), strangeName(),
            Arbitraries.of("1", "\"x\"", "true", "{ a = 1 }", "[1]", "1.5"), Arbitraries.of(true, false))
        .as((section, name, value, set) -> new Case(section + "." + quoted(name), value, name, set))
        .filter(c -> !known.contains(c.key()));
    Arbitrary<Case> unknownSection = Combinators.combine(strangeName(), strangeName(),
            Arbitraries.of("1", "\"x\"", "true", "{ a = 1 }", "[1]", "1.5"), Arbitraries.of(true, false))
        .as((section, name, value, set) -> new Case(quoted(section) + "." + quoted(name), value, section, set))
        .filter(c -> !SECTIONS.contains(c.named()));
    return Arbitraries.oneOf(unknownKey, unknownSection);
  }

  /** Loads the case and returns the error message; fails when the config is accepted. */
  private static String refused(Case c) {
    CASES.incrementAndGet();
    if (c.viaSet()) {
      return assertThrows(BadInputException.class,
          () -> RunConfig.load("tiny-synthetic", List.of(c.key() + "=" + c.value())), c::toString).getMessage();
    }
    try {
      Path dir = Files.createTempDirectory("cramjet-hostile-config");
      Path file = dir.resolve("run.conf");
      try {
        Files.writeString(file, "arch { preset = tiny }\ntrain { preset = cpu-short }\n" + c.key() + " = " + c.value()
            + "\n");
        return assertThrows(BadInputException.class, () -> RunConfig.load(file.toString(), List.of()), c::toString)
            .getMessage();
      } finally {
        Files.deleteIfExists(file);
        Files.deleteIfExists(dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void assertClean(Case c, String m) {
    String source = c.viaSet() ? "--set " + c.key() : "run.conf:3: ";
    assertTrue(m.contains(source), () -> "names the source '" + source + "': " + m + " for " + c);
    assertTrue(m.contains(c.named()), () -> "names '" + c.named() + "': " + m + " for " + c);
    for (String bad : List.of("Exception", "com.typesafe", "java.", "merge of", "jar:", "@ file:", "\n")) {
      assertFalse(m.contains(bad), () -> "no '" + bad + "' in: " + m + " for " + c);
    }
    assertTrue(m.length() < 400 + c.key().length() * 2, () -> "short: " + m.length() + " chars: " + m);
  }

  @Property(tries = 200)
  void valuesOfTheWrongTypeAreRefusedNamingKeyAndSource(@ForAll("wrongTypes") Case c) {
    assertClean(c, refused(c));
  }

  @Property(tries = 150)
  void valuesOutsideAKeysLimitsAreRefusedNamingKeyAndSource(@ForAll("outOfLimits") Case c) {
    assertClean(c, refused(c));
  }

  @Property(tries = 200)
  void unknownKeysAndSectionsAreRefusedNamingThemAndTheSource(@ForAll("unknownNames") Case c) {
    String m = refused(c);
    assertClean(c, m);
    assertTrue(m.contains("unknown key") || m.contains("unknown section"), m);
  }

  @Provide
  Arbitrary<Case> dataBlockValues() {
    List<Arbitrary<Case>> perKey = new ArrayList<>();
    for (RecordComponent c : PrepareConfig.class.getRecordComponents()) {
      String key = "data." + ConfigBinder.kebab(c.getName());
      List<String> values = c.getType() == List.class
          ? List.of("{ a = 1 }", "[{ a = 1 }]", "[[1]]", "[]", "5", "true")
          : c.getType() == String.class ? List.of("[1, 2]", "{ a = 1 }") : wrongValues(c.getType());
      perKey.add(Arbitraries.of(values).map(v -> new Case(key, v, key, false)));
    }
    perKey.add(Combinators.combine(strangeName(), Arbitraries.of("1", "\"x\"", "[1]"))
        .as((name, v) -> new Case("data." + quoted(name), v, name, false))
        .filter(c -> !List.of("inputs", "tokenizer", "seq-len", "compression-cutoff", "dedup", "span-dedup",
            "span-window", "order", "seed", "threads", "shard-rows", "max-line-bytes", "max-document-chars")
            .contains(c.named())));
    perKey.add(Arbitraries.of("[1]", "{ a = 1 }", "true").map(v -> new Case("data.tokenizer", v, "data.tokenizer", false)));
    return Arbitraries.oneOf(perKey);
  }

  /** data prepare's {@code data { ... }} block: the same rules, FILE:3 as the source. */
  @Property(tries = 100)
  void dataBlockValuesAreRefusedNamingKeyFileAndLine(@ForAll("dataBlockValues") Case c) throws IOException {
    CASES.incrementAndGet();
    Path dir = Files.createTempDirectory("cramjet-hostile-data");
    Path file = dir.resolve("data.conf");
    try {
      Files.writeString(file, "data {\n  inputs = [corpus]\n  " + c.key().substring("data.".length()) + " = "
          + c.value() + "\n}\n");
      String m = assertThrows(BadInputException.class, () -> PrepareConfigFile.load(file), c::toString).getMessage();
      assertClean(new Case(c.key(), c.value(), c.named(), false), m.replace(file.toString(), "run.conf"));
    } finally {
      Files.deleteIfExists(file);
      Files.deleteIfExists(dir);
    }
  }

  @AfterContainer
  static void report() {
    System.out.println("ConfigHostileInputTest: " + CASES.get() + " hostile config cases refused cleanly");
    assertEquals(true, CASES.get() > 0);
  }
}
