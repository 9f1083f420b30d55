package dev.maas;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

/**
 * The README's configuration table lists every property of {@link MaasProperties} (read by
 * reflection, nested records included) with the default the record gives it, so a new property
 * cannot go undocumented.
 */
class ReadmeConfigurationTest {
  private static final Pattern ROW =
      Pattern.compile("(?m)^\\| `(maas\\.[a-z0-9.-]+)` \\| ([^|]*)\\|");

  @Test
  void everyPropertyIsInTheReadmeTableWithItsDefault() throws Exception {
    Map<String, Object> defaults = new LinkedHashMap<>();
    collect("maas", defaults(MaasProperties.class), defaults);
    assertThat(defaults).isNotEmpty();

    Map<String, String> documented = new LinkedHashMap<>();
    Matcher row = ROW.matcher(Files.readString(Path.of("README.md")));
    while (row.find()) {
      documented.put(row.group(1), row.group(2).trim());
    }

    assertThat(documented.keySet())
        .as("maas.* properties in the README's configuration table")
        .containsAll(defaults.keySet());
    defaults.forEach(
        (property, value) -> {
          if (!(value instanceof Collection) && !(value instanceof Map)) {
            assertThat(documented.get(property))
                .as("the README's default of %s", property)
                .isEqualTo("`" + format(value) + "`");
          }
        });
  }

  /** A record built with every component null: the defaults its compact constructor fills in. */
  private static Object defaults(Class<?> record) throws Exception {
    RecordComponent[] components = record.getRecordComponents();
    Class<?>[] types = new Class<?>[components.length];
    for (int i = 0; i < components.length; i++) {
      types[i] = components[i].getType();
    }
    Constructor<?> canonical = record.getDeclaredConstructor(types);
    return canonical.newInstance(new Object[components.length]);
  }

  private static void collect(String prefix, Object record, Map<String, Object> out)
      throws Exception {
    for (RecordComponent c : record.getClass().getRecordComponents()) {
      String name = prefix + "." + kebab(c.getName());
      Object value = c.getAccessor().invoke(record);
      if (c.getType().isRecord()) {
        collect(name, value == null ? defaults(c.getType()) : value, out);
      } else {
        out.put(name, value);
      }
    }
  }

  private static String kebab(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
  }

  /** A default as the README writes it: 256MB, 30s, data, 16, none. */
  static String format(Object value) {
    if (value == null) {
      return "none";
    }
    if (value instanceof DataSize) {
      long bytes = ((DataSize) value).toBytes();
      String[] units = {"TB", "GB", "MB", "KB"};
      for (int i = 0; i < units.length; i++) {
        long unit = 1L << (10 * (4 - i));
        if (bytes != 0 && bytes % unit == 0) {
          return bytes / unit + units[i];
        }
      }
      return bytes + "B";
    }
    if (value instanceof Duration) {
      Duration d = (Duration) value;
      if (d.toMillis() % 1000 != 0) {
        return d.toMillis() + "ms";
      }
      long s = d.getSeconds();
      if (s != 0 && s % 86400 == 0) {
        return s / 86400 + "d";
      }
      if (s != 0 && s % 3600 == 0) {
        return s / 3600 + "h";
      }
      if (s != 0 && s % 60 == 0) {
        return s / 60 + "m";
      }
      return s + "s";
    }
    return String.valueOf(value);
  }
}
