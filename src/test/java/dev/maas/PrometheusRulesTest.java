package dev.maas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The Prometheus rules under helm/maas/files are valid and behave as their unit tests say (an alert
 * fires on the series it is for, recording rules compute the README's formulas).
 */
class PrometheusRulesTest {
  private static final Path RULES = Path.of("helm", "maas", "files", "maas-rules.yaml");
  private static final Path RULE_TESTS = Path.of("helm", "maas", "files", "maas-rules.test.yaml");

  @Test
  void theRulesFilePassesPromtoolCheckRules() throws Exception {
    assertThat(Promtool.check(null, "check", "rules", RULES.toString())).contains("SUCCESS");
  }

  @Test
  void theRulesPassTheirPromtoolUnitTests() throws Exception {
    assertThat(Promtool.check(null, "test", "rules", RULE_TESTS.toString())).contains("SUCCESS");
  }
}
