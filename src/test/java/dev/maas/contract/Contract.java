package dev.maas.contract;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;

/**
 * The contract: openapi.yaml at the repository root, its documented operations and a validator of
 * real requests and responses against it (swagger-request-validator, fed the contract's 3.0 form:
 * see {@link Downgrade}).
 */
final class Contract {
  static final Path FILE = Path.of("openapi.yaml");
  private static final Set<String> METHODS =
      Set.of("get", "put", "post", "patch", "delete", "head", "options", "trace");

  /** One documented operation, e.g. {@code GET /api/v1/models/{name}}. */
  record Operation(String method, String path, String operationId) {
    @Override
    public String toString() {
      return method + " " + path + " (" + operationId + ")";
    }

    String key() {
      return method + " " + path;
    }

    boolean matches(String method, String concretePath) {
      return this.method.equals(method) && pattern().matcher(concretePath).matches();
    }

    private Pattern pattern() {
      StringBuilder regex = new StringBuilder();
      for (String part : path.split("(?=\\{)|(?<=\\})")) {
        regex.append(part.startsWith("{") ? "[^/]+" : Pattern.quote(part));
      }
      return Pattern.compile(regex.toString());
    }
  }

  private static final Contract INSTANCE = new Contract();

  private final String text;
  private final List<Operation> operations;
  private final OpenApiInteractionValidator validator;

  private Contract() {
    try {
      text = Files.readString(FILE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    operations = List.copyOf(parseOperations(text));
    validator =
        OpenApiInteractionValidator.createForInlineApiSpecification(Downgrade.to30(text)).build();
  }

  static Contract get() {
    return INSTANCE;
  }

  String text() {
    return text;
  }

  List<Operation> operations() {
    return operations;
  }

  OpenApiInteractionValidator validator() {
    return validator;
  }

  /** The documented operation a request goes to, preferring a literal segment to a template. */
  Optional<Operation> operationOf(String method, String concretePath) {
    return operations.stream()
        .filter(o -> o.matches(method, concretePath))
        .min((a, b) -> Long.compare(templates(a.path()), templates(b.path())));
  }

  private static long templates(String path) {
    return path.chars().filter(c -> c == '{').count();
  }

  @SuppressWarnings("unchecked")
  private static List<Operation> parseOperations(String text) {
    Map<String, Object> spec = new Yaml().load(text);
    Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) spec.get("paths");
    List<Operation> all = new ArrayList<>();
    paths.forEach(
        (path, item) ->
            item.forEach(
                (key, value) -> {
                  if (METHODS.contains(key)) {
                    Object id = ((Map<String, Object>) value).get("operationId");
                    all.add(
                        new Operation(
                            key.toUpperCase(Locale.ROOT), path, id == null ? "?" : id.toString()));
                  }
                }));
    return all;
  }
}
