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
 * The cluster module's boundaries: a framework-free model and endpoint index, and Hazelcast in one
 * package only.
 */
@AnalyzeClasses(
    packages = "io.gatehouse",
    importOptions = {ImportOption.DoNotIncludeTests.class, DoNotIncludeTestJars.class})
class ClusterBoundariesTest {
  @ArchTest
  static final ArchRule model_and_validation_use_only_the_jdk_and_re2j =
      classes()
          .that()
          .resideInAnyPackage("io.gatehouse.model..", "io.gatehouse.validate..")
          .should()
          .onlyDependOnClassesThat()
          .resideInAnyPackage(
              "java..",
              "javax.security..", // JDK: X500Principal, for certificate validation
              "com.google.re2j..",
              "org.jspecify.annotations..", // @NullMarked/@Nullable: annotations, no code
              "io.gatehouse.model..",
              "io.gatehouse.validate..");

  // The endpoint index sits between the model and the data plane: no table, no framework.
  @ArchTest
  static final ArchRule the_endpoint_index_uses_only_the_jdk_and_the_model =
      classes()
          .that()
          .resideInAPackage("io.gatehouse.endpoint..")
          .should()
          .onlyDependOnClassesThat()
          .resideInAnyPackage(
              "java..",
              "org.jspecify.annotations..",
              "io.gatehouse.model..",
              "io.gatehouse.endpoint..");

  @ArchTest
  static final ArchRule no_vertx_or_kubernetes_types_in_the_cluster_module =
      noClasses()
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.vertx..", "io.kubernetes..", "io.fabric8..", "io.netty..");

  @ArchTest
  static final ArchRule only_the_hazelcast_table_package_imports_hazelcast =
      noClasses()
          .that()
          .resideOutsideOfPackage("io.gatehouse.table.hazelcast..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("com.hazelcast..");

  @ArchTest
  static final ArchRule the_model_never_depends_on_the_table =
      noClasses()
          .that()
          .resideInAnyPackage("io.gatehouse.model..", "io.gatehouse.validate..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.gatehouse.table..");

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
