package dev.maas;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The dependency rules of the design, enforced on every build: the compute engine is a pure
 * library, and features depend on each other only along the design's arrows.
 */
@AnalyzeClasses(packages = "dev.maas", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule computeIsAPureLibrary =
      noClasses()
          .that()
          .resideInAPackage("dev.maas.compute..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "org.springframework..",
              "jakarta.servlet..",
              "javax.servlet..",
              "java.nio.file..",
              "java.net..",
              "dev.maas.dataset..",
              "dev.maas.training..",
              "dev.maas.registry..",
              "dev.maas.serving..",
              "dev.maas.capacity..",
              "dev.maas.comparison..",
              "dev.maas.batch..",
              "dev.maas.web..",
              "dev.maas.grpc..",
              "dev.maas.storage..",
              "io.grpc..",
              "com.google.protobuf..")
          .because("compute is a pure library: no Spring, no HTTP, no gRPC, no files");

  @ArchTest
  static final ArchRule computeReadsNoFiles =
      noClasses()
          .that()
          .resideInAPackage("dev.maas.compute..")
          .should()
          .dependOnClassesThat()
          .haveFullyQualifiedName("java.io.File")
          .orShould()
          .dependOnClassesThat()
          .haveFullyQualifiedName("java.io.FileInputStream")
          .orShould()
          .dependOnClassesThat()
          .haveFullyQualifiedName("java.io.FileOutputStream")
          .orShould()
          .dependOnClassesThat()
          .haveFullyQualifiedName("java.io.ObjectInputStream")
          .because("model files are read from streams, and never by Java serialization");

  @ArchTest
  static final ArchRule onlyControllersSpeakHttp =
      noClasses()
          .that()
          .resideInAnyPackage(
              "dev.maas.compute..",
              "dev.maas.dataset..",
              "dev.maas.training..",
              "dev.maas.registry..",
              "dev.maas.serving..",
              "dev.maas.capacity..",
              "dev.maas.comparison..",
              "dev.maas.batch..",
              "dev.maas.storage..")
          .and()
          .haveNameNotMatching(".*Controller(\\$.*)?")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.maas.web..")
          .because(
              "features throw dev.maas.errors exceptions and know nothing of HTTP; only their"
                  + " controllers use the web layer (paging, request bodies, callers), and only"
                  + " ProblemDetailsAdvice turns errors into statuses");

  @ArchTest
  static final ArchRule onlyTheGrpcLayerSpeaksGrpc =
      noClasses()
          .that()
          .resideOutsideOfPackage("dev.maas.grpc..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.grpc..", "com.google.protobuf..")
          .because(
              "gRPC is an entry layer beside web: features answer it through plain types"
                  + " (serving.OpenInference) and domain errors, which only dev.maas.grpc turns"
                  + " into messages and statuses");

  @ArchTest
  static final ArchRule theGrpcLayerUsesNoHttp =
      noClasses()
          .that()
          .resideInAPackage("dev.maas.grpc..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "jakarta.servlet..",
              "org.springframework.web..",
              "org.springframework.http..",
              "dev.maas.compute..",
              "dev.maas.registry..",
              "dev.maas.storage..")
          .orShould()
          .dependOnClassesThat()
          .resideInAPackage("dev.maas.web")
          .because(
              "the gRPC layer shares only the API keys (web.security) with HTTP, and reaches the"
                  + " models only through serving");

  @ArchTest
  static final ArchRule errorsDependOnNothing =
      classes()
          .that()
          .resideInAPackage("dev.maas.errors..")
          .should()
          .onlyDependOnClassesThat()
          .resideInAnyPackage("java..", "dev.maas.errors..")
          .because("every transport (HTTP now, gRPC later) maps the same domain errors");

  @ArchTest
  static final ArchRule featuresFollowTheDesignArrows =
      layeredArchitecture()
          .consideringOnlyDependenciesInLayers()
          .withOptionalLayers(true)
          .layer("web")
          .definedBy("dev.maas.web..")
          .layer("comparison")
          .definedBy("dev.maas.comparison..")
          .layer("grpc")
          .definedBy("dev.maas.grpc..")
          .layer("capacity")
          .definedBy("dev.maas.capacity..")
          .layer("training")
          .definedBy("dev.maas.training..")
          .layer("batch")
          .definedBy("dev.maas.batch..")
          .layer("serving")
          .definedBy("dev.maas.serving..")
          .layer("dataset")
          .definedBy("dev.maas.dataset..")
          .layer("registry")
          .definedBy("dev.maas.registry..")
          .layer("compute")
          .definedBy("dev.maas.compute..")
          .layer("storage")
          .definedBy("dev.maas.storage..")
          .whereLayer("comparison")
          .mayNotBeAccessedByAnyLayer()
          .whereLayer("grpc")
          .mayNotBeAccessedByAnyLayer()
          .whereLayer("capacity")
          .mayOnlyBeAccessedByLayers("comparison")
          .whereLayer("batch")
          .mayNotBeAccessedByAnyLayer()
          .whereLayer("training")
          .mayOnlyBeAccessedByLayers("capacity", "comparison")
          .whereLayer("serving")
          .mayOnlyBeAccessedByLayers("capacity", "batch", "grpc")
          .whereLayer("dataset")
          .mayOnlyBeAccessedByLayers("training", "batch")
          .whereLayer("registry")
          .mayOnlyBeAccessedByLayers("training", "serving", "capacity", "comparison", "batch")
          .whereLayer("web")
          .mayOnlyBeAccessedByLayers(
              "dataset",
              "training",
              "registry",
              "serving",
              "capacity",
              "comparison",
              "batch",
              "grpc")
          .whereLayer("storage")
          .mayOnlyBeAccessedByLayers(
              "dataset",
              "training",
              "registry",
              "serving",
              "capacity",
              "comparison",
              "batch",
              "web")
          .whereLayer("compute")
          .mayOnlyBeAccessedByLayers(
              "dataset",
              "training",
              "registry",
              "serving",
              "capacity",
              "comparison",
              "batch",
              "web")
          .because(
              "web is cross-cutting HTTP (problem details, security, limits) with no"
                  + " feature logic, grpc an entry layer nothing depends on, and features depend"
                  + " on each other only along the arrows");
}
