package dev.maas.registry;

import org.nd4j.linalg.factory.Nd4j;

/**
 * The software and machine a version was registered on.
 *
 * @param maasVersion maas' version
 * @param nd4jVersion ND4J's version
 * @param jvm the Java runtime, vendor and version
 * @param os operating system name and version
 * @param arch CPU architecture
 */
public record Provenance(
    String maasVersion, String nd4jVersion, String jvm, String os, String arch) {

  /** As the model file's {@code provenance.software} names them. */
  public java.util.Map<String, String> software() {
    java.util.Map<String, String> software = new java.util.TreeMap<>();
    String[][] pairs = {
      {"maas", maasVersion}, {"nd4j", nd4jVersion}, {"jvm", jvm}, {"os", os}, {"arch", arch}
    };
    for (String[] pair : pairs) {
      if (pair[1] != null) {
        software.put(pair[0], pair[1]);
      }
    }
    return software;
  }

  /** This process' provenance. */
  public static Provenance current() {
    String maas = Provenance.class.getPackage().getImplementationVersion();
    String nd4j = Nd4j.class.getPackage().getImplementationVersion();
    return new Provenance(
        maas == null ? "dev" : maas,
        nd4j == null ? "1.0.0-M2.1" : nd4j,
        System.getProperty("java.vendor") + " " + System.getProperty("java.version"),
        System.getProperty("os.name") + " " + System.getProperty("os.version"),
        System.getProperty("os.arch"));
  }
}
