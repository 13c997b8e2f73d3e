package dev.cramjet.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import dev.cramjet.util.BadInputException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Binds a HOCON section onto a Java record, by component name in kebab case ({@code vocabSize} reads
 * {@code vocab-size}). Every problem becomes a {@link BadInputException} naming the file, line and full key: an
 * unknown key, a missing key, a wrong type, or a value the record's compact constructor rejects.
 *
 * <p>Supported component types: int, long, double, boolean, String, enums (written in kebab case), {@code
 * List<String>}, and nested records. It does not fill defaults: presets are complete, and overrides fall back to them.
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
    try {
      Constructor<R> ctor = type.getDeclaredConstructor(types);
      return ctor.newInstance(args);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IllegalArgumentException || cause instanceof BadInputException) {
        throw new BadInputException(origin(section) + "invalid section '" + path + "': " + cause.getMessage(), cause);
      }
      throw new IllegalStateException("cannot build " + type.getSimpleName(), cause);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot build " + type.getSimpleName(), e);
    }
  }

  private static Object read(Config section, String key, RecordComponent c, String fullKey) {
    Class<?> t = c.getType();
    try {
      if (t == int.class) {
        return section.getInt(key);
      } else if (t == long.class) {
        return section.getLong(key);
      } else if (t == double.class) {
        return section.getDouble(key);
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
    } catch (ConfigException.WrongType e) {
      throw new BadInputException(
          where(section, key) + "key '" + fullKey + "' must be " + typeName(c) + ", got "
              + section.getValue(key).valueType().name().toLowerCase(Locale.ROOT)
              + " " + section.getValue(key).render());
    }
    throw new IllegalStateException("unsupported config type " + t + " for " + fullKey);
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
    if (t.isEnum()) {
      return "one of " + Arrays.stream(t.getEnumConstants()).map(e -> kebab((Enum<?>) e)).collect(Collectors.toList());
    }
    if (t == List.class) {
      return "a list of strings";
    }
    if (t.isRecord()) {
      return "an object";
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

  private static String describe(com.typesafe.config.ConfigOrigin o) {
    String file = o.filename() != null ? o.filename() : o.resource() != null ? o.resource() : o.description();
    return o.lineNumber() > 0 ? file + ":" + o.lineNumber() + ": " : file + ": ";
  }
}
