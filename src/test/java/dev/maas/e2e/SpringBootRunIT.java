package dev.maas.e2e;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The README's first command, {@code ./mvnw spring-boot:run}, on a copy of the repository (as a
 * fresh clone: no target/, no data/), then the README's quickstart against it, which uploads a
 * dataset, trains a model and predicts with it. The forked application runs on the classpath that
 * spring-boot:run builds, which differs from both the test classpath and the packaged jar.
 */
@Tag("slow")
class SpringBootRunIT {
  /** What a clone does not have: build output, local data, IDE and VCS folders. */
  private static final Set<String> NOT_CLONED =
      Set.of("target", "data", ".git", ".idea", ".vscode", "node_modules");

  @Test
  void theReadmeCommandStartsAServerThatTrainsAndPredicts() throws Exception {
    Path work = Path.of("target", "e2e", "spring-boot-run-" + UUID.randomUUID()).toAbsolutePath();
    Path repo = work.resolve("repo");
    copyRepository(Path.of("").toAbsolutePath(), repo);
    int port = PackagedServer.freePort();
    try (PackagedServer server =
        PackagedServer.start(
            List.of("./mvnw", "spring-boot:run"),
            repo,
            Map.of("SERVER_PORT", Integer.toString(port)),
            port,
            Duration.ofMinutes(8))) {
      String printed =
          Quickstart.run(
              repo.resolve("README.md"),
              repo,
              server.base(),
              server.generatedKey(),
              work.resolve("quickstart.out"));
      Quickstart.assertItWorked(printed);
    }
  }

  private static void copyRepository(Path from, Path to) throws IOException {
    Files.walkFileTree(
        from,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            if (!dir.equals(from) && NOT_CLONED.contains(dir.getFileName().toString())) {
              return FileVisitResult.SKIP_SUBTREE;
            }
            Files.createDirectories(to.resolve(from.relativize(dir)));
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.copy(file, to.resolve(from.relativize(file)), StandardCopyOption.COPY_ATTRIBUTES);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
