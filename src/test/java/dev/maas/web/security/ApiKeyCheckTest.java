package dev.maas.web.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The check the gRPC server asks. Every role a key can be configured with includes {@code predict},
 * so PERMISSION_DENIED cannot happen with today's configuration; its branch is checked with a key
 * built here without roles, which no configuration can produce.
 */
class ApiKeyCheckTest {
  private static final String OPERATION = "inference.GRPCInferenceService/ModelInfer";

  @Test
  void everyConfigurableRoleMayPredict() {
    for (String role : List.of("predict", "train", "admin")) {
      ApiKeyCheck check =
          new ApiKeyCheck(
              true,
              new ApiKeys(List.of(ApiKey.of("k", Keys.sha256("secret"), List.of(role), "test"))),
              null);
      assertThat(check.predict("Bearer secret", OPERATION).outcome())
          .as(role)
          .isEqualTo(ApiKeyCheck.Outcome.ALLOWED);
    }
  }

  @Test
  void aKeyWithoutThePredictRoleIsPermissionDenied() {
    ApiKey reader =
        new ApiKey(
            "reader",
            ApiKeys.sha256("secret".getBytes(StandardCharsets.UTF_8)),
            EnumSet.noneOf(Role.class));
    ApiKeyCheck check = new ApiKeyCheck(true, new ApiKeys(List.of(reader)), null);

    ApiKeyCheck.Verdict verdict = check.predict("Bearer secret", OPERATION);

    assertThat(verdict.outcome()).isEqualTo(ApiKeyCheck.Outcome.PERMISSION_DENIED);
    assertThat(verdict.caller()).isEqualTo("reader");
    assertThat(verdict.message()).isEqualTo("API key 'reader' (roles: ) may not call " + OPERATION);
  }

  @Test
  void unknownAndMissingKeysAreUnauthenticated() {
    ApiKeyCheck check =
        new ApiKeyCheck(
            true,
            new ApiKeys(List.of(ApiKey.of("k", Keys.sha256("secret"), List.of("predict"), "test"))),
            null);
    assertThat(check.predict(null, OPERATION).outcome())
        .isEqualTo(ApiKeyCheck.Outcome.UNAUTHENTICATED);
    assertThat(check.predict("Bearer wrong", OPERATION).outcome())
        .isEqualTo(ApiKeyCheck.Outcome.UNAUTHENTICATED);
    assertThat(check.predict("Basic secret", OPERATION).outcome())
        .isEqualTo(ApiKeyCheck.Outcome.UNAUTHENTICATED);
  }
}
