package dev.maas.web.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.MaasApplication;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

@ExtendWith(OutputCaptureExtension.class)
class SecurityDisabledTest {

  @Test
  void turningSecurityOffLogsAWarningAtEveryStartAndGeneratesNoKey(CapturedOutput output) {
    Path data = Path.of("target", "test-data", "security-off-" + UUID.randomUUID());
    for (int start = 1; start <= 2; start++) {
      try (ConfigurableApplicationContext context =
          new SpringApplicationBuilder(MaasApplication.class)
              .properties(
                  "server.port=0",
                  "maas.security.enabled=false",
                  "maas.storage.path=" + data,
                  "spring.main.banner-mode=off")
              .run()) {
        assertThat(context.isRunning()).isTrue();
      }
      assertThat(output.getAll().split("maas.security.enabled=false: every endpoint is open", -1))
          .hasSize(start + 1);
    }
    assertThat(data.resolve(KeySources.GENERATED_KEY_FILE)).doesNotExist();
    assertThat(output.getAll()).doesNotContain("generated security password");
  }
}
