package dev.maas.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.yaml.snakeyaml.Yaml;

/**
 * The chart at helm/maas, linted and rendered by real Helm (helm-java carries it), once per set of
 * values: the renders are cached, so the tests that look at one configuration share its work.
 */
final class HelmChart {
  static final Path CHART = Path.of("helm", "maas");
  static final String RELEASE = "maas-test";
  static final String NAMESPACE = "ml";

  private static final Map<Map<String, Object>, List<Map<String, Object>>> RENDERS =
      new ConcurrentHashMap<>();

  private HelmChart() {}

  /**
   * The objects {@code helm template} renders with these values (dotted keys, e.g. {@code
   * metrics.serviceMonitor.enabled}; none: the defaults), given as a values file.
   */
  static List<Map<String, Object>> render(Map<String, Object> values) {
    return RENDERS.computeIfAbsent(Map.copyOf(values), HelmChart::template);
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> template(Map<String, Object> values) {
    TemplateCommand template =
        new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE);
    if (!values.isEmpty()) {
      Map<String, Object> nested = new LinkedHashMap<>();
      values.forEach((key, value) -> put(nested, key, value, false));
      try {
        Path file = Files.createDirectories(Path.of("target", "helm-values"));
        file = Files.createTempFile(file, "values", ".yaml");
        Files.writeString(file, new Yaml().dump(nested));
        template.withValuesFile(file);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    List<Map<String, Object>> objects = new ArrayList<>();
    for (Object doc : new Yaml().loadAll(template.call())) {
      if (doc != null) {
        objects.add((Map<String, Object>) doc);
      }
    }
    return List.copyOf(objects);
  }

  /**
   * {@code helm lint --strict} of the chart with these values written into its values.yaml (helm
   * lint takes no --set), on a copy under target/.
   */
  static LintResult lint(String name, Map<String, Object> values) {
    if (values.isEmpty()) {
      return new Helm(CHART).lint().strict().call();
    }
    try {
      Path copy = Path.of("target", "helm-lint", name, "maas");
      copyTree(CHART, copy);
      Map<String, Object> all = new Yaml().load(Files.readString(CHART.resolve("values.yaml")));
      values.forEach((key, value) -> put(all, key, value, true));
      Files.writeString(copy.resolve("values.yaml"), new Yaml().dump(all));
      return new Helm(copy).lint().strict().call();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static void put(
      Map<String, Object> values, String dotted, Object value, boolean mustExist) {
    String[] keys = dotted.split("\\.");
    Map<String, Object> at = values;
    for (int i = 0; i < keys.length - 1; i++) {
      at = (Map<String, Object>) at.computeIfAbsent(keys[i], k -> new LinkedHashMap<>());
    }
    if (mustExist && !at.containsKey(keys[keys.length - 1])) {
      throw new IllegalArgumentException(dotted + " is not a key of values.yaml");
    }
    at.put(keys[keys.length - 1], value);
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.collect(Collectors.toList())) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  // ---- reading rendered objects ------------------------------------------------------------

  static Map<String, Object> only(List<Map<String, Object>> objects, String kind) {
    List<Map<String, Object>> found = all(objects, kind);
    if (found.size() != 1) {
      throw new AssertionError(found.size() + " objects of kind " + kind);
    }
    return found.get(0);
  }

  static List<Map<String, Object>> all(List<Map<String, Object>> objects, String kind) {
    return objects.stream().filter(o -> kind.equals(o.get("kind"))).collect(Collectors.toList());
  }

  /** The value at a path of keys and list indexes, e.g. {@code at(o, "spec", "ports", 0)}. */
  @SuppressWarnings("unchecked")
  static <T> T at(Object node, Object... path) {
    Object at = node;
    for (Object step : path) {
      if (at == null) {
        return null;
      }
      at =
          step instanceof Integer
              ? ((List<Object>) at).get((Integer) step)
              : ((Map<String, Object>) at).get(step);
    }
    return (T) at;
  }

  /** The element of a list of maps whose "name" is this. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> named(Object list, String name) {
    Optional<Map<String, Object>> found =
        ((List<Map<String, Object>>) list)
            .stream().filter(m -> name.equals(m.get("name"))).findFirst();
    return found.orElseThrow(() -> new AssertionError("nothing named " + name + " in " + list));
  }

  /** The "name" of each element of a list of maps. */
  @SuppressWarnings("unchecked")
  static List<Object> names(Object list) {
    return ((List<Map<String, Object>>) list).stream().map(m -> m.get("name")).toList();
  }
}
