package dev.maas.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.bind.annotation.RequestMethod;
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
    return operations;
  }
}
