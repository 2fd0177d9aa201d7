package io.gatehouse.admin.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.gatehouse.testing.DoNotIncludeTestJars;

/** The admin API's boundaries: never the router, Hazelcast or Kubernetes; pure inner stages. */
@AnalyzeClasses(
    packages = "io.gatehouse.admin",
    importOptions = {ImportOption.DoNotIncludeTests.class, DoNotIncludeTestJars.class})
class AdminBoundariesTest {
  @ArchTest
  static final ArchRule no_router_hazelcast_or_kubernetes =
      noClasses()
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.gatehouse.proxy..",
              "io.gatehouse.snapshot..",
              "io.gatehouse.edge..",
              "io.gatehouse.upstream..",
              "io.gatehouse.node..",
              "io.gatehouse.file..",
              "io.gatehouse.tls..",
              "io.gatehouse.table.hazelcast..",
              "com.hazelcast..",
              "io.kubernetes..",
              "io.fabric8..");

  @ArchTest
  static final ArchRule auth_and_policy_use_no_vertx =
      classes()
          .that()
          .resideInAnyPackage("io.gatehouse.admin.auth..", "io.gatehouse.admin.policy..")
          .should()
          .onlyDependOnClassesThat()
          .resideInAnyPackage(
              "java..",
              "org.jspecify.annotations..", // @NullMarked/@Nullable: annotations, no code
              "io.gatehouse.model..",
              "io.gatehouse.validate..",
              "io.gatehouse.table..",
              "io.gatehouse.admin.auth..",
              "io.gatehouse.admin.policy..");

  @ArchTest
  static final ArchRule translate_uses_only_the_model_validators_the_document_and_json =
      classes()
          .that()
          .resideInAPackage("io.gatehouse.admin.translate..")
          .should()
          .onlyDependOnClassesThat()
          .resideInAnyPackage(
              "java..",
              "javax.security..",
              "org.jspecify.annotations..",
              "io.gatehouse.model..",
              "io.gatehouse.validate..",
              "io.gatehouse.table..",
              "io.gatehouse.admin.translate..",
              "io.gatehouse.document..",
              "com.fasterxml.jackson.core..",
              "com.fasterxml.jackson.databind..",
              "io.vertx.core.json..");

  @ArchTest
  static final ArchRule inner_stages_never_depend_on_the_edge =
      noClasses()
          .that()
          .resideInAnyPackage(
              "io.gatehouse.admin.auth..",
              "io.gatehouse.admin.policy..",
              "io.gatehouse.admin.translate..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.gatehouse.admin");

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
