package dev.maas.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The README's quickstart, as written, against the packaged jar started as a user starts it ({@code
 * java -jar}, security on, a fresh data directory), with the key the server printed.
 */
class QuickstartIT {
  @Test
  void theReadmeQuickstartTakesANewUserFromACsvFileToAPrediction() throws Exception {
    Path work =
        Files.createDirectories(Path.of("target", "e2e", "quickstart-" + UUID.randomUUID()));
    try (PackagedServer server = PackagedServer.startJar(work, PackagedServer.freePort())) {
      String printed =
          Quickstart.run(
              Path.of("README.md"),
              Path.of("").toAbsolutePath(),
              server.base(),
              server.generatedKey(),
              work.resolve("quickstart.out"));
      Quickstart.assertItWorked(printed);
    }
  }
}
