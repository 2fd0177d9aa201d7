package io.gatehouse.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.gatehouse.admin.Explainer;
import io.gatehouse.testing.MainClassesOnly;
import java.util.Arrays;

/**
 * Every source of routes is a package named after the source, {@code io.gatehouse.<source>}: {@code
 * file} (the routes file), {@code flags} ({@code --route}), {@code k8s} (the ingress controller)
 * and {@code admin} (the REST source together with the admin API that carries it). A source reads
 * the outside shape and writes the model through the shared stages; it never reaches another
 * source, the data plane or the node, and only the node wires sources into a process (issue #12).
 */
@AnalyzeClasses(packages = "io.gatehouse", importOptions = MainClassesOnly.class)
class SourceBoundariesTest {
  /** The source packages; the table key's source segment of each is in its package-info. */
  static final String[] SOURCES = {
    "io.gatehouse.file..", "io.gatehouse.flags..", "io.gatehouse.k8s..", "io.gatehouse.admin.."
  };

  /**
   * The shared stages a source may use: the model, its checks, the document, the table, endpoints.
   */
  static final String[] SHARED_STAGES = {
    "io.gatehouse.model..",
    "io.gatehouse.validate..",
    "io.gatehouse.document..",
    "io.gatehouse.table..",
    "io.gatehouse.endpoint.."
  };

  /**
   * Inside Gatehouse, each source depends only on itself and the shared stages: never on another
   * source, the snapshot, proxy, upstream, edge, TLS or certificate stages, explain or the node.
   * Outside Gatehouse it uses its own framework (Vert.x, client-java, Jackson), checked per module.
   */
  @ArchTest
  static void each_source_uses_only_itself_and_the_shared_stages(JavaClasses classes) {
    for (String source : SOURCES) {
      String[] allowed = Arrays.copyOf(SHARED_STAGES, SHARED_STAGES.length + 1);
      allowed[SHARED_STAGES.length] = source;
      ArchRule rule =
          noClasses()
              .that()
              .resideInAPackage(source)
              .should()
              .dependOnClassesThat(
                  JavaClass.Predicates.resideInAPackage("io.gatehouse..")
                      .and(JavaClass.Predicates.resideOutsideOfPackages(allowed)))
              .as("classes in " + source + " depend only on themselves and the shared stages");
      rule.check(classes);
    }
  }

  /**
   * Only the node starts and connects sources. The one exception is the admin API's {@link
   * Explainer} interface, which the explain stage implements so the REST edge can ask the node.
   */
  @ArchTest
  static final ArchRule only_node_wires_the_sources =
      noClasses()
          .that()
          .resideOutsideOfPackages(
              "io.gatehouse.node..",
              "io.gatehouse.file..",
              "io.gatehouse.flags..",
              "io.gatehouse.k8s..",
              "io.gatehouse.admin..")
          .should()
          .dependOnClassesThat(
              JavaClass.Predicates.resideInAnyPackage(SOURCES)
                  .and(
                      DescribedPredicate.not(JavaClass.Predicates.belongToAnyOf(Explainer.class))));
}
