package io.gatehouse.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.gatehouse.acme.ChallengeStore;
import io.gatehouse.acme.HttpChallenges;
import io.gatehouse.acme.InMemoryChallengeStore;
import io.gatehouse.admin.Explainer;
import io.gatehouse.proxy.RouterVerticle;
import io.gatehouse.table.HealthNotice;
import io.gatehouse.table.HealthTopic;
import io.gatehouse.testing.DoNotIncludeTestJars;
import io.gatehouse.tls.HttpsRedirects;
import io.vertx.core.Vertx;

/**
 * The router module's boundaries: data flows one way, only the node package wires stages together,
 * the snapshot stays framework-free, and the data plane never blocks or makes its own Vert.x
 * instance.
 */
@AnalyzeClasses(
    packages = "io.gatehouse",
    importOptions = {ImportOption.DoNotIncludeTests.class, DoNotIncludeTestJars.class})
class RouterBoundariesTest {
  private static final String[] DATA_PLANE = {
    "io.gatehouse.snapshot..",
    "io.gatehouse.policy..",
    "io.gatehouse.proxy..",
    "io.gatehouse.upstream..",
    "io.gatehouse.edge..",
    "io.gatehouse.fallback..",
    "io.gatehouse.health..",
    "io.gatehouse.access.."
  };

  @ArchTest
  static final ArchRule only_the_node_package_depends_on_the_node_package =
      noClasses()
          .that()
          .resideOutsideOfPackage("io.gatehouse.node..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.gatehouse.node..");

  /**
   * Vert.x internals are reached through one adapter, so an upgrade that moves them breaks one
   * package (issue #12); the adapter depends on no other Gatehouse package.
   */
  @ArchTest
  static final ArchRule only_the_adapter_uses_vertx_internals =
      noClasses()
          .that()
          .resideOutsideOfPackage("io.gatehouse.vertxinternals..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.vertx..impl..", "io.vertx.core.internal..");

  @ArchTest
  static final ArchRule the_adapter_depends_on_no_other_gatehouse_package =
      noClasses()
          .that()
          .resideInAPackage("io.gatehouse.vertxinternals..")
          .should()
          .dependOnClassesThat(
              JavaClass.Predicates.resideInAPackage("io.gatehouse..")
                  .and(
                      JavaClass.Predicates.resideOutsideOfPackage(
                          "io.gatehouse.vertxinternals..")));

  /**
   * The verticle wires a loop's services and hands them to each exchange; nothing in the data plane
   * calls back into it, so the verticle and the exchange are not in a call loop (issue #12).
   */
  @ArchTest
  static final ArchRule nothing_but_node_depends_on_RouterVerticle =
      noClasses()
          .that()
          .resideOutsideOfPackage("io.gatehouse.node..")
          .and()
          .doNotBelongToAnyOf(RouterVerticle.class)
          .should()
          .dependOnClassesThat()
          .belongToAnyOf(RouterVerticle.class);

  /**
   * Explain reads what the node serves (snapshot, endpoint and certificate indexes, the edge's path
   * normalisation) and answers through the admin API's interface; it never reaches the proxy, the
   * upstream pools, the table or a source, so asking cannot change or wait on serving.
   */
  @ArchTest
  static final ArchRule explain_reads_only_the_served_state =
      classes()
          .that()
          .resideInAPackage("io.gatehouse.explain..")
          .should()
          .onlyDependOnClassesThat(
              JavaClass.Predicates.resideInAnyPackage(
                      "java..",
                      "io.gatehouse.explain..",
                      "io.gatehouse.snapshot..",
                      "io.gatehouse.endpoint..",
                      "io.gatehouse.certificate..",
                      "io.gatehouse.tls..",
                      "io.gatehouse.edge..",
                      "io.gatehouse.model..",
                      "io.gatehouse.validate..",
                      "org.jspecify.annotations..")
                  .or(JavaClass.Predicates.belongToAnyOf(Explainer.class)));

  /**
   * Metrics read what the node serves and what the proxy reports through the observer contract;
   * they never reach the proxy, the upstream pools or a source, so measuring cannot change serving
   * (issue #18).
   */
  @ArchTest
  static final ArchRule metrics_read_only_the_observer_contract_and_the_served_state =
      classes()
          .that()
          .resideInAPackage("io.gatehouse.metrics..")
          .should()
          .onlyDependOnClassesThat()
          .resideInAnyPackage(
              "java..",
              "io.gatehouse.metrics..",
              "io.gatehouse.observe..",
              "io.gatehouse.endpoint..",
              "io.gatehouse.model..",
              "io.gatehouse.snapshot..",
              "io.gatehouse.certificate..",
              "io.gatehouse.tls..",
              "io.micrometer..",
              "io.prometheus..",
              "org.jspecify.annotations..");

