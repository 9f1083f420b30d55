package dev.maas.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpMethod;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.function.HandlerFunction;
import org.springframework.web.servlet.function.RequestPredicate;
import org.springframework.web.servlet.function.RequestPredicates;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * openapi.yaml at the root is the contract. The running server serves exactly the operations it
 * lists under /api and /v2; the cases of {@link ContractCases} send real requests to each of them
 * and every request and response is checked against the contract; and no documented operation may
 * go without a case that it answered successfully.
 */
class OpenApiContractTest extends ContractServer {

  @Autowired
  @Qualifier("requestMappingHandlerMapping")
  RequestMappingHandlerMapping mappings;

  @Autowired List<RouterFunction<?>> routes;

  @Test
  void theServerServesExactlyTheOperationsOfTheContract() {
    Set<String> served = served();
    assertThat(served).isNotEmpty();
    Set<String> documented =
        Contract.get().operations().stream()
            .map(Contract.Operation::key)
            .collect(Collectors.toCollection(TreeSet::new));
    assertThat(served).isEqualTo(documented);
  }

  @TestFactory
  Stream<DynamicTest> everyDocumentedOperationAnswersAsTheContractSays() {
    Contract contract = Contract.get();
    Coverage coverage = new Coverage();
    ContractClient api = new ContractClient(base(), contract, coverage);
    Stream<DynamicTest> cases =
        ContractCases.all().stream().map(c -> dynamicTest(c.name(), () -> c.flow().run(api)));
    DynamicTest covered =
        dynamicTest(
            "every documented operation answered a case successfully",
            () ->
                assertThat(coverage.withoutSuccess(contract.operations()))
                    .as(
                        "operations of openapi.yaml that no case of ContractCases exercised"
                            + " (exercised: %s)",
                        coverage)
                    .isEmpty());
    return Stream.concat(cases, Stream.of(covered));
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
    for (RouterFunction<?> route : routes) {
      route.accept(new RouteLister(operations));
    }
    operations.removeIf(o -> !o.contains(" /api/") && !o.contains(" /v2"));
    return operations;
  }

  /** The method and path of each functional route, as "METHOD /path". */
  private static final class RouteLister implements RouterFunctions.Visitor {
    private final Set<String> operations;

    RouteLister(Set<String> operations) {
      this.operations = operations;
    }

    @Override
    public void route(RequestPredicate predicate, HandlerFunction<?> handler) {
      Set<String> methods = new TreeSet<>();
      List<String> paths = new java.util.ArrayList<>();
      predicate.accept(
          new RequestPredicates.Visitor() {
            @Override
            public void method(Set<HttpMethod> m) {
              m.forEach(x -> methods.add(x.name()));
            }

            @Override
            public void path(String pattern) {
              paths.add(pattern);
            }

            @Override
            public void pathExtension(String extension) {}

            @Override
            public void header(String name, String value) {}

            @Override
            public void param(String name, String value) {}

            @Override
            public void version(String version) {}

            @Override
            public void startAnd() {}

            @Override
            public void and() {}

            @Override
            public void endAnd() {}

            @Override
            public void startOr() {}

            @Override
            public void or() {}

            @Override
            public void endOr() {}

            @Override
            public void startNegate() {}

            @Override
            public void endNegate() {}

            @Override
            public void unknown(RequestPredicate p) {}
          });
      for (String m : methods) {
        for (String path : paths) {
          operations.add(m + " " + path);
        }
      }
    }

    @Override
    public void startNested(RequestPredicate predicate) {}

    @Override
    public void endNested(RequestPredicate predicate) {}

    @Override
    public void resources(java.util.function.Function<ServerRequest, Optional<Resource>> lookup) {}

    @Override
    public void attributes(java.util.Map<String, Object> attributes) {}

    @Override
    public void unknown(RouterFunction<?> routerFunction) {}
  }
}
