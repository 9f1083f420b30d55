package dev.maas.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.maas.e2e.PackagedServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The packaged jar holds every library the server needs at run time, in the version the server's
 * own dependencies choose.
 *
 * <p>Maven resolves one graph for all scopes and takes the nearest declaration of a library, scope
 * included, so a test dependency that declares a runtime library nearer than the library that needs
 * it silently turns it test-only, or changes its version, in the jar (commons-io, which ND4J needs,
 * was lost that way). This test resolves the runtime classpath as it would be without any test
 * dependency (the project's POM with its test-scope dependencies removed, resolved by the same
 * Maven wrapper) and compares it with {@code BOOT-INF/lib} of the jar that {@code package} built.
 */
class RuntimeClasspathIT {
  private static final String POM_NS = "http://maven.apache.org/POM/4.0.0";

  @Test
  void theJarHoldsTheRuntimeClasspathThatTheMainDependenciesAloneResolve() throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "runtime-classpath"));
    writePomWithoutTestDependencies(Path.of("pom.xml"), dir.resolve("pom.xml"));
    Path list = dir.resolve("runtime.txt").toAbsolutePath();
    Files.deleteIfExists(list);
    // Under the repository, so that the wrapper reads .mvn/maven.config (the native platform).
    Process maven =
        new ProcessBuilder(
                Path.of("mvnw").toAbsolutePath().toString(),
                "-B",
                "-ntp",
                "-q",
                "-f",
                dir.resolve("pom.xml").toString(),
                "dependency:list",
                "-DincludeScope=runtime",
                "-DoutputAbsoluteArtifactFilename=true",
                "-DoutputFile=" + list)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("maven.log").toFile())
            .start();
    assertThat(maven.waitFor(10, TimeUnit.MINUTES)).isTrue();
    assertThat(maven.exitValue())
        .as("dependency:list of the runtime POM:\n%s", Files.readString(dir.resolve("maven.log")))
        .isZero();

    TreeMap<String, String> needed = new TreeMap<>(); // file name in the jar -> coordinates
    for (String line : Files.readAllLines(list)) {
      String entry = line.strip().split(" -- ")[0];
      boolean optional = entry.endsWith(" (optional)");
      entry = optional ? entry.substring(0, entry.length() - " (optional)".length()) : entry;
      String[] parts = entry.split(":");
      if (parts.length < 6 || !entry.contains(".jar")) {
        continue;
      }
      // groupId:artifactId:type[:classifier]:version:scope:path
      boolean classified = parts.length == 7;
      String artifact = parts[1];
      String classifier = classified ? parts[3] : null;
      String version = parts[classified ? 4 : 3];
      Path file = Path.of(parts[parts.length - 1]);
      if (optional && artifact.equals("spring-boot-configuration-processor")) {
        continue; // an annotation processor for the build, which Spring Boot leaves out of the jar
      }
      if (isStarter(file)) {
        continue; // Spring Boot starters hold no classes and are left out of the jar on purpose
      }
      needed.put(
          artifact + "-" + version + (classifier == null ? "" : "-" + classifier) + ".jar", entry);
    }
    assertThat(needed).as("runtime dependencies resolved").hasSizeGreaterThan(50);

    Set<String> packaged = new TreeSet<>();
    try (JarFile jar = new JarFile(PackagedServer.jar().toFile())) {
      jar.stream()
          .map(ZipEntry::getName)
          .filter(n -> n.startsWith("BOOT-INF/lib/") && n.endsWith(".jar"))
          .forEach(n -> packaged.add(n.substring("BOOT-INF/lib/".length())));
    }
    List<String> missing = new ArrayList<>();
    needed.forEach(
        (file, coordinates) -> {
          if (!packaged.contains(file)) {
            missing.add(coordinates);
          }
        });
    assertThat(missing)
        .as(
            "libraries the server needs at run time that are missing from the jar or packaged in"
                + " another version (a test dependency declares them nearer than the library that"
                + " needs them; declare them in pom.xml in compile or runtime scope)")
        .isEmpty();
  }

  private static boolean isStarter(Path jar) throws IOException {
    try (JarFile file = new JarFile(jar.toFile())) {
      Manifest manifest = file.getManifest();
      return manifest != null
          && "dependencies-starter"
              .equals(manifest.getMainAttributes().getValue("Spring-Boot-Jar-Type"));
    }
  }

  /** The POM with its test-scope dependencies and its build section removed. */
  private static void writePomWithoutTestDependencies(Path pom, Path out) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    Document doc = factory.newDocumentBuilder().parse(pom.toFile());
    Element project = doc.getDocumentElement();
    for (Element dependencies : children(project, "dependencies")) {
      for (Element dependency : children(dependencies, "dependency")) {
        List<Element> scope = children(dependency, "scope");
        if (!scope.isEmpty() && scope.get(0).getTextContent().strip().equals("test")) {
          dependencies.removeChild(dependency);
        }
      }
    }
    for (Element build : children(project, "build")) {
      project.removeChild(build);
    }
    TransformerFactory.newInstance()
        .newTransformer()
        .transform(new DOMSource(doc), new StreamResult(out.toFile()));
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> out = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e
          && name.equals(e.getLocalName())
          && POM_NS.equals(e.getNamespaceURI())) {
        out.add(e);
      }
    }
    return out;
  }
}
