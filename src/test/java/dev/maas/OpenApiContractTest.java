package dev.maas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import org.yaml.snakeyaml.Yaml;

/**
 * openapi.yaml at the root is the contract: the running server serves exactly the operations it
 * lists under /api and /v2, no more and no fewer.
 */
@SpringBootTest(properties = "maas.storage.path=target/test-data/openapi")
class OpenApiContractTest {
  private static final Set<String> METHODS = Set.of("get", "put", "post", "patch", "delete");

  @Autowired
  @Qualifier("requestMappingHandlerMapping")
  RequestMappingHandlerMapping mappings;

  @Test
  void theServerServesExactlyTheOperationsOfTheContract() throws Exception {
    Set<String> served = served();
    assertThat(served).isNotEmpty();
    assertThat(served).isEqualTo(documented());
  }

  @SuppressWarnings("unchecked")
  private static Set<String> documented() throws Exception {
    Map<String, Object> spec;
    try (InputStream in = Files.newInputStream(Path.of("openapi.yaml"))) {
      spec = new Yaml().load(in);
    }
    Set<String> operations = new TreeSet<>();
    Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) spec.get("paths");
    paths.forEach(
        (path, item) ->
            item.keySet().stream()
                .filter(METHODS::contains)
                .forEach(m -> operations.add(m.toUpperCase() + " " + path)));
    return operations;
  }

  private Set<String> served() {
    Set<String> operations = new TreeSet<>();
    mappings
        .getHandlerMethods()
        .forEach(
            (info, method) -> {
              for (String path : info.getPatternValues()) {
                if (!path.startsWith("/api/") && !path.startsWith("/v2")) {
                  continue;
                }
                for (RequestMethod m : info.getMethodsCondition().getMethods()) {
                  operations.add(m.name() + " " + path);
                }
              }
            });
    return operations;
  }
}