  /** Nothing but the node depends on metrics: the proxy reports through the observer contract. */
  @ArchTest
  static final ArchRule only_node_wires_metrics =
      noClasses()
          .that()
          .resideOutsideOfPackages("io.gatehouse.node..", "io.gatehouse.metrics..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.gatehouse.metrics..");

  @ArchTest
  static final ArchRule only_node_wires_the_explainer =
      noClasses()
          .that()
          .resideOutsideOfPackages("io.gatehouse.node..", "io.gatehouse.explain..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.gatehouse.explain..");

  /**
   * {@code gatehouse ctl} is a client of the admin API's HTTP contract (issue #18): the JDK's HTTP
   * client, Jackson and picocli, no other stage, so it cannot read the table or the snapshot behind
   * the API's back; only the node's command line reaches it.
   */
  @ArchTest
  static final ArchRule ctl_is_a_client_of_the_http_contract_only =
      classes()
          .that()
          .resideInAPackage("io.gatehouse.ctl..")
          .should()
          .onlyDependOnClassesThat()
          .resideInAnyPackage(
              "java..",
              "javax.net.ssl..",
              "io.gatehouse.ctl..",
              "com.fasterxml.jackson..",
              "picocli..",
              "org.jspecify.annotations..");

  @ArchTest
  static final ArchRule only_node_calls_ctl =
      noClasses()
          .that()
          .resideOutsideOfPackages("io.gatehouse.node..", "io.gatehouse.ctl..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.gatehouse.ctl..");

  /**
   * The access log sees requests through the observe contract only, and writes on its own thread;
   * it never reaches the proxy, the snapshot or a source.
   */
  @ArchTest
  static final ArchRule the_access_log_reads_only_the_observe_contract =
      classes()
          .that()
          .resideInAPackage("io.gatehouse.accesslog..")
          .should()
          .onlyDependOnClassesThat()
          .resideInAnyPackage(
              "java..",
              "io.gatehouse.accesslog..",
              "io.gatehouse.observe..",
              "io.gatehouse.endpoint..",
              "io.vertx.core..",
              "org.slf4j..",
              "org.jspecify.annotations..");

  @ArchTest
  static final ArchRule only_node_wires_the_access_log =
      noClasses()
          .that()
          .resideOutsideOfPackages("io.gatehouse.node..", "io.gatehouse.accesslog..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.gatehouse.accesslog..");

  /**
   * The dashboard reads what the node serves (snapshot, endpoint index, the status JSON the node
   * hands it) and implements the observer contract for its rates; it never reaches the proxy, the
   * upstream pools, the table or a source, so looking cannot change or wait on serving.
   */
  @ArchTest
  static final ArchRule the_dashboard_reads_only_the_served_state =
      classes()
          .that()
          .resideInAPackage("io.gatehouse.dashboard..")
          .should()
          .onlyDependOnClassesThat()
          .resideInAnyPackage(
              "java..",
              "io.gatehouse.dashboard..",
              "io.gatehouse.snapshot..",
              "io.gatehouse.endpoint..",
              "io.gatehouse.model..",
              "io.gatehouse.observe..",
              "io.vertx.core..",
              "org.jspecify.annotations..",
              "org.slf4j..");

  /** The edge refuses a request before any route is read, so it knows nothing of routing. */
  @ArchTest
  static final ArchRule the_edge_knows_nothing_of_routing =
      noClasses()
          .that()
          .resideInAPackage("io.gatehouse.edge..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.gatehouse.snapshot..",
              "io.gatehouse.proxy..",
              "io.gatehouse.upstream..",
              "io.gatehouse.fallback..");

  @ArchTest
  static final ArchRule the_snapshot_is_pure_java =
      noClasses()
          .that()
          .resideInAPackage("io.gatehouse.snapshot..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.vertx..", "io.netty..", "com.fasterxml..");

  /** The compiled filters are pure Java, like the snapshot that holds them (issue #12). */
  @ArchTest
  static final ArchRule policy_is_pure_java =
      noClasses()
          .that()
          .resideInAPackage("io.gatehouse.policy..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.vertx..", "io.netty..", "com.fasterxml..");

