package io.gatehouse.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.gatehouse.testing.MainClassesOnly;

/**
 * The certificate pipeline is a stage of its own (issue #12): sources, bindings, index and holder
 * feed the TLS edge, which only reads what the stage publishes.
 */
@AnalyzeClasses(packages = "io.gatehouse", importOptions = MainClassesOnly.class)
class CertificateBoundariesTest {
  @ArchTest
  static final ArchRule the_certificate_stage_never_reaches_the_edge_or_the_data_plane =
      noClasses()
          .that()
          .resideInAPackage("io.gatehouse.certificate..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.gatehouse.tls..",
              "io.gatehouse.edge..",
              "io.gatehouse.proxy..",
              "io.gatehouse.upstream..",
              "io.gatehouse.snapshot..",
              "io.gatehouse.fallback..",
              "io.gatehouse.explain..",
              "io.gatehouse.metrics..",
              "io.gatehouse.node..",
              "io.gatehouse.file..",
              "io.gatehouse.flags..",
              "io.gatehouse.k8s..",
              "io.gatehouse.admin..");

  /** The stage is read at handshakes and from the table; it never writes the table itself. */
  @ArchTest
  static final ArchRule the_certificate_stage_never_reaches_the_table =
      noClasses()
          .that()
          .resideInAPackage("io.gatehouse.certificate..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.gatehouse.table..");
}
