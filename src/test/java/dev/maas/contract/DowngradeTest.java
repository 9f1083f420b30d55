package dev.maas.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import org.junit.jupiter.api.Test;

/** The validator, fed the contract's 3.0 form, still catches what the 3.1 file forbids. */
class DowngradeTest {

  private static ValidationReport response(String path, int status, String json) {
    return Contract.get()
        .validator()
        .validateResponse(
            path,
            Request.Method.GET,
            SimpleResponse.Builder.status(status)
                .withContentType(status < 400 ? "application/json" : "application/problem+json")
                .withBody(json)
                .build());
  }

  @Test
  void aNullableFieldTakesNullButNotAnotherType() {
    String job = "/api/v1/training-jobs/job-1";
    assertThat(response(job, 200, "{\"id\": \"job-1\", \"error\": null}").hasErrors()).isFalse();
    assertThat(response(job, 200, "{\"id\": \"job-1\", \"error\": 42}").hasErrors()).isTrue();
    assertThat(response(job, 200, "{\"id\": 7}").hasErrors()).isTrue();
  }

  @Test
  void requiredFieldsAndUndocumentedStatusesAreErrors() {
    assertThat(response("/api/v1/models/m", 200, "{\"name\": \"m\"}").hasErrors()).isTrue();
    assertThat(
            response("/api/v1/models/m", 418, "{\"status\": 418, \"detail\": \"x\"}").hasErrors())
        .isTrue();
  }

  @Test
  void anotherThreeOneConstructIsRefusedRatherThanDropped() {
    String spec = "openapi: 3.1.0\npaths: {}\ncomponents:\n  schemas:\n    A: {const: 1}\n";
    assertThatThrownBy(() -> Downgrade.to30(spec)).hasMessageContaining("const");
    String union = "openapi: 3.1.0\ncomponents:\n  schemas:\n    A: {type: [string, integer]}\n";
    assertThatThrownBy(() -> Downgrade.to30(union)).hasMessageContaining("no 3.0 form");
  }

  @Test
  void aPropertyNamedLikeAKeywordIsNotAKeyword() {
    String spec =
        "openapi: 3.1.0\ncomponents:\n  schemas:\n    A:\n      type: object\n"
            + "      properties: {const: {type: string}, if: {type: [string, 'null']}}\n";
    assertThat(Downgrade.to30(spec)).contains("nullable: true").contains("openapi: 3.0.3");
  }
}