  /**
   * A filter sees the request through its own {@code RequestContext}, not the snapshot's {@code
   * RequestView}: the snapshot holds the compiled chain (snapshot depends on policy), so policy
   * reading the snapshot would be a package cycle. Besides the model and the JDK it reads validate
   * (a client CA bundle is checked where it is compiled) and, of tls, only the redirect and HSTS
   * rule that explain answers with too, so the two cannot drift; and RE2, for CORS origin patterns.
   */
  @ArchTest
  static final ArchRule policy_depends_only_on_model_validate_the_redirect_rule_and_jdk =
      classes()
          .that()
          .resideInAPackage("io.gatehouse.policy..")
          .should()
          .onlyDependOnClassesThat(
              JavaClass.Predicates.resideInAnyPackage(
                      "java..",
                      "javax.net.ssl..",
                      "javax.security..",
                      "io.gatehouse.policy..",
                      "io.gatehouse.encoding..",
                      "io.gatehouse.model..",
                      "io.gatehouse.validate..",
                      // RE2 (pure Java, linear time), as the route matcher: CORS origin patterns.
                      "com.google.re2j..",
                      // nimbus-jose-jwt (no Vert.x, no I/O): JWS parsing and verification, JWKs.
                      "com.nimbusds.jose..",
                      "com.nimbusds.jwt..",
                      // The logging facade: a refused token's reason at debug with the request id.
                      "org.slf4j..",
                      "org.jspecify.annotations..") // @NullMarked/@Nullable: annotations, no code
                  .or(JavaClass.Predicates.belongToAnyOf(HttpsRedirects.class)));

  /**
   * The body encoders a compression policy opens work on byte arrays with the JDK, brotli4j and
   * zstd-jni; the proxy wraps their output in its own buffers.
   */
  @ArchTest
  static final ArchRule encoding_depends_only_on_the_jdk_brotli4j_and_zstd_jni =
      classes()
          .that()
          .resideInAPackage("io.gatehouse.encoding..")
          .should()
          .onlyDependOnClassesThat()
          .resideInAnyPackage(
              "java..",
              "io.gatehouse.encoding..",
              "com.aayushatharva.brotli4j..",
              "com.github.luben.zstd..",
              "org.jspecify.annotations..");

  /** The snapshot compiles the chain and the proxy runs it; nothing else reaches into it. */
  @ArchTest
  static final ArchRule only_the_snapshot_and_the_proxy_depend_on_policy =
      noClasses()
          .that()
          .resideOutsideOfPackages(
              "io.gatehouse.policy..",
              "io.gatehouse.snapshot..",
              "io.gatehouse.proxy..",
              // the node's services the access filters borrow (PolicyServices)
              "io.gatehouse.access..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.gatehouse.policy..");

  /** Requests are served from the snapshot alone; only the compiler reads the table. */
  @ArchTest
  static final ArchRule the_serving_path_does_not_reach_back_to_sources_or_the_table =
      noClasses()
          .that()
          .resideInAnyPackage(
              "io.gatehouse.proxy..",
              "io.gatehouse.upstream..",
              "io.gatehouse.edge..",
              "io.gatehouse.fallback..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.gatehouse.file..", "io.gatehouse.table..");

  /**
   * Health (issue #14) reads what the node serves (snapshot, endpoint index, model), feeds the
   * balancers' {@code Availability} in upstream, and of the table knows only its health topic: a
   * notice never goes through the route table, so it never causes a compile. Nothing in health
   * reaches the proxy (the exchange reports to it, not the other way round).
   */
  @ArchTest
  static final ArchRule health_reads_the_served_state_and_only_the_tables_health_topic =
      classes()
          .that()
          .resideInAPackage("io.gatehouse.health..")
          .should()
          .onlyDependOnClassesThat(
              JavaClass.Predicates.resideInAnyPackage(
                      "java..",
                      "io.gatehouse.health..",
                      "io.gatehouse.model..",
                      "io.gatehouse.endpoint..",
                      "io.gatehouse.snapshot..",
                      "io.gatehouse.upstream..",
                      "io.vertx.core..",
                      "org.slf4j..",
                      "org.jspecify.annotations..")
                  .or(JavaClass.Predicates.belongToAnyOf(HealthTopic.class, HealthNotice.class))
                  .or(JavaClass.Predicates.belongToAnyOf(HealthNotice.Kind.class)));

  /** Only the node wires health; the proxy reports outcomes to it through its interface. */
  @ArchTest
  static final ArchRule only_node_and_proxy_depend_on_health =
      noClasses()
          .that()
          .resideOutsideOfPackages(
              "io.gatehouse.node..", "io.gatehouse.proxy..", "io.gatehouse.health..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.gatehouse.health..");

