package io.gatehouse.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.gatehouse.testing.DoNotIncludeTestJars;

/**
 * The route document reader is shared by every source (file now, REST next), so it sees only
 * Jackson trees: no YAML, no Vert.x, no table (issue #12, route-model-v2-document-and-policies.md).
 */
@AnalyzeClasses(
    packages = "io.gatehouse",
    importOptions = {ImportOption.DoNotIncludeTests.class, DoNotIncludeTestJars.class})
class DocumentBoundariesTest {
  @ArchTest
  static final ArchRule document_uses_only_jdk_jackson_model_validate =
      classes()
          .that()
          .resideInAPackage("io.gatehouse.document..")
          .should()
          .onlyDependOnClassesThat()
          .resideInAnyPackage(
              "java..",
              "com.fasterxml.jackson.databind..",
              "org.jspecify.annotations..",
              "io.gatehouse.model..",
              "io.gatehouse.validate..",
              "io.gatehouse.document..");
}
