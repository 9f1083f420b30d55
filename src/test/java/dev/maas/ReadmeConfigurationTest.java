package dev.maas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.web.security.SecurityProperties;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The README's configuration table lists every {@code maas.*} property of the configuration
 * metadata that {@code spring-boot-configuration-processor} generates from the feature's {@code
 * *Properties} records (what IDEs complete), with the default declared there, so a new property
 * cannot go undocumented; and every property has a description (its record's javadoc).
 */
class ReadmeConfigurationTest {
  private static final Pattern ROW =
      Pattern.compile("(?m)^\\| `(maas\\.[a-z0-9.-]+)` \\| ([^|]*)\\|");
  private static final Path METADATA =
      Path.of("target", "classes", "META-INF", "spring-configuration-metadata.json");

  /** Defaults computed from another setting, which the metadata cannot declare. */
  private static final Map<String, Object> DERIVED =
      Map.of(
          "maas.security.burst", new SecurityProperties(true, null, null, true, 200, null).burst());

  @Test
  void everyPropertyIsInTheReadmeTableWithItsDefault() throws Exception {
    Map<String, JsonNode> properties = new LinkedHashMap<>();
    for (JsonNode p : JsonMapper.builder().build().readTree(METADATA.toFile()).get("properties")) {
      if (p.get("name").asString().startsWith("maas.")) {
        properties.put(p.get("name").asString(), p);
      }
    }
    assertThat(properties).hasSizeGreaterThan(20);

    Map<String, String> documented = new LinkedHashMap<>();
    Matcher row = ROW.matcher(Files.readString(Path.of("README.md")));
    while (row.find()) {
      documented.put(row.group(1), row.group(2).trim());
    }

    assertThat(documented.keySet())
        .as("maas.* properties in the README's configuration table")
        .containsAll(properties.keySet());
    properties.forEach(
        (property, p) -> {
          assertThat(p.path("description").asString(""))
              .as("the description of %s (its record's javadoc)", property)
              .isNotBlank();
          String type = p.get("type").asString();
          if (type.startsWith("java.util.List") || type.startsWith("java.util.Map")) {
            return;
          }
          Object value =
              DERIVED.containsKey(property)
                  ? DERIVED.get(property)
                  : defaultValue(type, p.get("defaultValue"));
          assertThat(documented.get(property))
              .as("the README's default of %s", property)
              .isEqualTo("`" + format(value) + "`");
        });
  }

  /** The metadata's default as the value the application binds. */
  private static Object defaultValue(String type, JsonNode value) {
    if (value == null || value.isNull()) {
      return null;
    }
    return switch (type) {
      case "org.springframework.util.unit.DataSize" -> DataSize.parse(value.asString());
      case "java.time.Duration" -> DurationStyle.detectAndParse(value.asString());
      default -> value.isNumber() ? value.numberValue() : value.asString();
    };
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