  /**
   * Tracing (issue #18) sees a request through the observe contract only, with the OpenTelemetry
   * SDK and Vert.x's header map; it reaches no stage of the data plane, so it cannot change what is
   * served.
   */
  @ArchTest
  static final ArchRule trace_sees_exchanges_through_the_observe_contract_only =
      classes()
          .that()
          .resideInAPackage("io.gatehouse.trace..")
          .should()
          .onlyDependOnClassesThat(
              JavaClass.Predicates.resideInAnyPackage(
                      "java..",
                      "io.gatehouse.trace..",
                      "io.gatehouse.observe..",
                      "io.opentelemetry..",
                      "io.vertx.core",
                      "org.slf4j..",
                      "org.jspecify.annotations..")
                  // header names whose hash is computed once (HttpHeaders.createOptimized)
                  .or(JavaClass.Predicates.equivalentTo(io.vertx.core.http.HttpHeaders.class)));

  /**
   * OCSP stapling fetches and checks responses on its own: it knows certificates as X.509 chains,
   * not the certificate stage, the table or the data plane.
   */
  @ArchTest
  static final ArchRule ocsp_stands_alone =
      classes()
          .that()
          .resideInAPackage("io.gatehouse.ocsp..")
          .should()
          .onlyDependOnClassesThat()
          .resideInAnyPackage(
              "java..",
              "javax.security..",
              "io.gatehouse.ocsp..",
              "io.vertx.core..",
              "org.bouncycastle..",
              "org.slf4j..",
              "org.jspecify.annotations..");

  /** Only the node builds the tracer; the proxy knows the observer interface alone. */
  @ArchTest
  static final ArchRule only_node_depends_on_trace =
      noClasses()
          .that()
          .resideOutsideOfPackages("io.gatehouse.node..", "io.gatehouse.trace..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.gatehouse.trace..");

  /**
   * The ACME client talks to the server through acme4j on its own worker; it reaches no stage but
   * the model (an issued certificate becomes a table entry) and the challenge path's spelling, so
   * an order cannot change or wait on serving (issue #19).
   */
  @ArchTest
  static final ArchRule acme_depends_only_on_acme4j_vertx_the_model_and_the_challenge_path =
      classes()
          .that()
          .resideInAPackage("io.gatehouse.acme..")
          .should()
          .onlyDependOnClassesThat(
              JavaClass.Predicates.resideInAnyPackage(
                      "java..",
                      "javax.net.ssl..",
                      "io.gatehouse.acme..",
                      "io.gatehouse.model..",
                      "org.shredzone.acme4j..",
                      "io.vertx.core..",
                      "org.slf4j..",
                      "org.jspecify.annotations..")
                  .or(JavaClass.Predicates.belongToAnyOf(HttpsRedirects.class)));

  /**
   * The data plane reads challenge answers, never the client: one lookup, never a blocking call.
   */
  @ArchTest
  static final ArchRule the_data_plane_reads_only_the_challenge_store =
      noClasses()
          .that()
          .resideInAnyPackage(DATA_PLANE)
          .should()
          .dependOnClassesThat(
              JavaClass.Predicates.resideInAPackage("io.gatehouse.acme..")
                  .and(
                      JavaClass.Predicates.belongToAnyOf(
                              ChallengeStore.class,
                              InMemoryChallengeStore.class,
                              HttpChallenges.class)
                          .negate()));

  @ArchTest
  static final ArchRule the_model_does_not_know_the_router =
      noClasses()
          .that()
          .resideInAnyPackage(
              "io.gatehouse.model..", "io.gatehouse.validate..", "io.gatehouse.table..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(DATA_PLANE);

  @ArchTest
  static final ArchRule the_data_plane_never_sleeps =
      noClasses()
          .that()
          .resideInAnyPackage(DATA_PLANE)
          .should()
          .callMethod(Thread.class, "sleep", long.class);

  @ArchTest
  static final ArchRule the_data_plane_never_creates_its_own_vertx =
      noClasses()
          .that()
          .resideInAnyPackage(DATA_PLANE)
          .should()
          .callMethod(Vertx.class, "vertx")
          .orShould()
          .callMethod(Vertx.class, "builder");

  @ArchTest
  static final ArchRule only_node_owns_a_main_method =
      noClasses()
          .that()
          .resideOutsideOfPackage("io.gatehouse.node..")
          .should(
              new com.tngtech.archunit.lang.ArchCondition<JavaClass>("declare main(String[])") {
                @Override
                public void check(JavaClass c, com.tngtech.archunit.lang.ConditionEvents events) {
                  c.getMethods().stream()
                      .filter(
                          m ->
                              m.getName().equals("main")
                                  && m.getModifiers()
                                      .contains(
                                          com.tngtech.archunit.core.domain.JavaModifier.STATIC))
                      .forEach(
                          m ->
                              events.add(
                                  com.tngtech.archunit.lang.SimpleConditionEvent.violated(
                                      m, m.getFullName() + " is a main method outside node")));
                }
              });

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
