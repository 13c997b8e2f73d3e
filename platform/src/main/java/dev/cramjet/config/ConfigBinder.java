package dev.cramjet.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.cramjet.budget.Budget;
import dev.cramjet.budget.LrSchedule;
import dev.cramjet.util.BadInputException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Binds a HOCON section onto a Java record, by component name in kebab case ({@code vocabSize} reads
 * {@code vocab-size}). Every problem becomes a {@link BadInputException} naming the file, line and full key: an
 * unknown key, a missing key, a wrong type, or a value the record's compact constructor rejects.
 *
 * <p>Supported component types: int, long, double, boolean, String, enums (written in kebab case), {@code
 * List<String>}, nested records, and the types written as text that {@link #TEXT_TYPES} parses (a budget, a period, a
 * learning-rate curve). It does not fill defaults: presets are complete, and overrides fall back to them.
 */
public final class ConfigBinder {
  private ConfigBinder() {}

  /** Binds {@code section} (whose keys sit at {@code path}, e.g. "arch") onto a new {@code type}. */
  public static <R extends Record> R bind(Config section, Class<R> type, String path) {
    RecordComponent[] components = type.getRecordComponents();
    List<String> known = Arrays.stream(components).map(c -> kebab(c.getName())).toList();
    for (String key : new TreeSet<>(section.root().keySet())) {
      if (!known.contains(key)) {
        throw new BadInputException(
            where(section, key) + "unknown key '" + join(path, key) + "'; expected one of: " + String.join(", ", known));
      }
    }
    Object[] args = new Object[components.length];
    Class<?>[] types = new Class<?>[components.length];
    for (int i = 0; i < components.length; i++) {
      RecordComponent c = components[i];
      String key = kebab(c.getName());
      types[i] = c.getType();
      if (!section.hasPathOrNull(key) || section.getIsNull(key)) {
        throw new BadInputException(
            origin(section) + "missing key '" + join(path, key) + "' (" + typeName(c) + ")");
      }
      args[i] = read(section, key, c, join(path, key));
    }
    // Text is parsed once every key has the right HOCON type, so that a type error still comes first.
    for (int i = 0; i < components.length; i++) {
      TextType text = TEXT_TYPES.get(components[i].getGenericType().getTypeName());
      if (text != null) {
        String key = kebab(components[i].getName());
        try {
          args[i] = text.parse().apply((String) args[i]);
        } catch (BadInputException e) {
          throw new BadInputException(where(section, key) + join(path, key) + text.hint() + ": " + e.getMessage(), e);
        }
      }
    }
    try {
      Constructor<R> ctor = type.getDeclaredConstructor(types);
      return ctor.newInstance(args);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IllegalArgumentException || cause instanceof BadInputException) {
        throw new BadInputException(keyed(section, path, known, cause.getMessage()), cause);
      }
      throw new IllegalStateException("cannot build " + type.getSimpleName(), cause);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot build " + type.getSimpleName(), e);
    }
  }

  /**
   * A component type written as a string and parsed by {@code parse}, which throws a {@link BadInputException} for bad
   * text; its message follows the full key and {@code hint} ("train.budget: budget 'soon' is not understood; ...").
   */
  private record TextType(Function<String, ?> parse, String hint) {}

  /**
   * The types written as text, by generic type name: a {@link Budget} ("24h", "500steps"), a period that may be
   * absent ({@code Optional<Budget>}, see {@link TrainConfig#checkpointPeriod}) and a learning-rate curve by name.
   */
  private static final Map<String, TextType> TEXT_TYPES = Map.of(
      Budget.class.getTypeName(), new TextType(Budget::parse, ""),
      "java.util.Optional<" + Budget.class.getTypeName() + ">",
      new TextType(TrainConfig::checkpointPeriod, TrainConfig.CHECKPOINT_EVERY_HINT),
      LrSchedule.Curve.class.getTypeName(), new TextType(LrSchedule.Curve::named, ""));

  /** The value at {@code key}; for a {@link #TEXT_TYPES} component, its text, which {@link #bind} then parses. */
  private static Object read(Config section, String key, RecordComponent c, String fullKey) {
    Class<?> t = c.getType();
    try {
      if (TEXT_TYPES.containsKey(c.getGenericType().getTypeName())) {
        return section.getString(key);
      } else if (t == int.class) {
        return (int) whole(section, key, c, fullKey, Integer.MIN_VALUE, Integer.MAX_VALUE);
      } else if (t == long.class) {
        return whole(section, key, c, fullKey, Long.MIN_VALUE, Long.MAX_VALUE);
      } else if (t == double.class) {
        double d = section.getDouble(key);
        if (!Double.isFinite(d)) {
          throw new BadInputException(where(section, key) + fullKey + " must be a finite number, got "
              + shown(fullKey, section.getValue(key)));
        }
        return d;
      } else if (t == boolean.class) {
        return section.getBoolean(key);
      } else if (t == String.class) {
        return section.getString(key);
      } else if (t.isEnum()) {
        return enumValue(t, section.getString(key), where(section, key) + "'" + fullKey + "'");
      } else if (t == List.class && isListOfString(c)) {
        return List.copyOf(section.getStringList(key));
      } else if (t.isRecord()) {
        @SuppressWarnings("unchecked")
        Class<? extends Record> rt = (Class<? extends Record>) t;
        return bind(section.getConfig(key), rt, fullKey);
      }
    } catch (ConfigException e) {
      throw new BadInputException(where(section, key) + fullKey + " must be " + typeName(c) + ", got "
          + shown(fullKey, section.getValue(key)));
    }
    throw new IllegalStateException("unsupported config type " + t + " for " + fullKey);
  }

  /**
   * A whole number in [min, max]. HOCON's own getInt/getLong truncate 1.5 to 1 and clamp 1e300 to the largest long;
   * here a fraction, a value out of range or a non-number is an error naming the key.
   */
  private static long whole(Config section, String key, RecordComponent c, String fullKey, long min, long max) {
    ConfigValue v = section.getValue(key);
    BigDecimal n = null;
    if (v.valueType() == ConfigValueType.NUMBER) {
      Object u = v.unwrapped();
      n = u instanceof Double || u instanceof Float ? (Double.isFinite(((Number) u).doubleValue())
          ? BigDecimal.valueOf(((Number) u).doubleValue()) : null) : new BigDecimal(u.toString());
    } else if (v.valueType() == ConfigValueType.STRING) {
      try {
        n = new BigDecimal(((String) v.unwrapped()).trim());
      } catch (NumberFormatException e) {
        n = null;
      }
    }
    if (n == null) {
      throw new BadInputException(where(section, key) + fullKey + " must be " + typeName(c) + ", got "
          + shown(fullKey, v));
    }
    if (n.signum() != 0 && n.stripTrailingZeros().scale() > 0) {
      throw new BadInputException(where(section, key) + fullKey + " must be a whole number, got " + shown(fullKey, v)
          + " (a fraction is not rounded)");
    }
    if (n.compareTo(BigDecimal.valueOf(min)) < 0 || n.compareTo(BigDecimal.valueOf(max)) > 0) {
      throw new BadInputException(where(section, key) + fullKey + " must be " + typeName(c) + " between " + min
          + " and " + max + ", got " + shown(fullKey, v));
    }
    return n.longValueExact();
  }

  /**
   * The message of a record's validation, which starts with the component's kebab name ("heads (3) must divide ...",
   * "lr must be >= 0"), as "SOURCE: section.key ...": the source is where that key's value came from. A message that
   * names no component is prefixed with the section's source and name.
   */
  static String keyed(Config section, String path, List<String> known, String message) {
    Matcher m = LEADING_KEY.matcher(message);
    if (m.lookingAt() && known.contains(m.group(1))) {
      String key = m.group(1);
      return where(section, key) + join(path, key) + message.substring(key.length());
    }
    return origin(section) + (path == null || path.isEmpty() ? "" : path + ": ") + message;
  }

  private static final Pattern LEADING_KEY = Pattern.compile("([a-z][a-z0-9-]*)(?![a-z0-9-])");

  /** Keys whose values are secrets: never shown in an error or written with a resolved config. */
  public static boolean secret(String fullKey) {
    String last = fullKey.substring(fullKey.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
    return last.equals("token") || last.endsWith("-token") || last.contains("password") || last.contains("secret");
  }

  /** A value as an error shows it: its type and HOCON text, shortened, or only its type for a secret key. */
  static String shown(String fullKey, ConfigValue v) {
    String type = v.valueType().name().toLowerCase(Locale.ROOT);
    if (secret(fullKey)) {
      return "a " + type + " (value not shown)";
    }
    String text = v.render(ConfigRenderOptions.concise());
    if (text.length() > 60) {
      text = text.substring(0, 57) + "...";
    }
    return type + " " + text;
  }

  /** Parses {@code value} (kebab or upper case) into a constant of the enum {@code t}. */
  public static Object enumValue(Class<?> t, String value, String what) {
    for (Object constant : t.getEnumConstants()) {
      if (kebab((Enum<?>) constant).equals(value.toLowerCase(Locale.ROOT).replace('_', '-'))) {
        return constant;
      }
    }
    List<String> names = new ArrayList<>();
    for (Object constant : t.getEnumConstants()) {
      names.add(kebab((Enum<?>) constant));
    }
    throw new BadInputException(what + " must be one of " + names + ", got '" + value + "'");
  }

  /** The kebab-case spelling of an enum constant: {@code SCALED_SINUSOIDAL} is "scaled-sinusoidal". */
  public static String kebab(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** {@code vocabSize} becomes "vocab-size". */
  public static String kebab(String camel) {
    StringBuilder sb = new StringBuilder();
    for (char ch : camel.toCharArray()) {
      if (Character.isUpperCase(ch)) {
        sb.append('-').append(Character.toLowerCase(ch));
      } else {
        sb.append(ch);
      }
    }
    return sb.toString();
  }

  private static boolean isListOfString(RecordComponent c) {
    return c.getGenericType() instanceof ParameterizedType p
        && p.getActualTypeArguments().length == 1
        && p.getActualTypeArguments()[0] == String.class;
  }

  private static String typeName(RecordComponent c) {
    Class<?> t = c.getType();
    if (TEXT_TYPES.containsKey(c.getGenericType().getTypeName())) {
      return "a string";
    }
    if (t.isEnum()) {
      return "one of " + Arrays.stream(t.getEnumConstants()).map(e -> kebab((Enum<?>) e)).collect(Collectors.toList());
    }
    if (t == List.class) {
      return "a list of strings";
    }
    if (t.isRecord()) {
      return "an object";
    }
    if (t == int.class || t == long.class) {
      return "a whole number (" + t.getSimpleName() + ")";
    }
    if (t == double.class) {
      return "a number";
    }
    if (t == boolean.class) {
      return "true or false";
    }
    return t == String.class ? "a string" : "a " + t.getSimpleName();
  }

  private static String join(String path, String key) {
    return path == null || path.isEmpty() ? key : path + "." + key;
  }

  /** "FILE: LINE: " of the value at {@code key}, or of the section when the key has none. */
  public static String where(Config section, String key) {
    ConfigValue v = section.root().get(key);
    return v == null ? origin(section) : describe(v.origin());
  }

  static String origin(Config section) {
    return describe(section.root().origin());
  }

  /**
   * "FILE:LINE: " for a file or a preset in the jar, "--set KEY: " for a command-line override. A merged object (a
   * preset with overrides) names each of its sources, without the jar URLs HOCON adds.
   */
  static String describe(ConfigOrigin o) {
    String file = o.resource() != null ? o.resource() : o.filename(); // a preset is named by its resource path
    if (file != null) {
      return o.lineNumber() > 0 ? file + ":" + o.lineNumber() + ": " : file + ": ";
    }
    String d = o.description();
    if (d.startsWith("merge of ")) {
      List<String> parts = new ArrayList<>();
      for (String part : d.substring("merge of ".length()).split(",")) {
        String p = part.replaceAll(" @ .*$", "").replaceAll(": \\d+(-\\d+)?$", "").trim();
        if (!p.isEmpty() && !parts.contains(p)) {
          parts.add(p);
        }
      }
      return String.join(" + ", parts) + ": ";
    }
    return d.replaceAll(" @ .*$", "").replaceAll(": \\d+(-\\d+)?$", "") + ": ";
  }
}
