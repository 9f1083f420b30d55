package dev.maas;

import java.nio.file.Path;
import java.util.UUID;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The full server on a random port with the default settings but for a limit small enough for a
 * test to reach ({@link #MAX_INSTANCES}), shared by every API test that needs nothing else: they
 * all have this one configuration, so Spring's test context cache starts the server once for all of
 * them instead of once per class. They share its storage, registry and meters, so each uses names
 * of its own (models, datasets) and reads meters it does not own as differences. Do not add a
 * {@code @DynamicPropertySource}, {@code @TestPropertySource} or a mock bean to a subclass: that
 * gives it a server of its own again.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
public abstract class FullServerTest {
  private static final Path STORAGE =
      Path.of("target", "test-data", "full-server-" + UUID.randomUUID());

  /** {@code maas.serving.max-instances}: the most instances of one prediction request. */
  protected static final int MAX_INSTANCES = 50;

  @LocalServerPort protected int port;

  @DynamicPropertySource
  static void storage(DynamicPropertyRegistry properties) {
    properties.add("maas.storage.path", STORAGE::toString);
    properties.add("maas.serving.max-instances", () -> MAX_INSTANCES);
  }
}
