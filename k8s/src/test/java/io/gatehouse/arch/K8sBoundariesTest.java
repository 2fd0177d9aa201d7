package io.gatehouse.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.gatehouse.testing.DoNotIncludeTestJars;

/**
 * The k8s module's boundaries. {@code translate} is pure: it reads client-java's model classes
 * (passed in through {@code ClusterState}) and writes the Gatehouse model, and never reaches the
 * API (no ApiClient, informer or API classes), Vert.x or the table.
 */
@AnalyzeClasses(
    packages = "io.gatehouse",
    importOptions = {ImportOption.DoNotIncludeTests.class, DoNotIncludeTestJars.class})
class K8sBoundariesTest {
  @ArchTest
  static final ArchRule translate_uses_only_models_and_validation =
      classes()
          .that()
          .resideInAPackage("io.gatehouse.k8s.translate..")
          .should()
          .onlyDependOnClassesThat()
          .resideInAnyPackage(
              "java..",
              "org.jspecify.annotations..", // @NullMarked/@Nullable: annotations, no code
              "io.gatehouse.k8s.translate..",
              "io.gatehouse.model..",
              "io.gatehouse.validate..",
              "io.kubernetes.client.openapi.models..");

  @ArchTest
  static final ArchRule translate_never_depends_on_watch =
      noClasses()
          .that()
          .resideInAPackage("io.gatehouse.k8s.translate..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.gatehouse.k8s.watch..");

  @ArchTest
  static final ArchRule nothing_sleeps =
      noClasses()
          .that()
          .resideInAnyPackage("io.gatehouse.k8s.translate..", "io.gatehouse.k8s.watch..")
          .should()
          .callMethod(Thread.class, "sleep", long.class);

  /**
   * Every package is its own slice, so a cycle between any two packages fails (issue #12). The one
   * exception is inside the model: a policy may name the model's own types (a {@code RequestMirror}
   * names its backend with {@code BackendRef}, issue #13), as the route names its policies; {@code
   * model} and {@code model.policy} are one stage.
   */
  @ArchTest
  static final ArchRule no_package_cycles =
      slices()
          .matching("io.gatehouse.(**)")
          .should()
          .beFreeOfCycles()
          // A policy record may name a backend of the model (a mirror's, an error pages'): the
          // model
          // and its policy records are one stage, plain records; every other pair stays acyclic.
          .ignoreDependency(
              JavaClass.Predicates.resideInAPackage("io.gatehouse.model.policy"),
              JavaClass.Predicates.resideInAPackage("io.gatehouse.model"));
}
