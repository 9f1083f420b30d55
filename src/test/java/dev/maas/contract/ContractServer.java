package dev.maas.contract;

import java.nio.file.Path;
import java.util.UUID;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The one server the contract tests share: every subclass gets the same Spring context (same
 * configuration, so the test framework's cache hands it over) on a random port.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
abstract class ContractServer {
  private static final Path STORAGE =
      Path.of("target", "test-data", "contract-" + UUID.randomUUID());

  @LocalServerPort int port;

  @DynamicPropertySource
  static void storage(DynamicPropertyRegistry properties) {
    properties.add("maas.storage.path", STORAGE::toString);
  }

  String base() {
    return "http://127.0.0.1:" + port;
  }
}
