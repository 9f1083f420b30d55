package dev.maas.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.junit.jupiter.api.Test;

/** openapi.yaml is a valid OpenAPI 3.1 document, as swagger-parser reads it. */
class OpenApiDocumentTest {

  @Test
  void theContractParsesAsOpenApi31WithoutAnyMessage() {
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    SwaggerParseResult result =
        new OpenAPIV3Parser().readContents(Contract.get().text(), null, options);

    assertThat(result.getMessages()).isEmpty();
    assertThat(result.getOpenAPI().getOpenapi()).startsWith("3.1");
  }

  @Test
  void everyOperationHasAUniqueOperationId() {
    assertThat(Contract.get().operations())
        .extracting(Contract.Operation::operationId)
        .doesNotContain("?")
        .doesNotHaveDuplicates();
  }
}
