package io.gatehouse.k8s.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.k8s.migrate.MigrationReport.AnnotationEntry;
import io.gatehouse.k8s.migrate.MigrationReport.IngressEntry;
import io.gatehouse.k8s.migrate.MigrationReport.Status;
import io.gatehouse.k8s.migrate.MigrationReport.Verdict;
import io.gatehouse.k8s.translate.NginxCatalogue;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The report's rules, case by case, on small manifests. */
class MigratorTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-06-01T00:00:00Z"), ZoneOffset.UTC);
  private static final String N = "nginx.ingress.kubernetes.io/";

  @TempDir Path dir;

  /** One Ingress of class {@code cls} (none when empty) for host a.example to Service web:80. */
  static String ingress(String ns, String name, String cls, String... annotations) {
    StringBuilder b =
        new StringBuilder(
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: "
                + name
                + "\n  namespace: "
                + ns
                + "\n");
    if (annotations.length > 0) {
      b.append("  annotations:\n");
      for (int i = 0; i < annotations.length; i += 2) {
        b.append("    ").append(annotations[i]).append(": \"").append(annotations[i + 1]);
        b.append("\"\n");
      }
    }
    b.append("spec:\n");
    if (!cls.isEmpty()) {
      b.append("  ingressClassName: ").append(cls).append('\n');
    }
    b.append(
        "  rules:\n    - host: "
            + name
            + "."
            + ns
            + ".example\n      http:\n        paths:\n          - path: /\n"
            + "            pathType: Prefix\n            backend:\n              service:\n"
            + "                name: web\n                port:\n                  number: 80\n");
    return b.toString();
  }

  private MigrationReport report(List<String> classes, String... docs) throws Exception {
    Path f = dir.resolve("in.yaml");
    Files.writeString(f, String.join("---\n", docs), StandardCharsets.UTF_8);
    return new Migrator(CLOCK).report(ManifestFiles.read(List.of(f), "default", null), classes);
  }

  private static IngressEntry only(MigrationReport r) {
    assertThat(r.ingresses()).hasSize(1);
    return r.ingresses().get(0);
  }

  @Test
  void an_ingress_without_annotations_is_served_identically_and_exits_zero() throws Exception {
    MigrationReport r = report(List.of(), ingress("shop", "web", "nginx"));
    assertThat(only(r).verdict()).isEqualTo(Verdict.SAME);
    assertThat(only(r).served()).isTrue();
    assertThat(r.summary().exitCode()).isZero();
  }

  @Test
  void an_input_without_ingresses_says_so() throws Exception {
    MigrationReport r = report(List.of(), ingress("a", "web", "traefik"));
    assertThat(r.ingresses()).isEmpty();
    assertThat(r.notes())
        .contains(
            "no Ingress of the reported classes was found (nginx, or none): nothing to compare");
    assertThat(r.summary().exitCode()).isZero();
  }

  @Test
  void a_snippet_leaves_the_ingress_not_served_and_exits_two() throws Exception {
    MigrationReport r =
        report(List.of(), ingress("shop", "web", "nginx", N + "server-snippet", "return 200;"));
    IngressEntry e = only(r);
    assertThat(e.served()).isFalse();
    assertThat(e.verdict()).isEqualTo(Verdict.NOT_SERVED);
    assertThat(e.annotations()).extracting(AnnotationEntry::status).containsExactly(Status.REFUSED);
    assertThat(r.summary().exitCode()).isEqualTo(2);
    assertThat(ReportWriter.text(r)).contains("  refused   server-snippet: ");
  }

  @Test
  void an_annotation_neither_knows_is_ignored_and_the_ingress_served_without_it() throws Exception {
    MigrationReport r =
        report(List.of(), ingress("shop", "web", "nginx", N + "proxy-body-sise", "1m"));
    IngressEntry e = only(r);
    assertThat(e.served()).isTrue();
    assertThat(e.verdict()).isEqualTo(Verdict.PARTIAL);
    AnnotationEntry a = e.annotations().get(0);
    assertThat(a.status()).isEqualTo(Status.IGNORED);
    assertThat(a.family()).isEmpty();
    assertThat(a.note()).startsWith("ingress-nginx documents no such annotation either");
    assertThat(a.problems()).singleElement().asString().contains("is ignored");
    assertThat(r.summary().exitCode()).isEqualTo(2);
  }

  @Test
  void a_catalogued_different_entry_exits_one_when_nothing_else_differs() throws Exception {
    // the catalogue's outcomes are its owners': find a DIFFERENT entry whose sample serves alone
    boolean found = false;
    for (var entry :
        NginxCatalogue.with(io.gatehouse.k8s.translate.NginxAnnotation.Outcome.DIFFERENT)) {
      List<String> kv = new java.util.ArrayList<>();
      entry
          .sample()
          .forEach(
              (k, v) -> {
                kv.add(N + k);
                kv.add(v);
              });
      MigrationReport r =
          report(List.of(), ingress("shop", "web", "nginx", kv.toArray(String[]::new)));
      if (only(r).verdict() == Verdict.DIFFERENT && only(r).problems().isEmpty()) {
        assertThat(only(r).annotations())
            .filteredOn(a -> a.name().equals(entry.name()))
            .singleElement()
            .satisfies(
                a -> {
                  assertThat(a.status()).isEqualTo(Status.DIFFERENT);
                  assertThat(a.note()).isEqualTo(entry.note());
                  assertThat(a.family()).isEqualTo(entry.family());
                });
        assertThat(r.summary().exitCode()).isEqualTo(1);
        found = true;
        break;
      }
    }
    assertThat(found).as("a DIFFERENT entry served alone").isTrue();
  }

  static Stream<Arguments> rows() {
    return Stream.of(
        // name, translator messages, served, status, note starts with
        Arguments.of("proxy-body-sise", List.of(), true, Status.IGNORED, "ingress-nginx documents"),
        Arguments.of("x-snippet", List.of(), false, Status.REFUSED, "snippets are never"),
        Arguments.of("auth-foo", List.of(), false, Status.REFUSED, "an access control"),
        Arguments.of("foo-source-range", List.of(), false, Status.REFUSED, "an access control"),
        Arguments.of(
            "canary-weight",
            List.of(N + "canary-weight: \"5\" is ignored (canary is not \"true\": ...)"),
            true,
            Status.SAME,
            "ignored here, as ingress-nginx ignores it"),
        Arguments.of(
            "ssl-redirect",
            List.of(N + "ssl-redirect: \"false\" is ignored on a canary Ingress (...)"),
            true,
            Status.SAME,
            "ignored here, as ingress-nginx ignores it"),
        Arguments.of(
            "affinity",
            List.of(N + "affinity: \"cookie\" is ignored on a canary Ingress (...)"),
            true,
            Status.IGNORED,
            "ingress-nginx applies it on a canary Ingress"),
        Arguments.of(
            "cors-allow-origin",
            List.of(N + "cors-allow-origin: \"x\" is ignored (enable-cors is not \"true\")"),
            true,
            Status.SAME,
            "ignored here"),
        Arguments.of(
            "proxy-body-size",
            List.of(N + "proxy-body-size: \"x\" is ignored (expected: a size)"),
            true,
            Status.IGNORED,
            "its value is ignored"),
        Arguments.of(
            "permanent-redirect",
            List.of(N + "permanent-redirect: one of ...; the Ingress is not served"),
            false,
            Status.REFUSED,
            "the Ingress is not served because of its value"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void each_annotation_row_follows_the_catalogue_and_the_translator(
      String name, List<String> about, boolean served, Status status, String note) {
    AnnotationEntry a = Migrator.annotation(name, about, served);
    assertThat(a.status()).isEqualTo(status);
    assertThat(a.note()).startsWith(note);
    assertThat(a.problems()).isEqualTo(about);
  }

  @Test
  void a_documented_annotation_gatehouse_lacks_is_named_with_its_group() {
    // whichever documented names the catalogue does not hold yet
    for (String name : List.of("influxdb-host", "enable-influxdb")) {
      AnnotationEntry a = Migrator.annotation(name, List.of(), true);
      assertThat(a.status()).isIn(Status.IGNORED, Status.SAME, Status.DIFFERENT, Status.REFUSED);
    }
    AnnotationEntry a = Migrator.annotation("proxy-max-temp-file-size", List.of(), true);
    if (NginxCatalogue.find("proxy-max-temp-file-size") == null) {
      assertThat(a.status()).isEqualTo(Status.IGNORED);
      assertThat(a.family()).isEqualTo("Proxy");
      assertThat(a.note()).isEqualTo("ingress-nginx serves it; Gatehouse does not, and ignores it");
    } else {
      assertThat(a.family()).isEqualTo(NginxCatalogue.find("proxy-max-temp-file-size").family());
    }
  }

  @Test
  void missing_services_are_reported_only_when_services_are_given() throws Exception {
    MigrationReport without = report(List.of(), ingress("shop", "web", "nginx"));
    assertThat(only(without).problems()).isEmpty();
    assertThat(without.notes()).anyMatch(n -> n.startsWith("no Service was given"));

    String other =
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: other\n  namespace: shop\nspec:\n"
            + "  ports:\n    - port: 80\n";
    MigrationReport with = report(List.of(), ingress("shop", "web", "nginx"), other);
    assertThat(only(with).problems())
        .extracting(MigrationReport.Problem::reason)
        .containsExactly("ServiceNotFound");
    assertThat(only(with).verdict()).isEqualTo(Verdict.DIFFERENT);
    assertThat(with.notes()).noneMatch(n -> n.startsWith("no Service was given"));
    assertThat(with.summary().exitCode()).isEqualTo(1);
  }

  @Test
  void an_ingress_whose_host_another_namespace_holds_is_not_served() throws Exception {
    String first =
        ingress("a", "web", "nginx").replace("host: web.a.example", "host: shop.example");
    String second =
        ingress("b", "web", "nginx").replace("host: web.b.example", "host: shop.example");
    // the older Ingress's namespace owns the host, as the translator decides it
    first =
        first.replace(
            "  namespace: a\n", "  namespace: a\n  creationTimestamp: \"2025-01-01T00:00:00Z\"\n");
    second =
        second.replace(
            "  namespace: b\n", "  namespace: b\n  creationTimestamp: \"2025-02-01T00:00:00Z\"\n");
    MigrationReport r = report(List.of(), first, second);
    assertThat(r.ingresses()).extracting(IngressEntry::served).containsExactly(true, false);
    IngressEntry lost = r.ingresses().get(1);
    assertThat(lost.verdict()).isEqualTo(Verdict.NOT_SERVED);
    assertThat(lost.problems())
        .extracting(MigrationReport.Problem::reason)
        .containsExactly("HostConflict");
  }

  @Test
  void a_basic_auth_secret_given_as_string_data_serves_the_ingress() throws Exception {
    String secret =
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: users\n  namespace: shop\ntype: Opaque\n"
            + "stringData:\n  auth: \"alice:$2y$04$n9Z4GDgIbmWmi7dL8VAEauaGoiUoyX8RfMNK5zi/DQl7Cr23PUhGW\"\n";
    String[] auth = {N + "auth-type", "basic", N + "auth-secret", "users"};
    MigrationReport served = report(List.of(), ingress("shop", "web", "nginx", auth), secret);
    assertThat(only(served).served()).isTrue();
    assertThat(served.notes()).noneMatch(n -> n.startsWith("no Secret was given"));

    MigrationReport refused = report(List.of(), ingress("shop", "web", "nginx", auth));
    assertThat(only(refused).served()).isFalse();
    assertThat(refused.notes()).anyMatch(n -> n.startsWith("no Secret was given"));
    // the Secret's data never reaches the report
    assertThat(ReportWriter.text(served) + ReportWriter.json(served)).doesNotContain("$2y$04$");
  }

  @Test
  void classes_default_to_ingress_nginx_and_can_be_named() throws Exception {
    String nginxClass =
        "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: internal\n"
            + "spec:\n  controller: k8s.io/ingress-nginx\n";
    String[] docs = {
      nginxClass,
      ingress("a", "default-class", "nginx"),
      ingress("a", "own-class", "internal"),
      ingress("a", "no-class", ""),
      ingress("a", "traefik", "traefik"),
      "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: legacy\n"
          + "  namespace: a\n  annotations:\n    kubernetes.io/ingress.class: nginx\nspec:\n"
          + "  defaultBackend:\n    service:\n      name: web\n      port:\n        number: 80\n"
    };
    MigrationReport byDefault = report(List.of(), docs);
    assertThat(byDefault.ingresses())
        .extracting(IngressEntry::name)
        .containsExactly("default-class", "legacy", "no-class", "own-class");
    assertThat(byDefault.ingresses()).allMatch(IngressEntry::served);
    assertThat(byDefault.skipped())
        .extracting(MigrationReport.Skipped::ingressClass)
        .containsExactly("traefik");

    MigrationReport named = report(List.of("traefik"), docs);
    assertThat(named.ingresses())
        .extracting(IngressEntry::name)
        .containsExactly("no-class", "traefik");
    assertThat(named.summary().skipped()).isEqualTo(3);
  }

  @Test
  void the_controller_configmap_is_reported_key_by_key() throws Exception {
    Path cm = dir.resolve("cm.yaml");
    Files.writeString(
        cm,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ingress-nginx-controller\n"
            + "  namespace: ingress-nginx\ndata:\n  use-forwarded-headers: \"true\"\n"
            + "  hsts: \"true\"\n");
    Path in = dir.resolve("in.yaml");
    Files.writeString(in, ingress("shop", "web", "nginx"));
    MigrationReport fromFile =
        new Migrator(CLOCK)
            .report(ManifestFiles.read(List.of(in), "default", cm.toString()), List.of());
    assertThat(fromFile.configMap()).isNotNull();
    assertThat(fromFile.configMap().keys())
        .extracting(MigrationReport.KeyEntry::key)
        .containsExactly("hsts", "use-forwarded-headers");
    assertThat(ReportWriter.text(fromFile))
        .contains("ConfigMap ingress-nginx/ingress-nginx-controller\n");

    MigrationReport byName =
        new Migrator(CLOCK)
            .report(
                ManifestFiles.read(
                    List.of(in, cm), "default", "ingress-nginx/ingress-nginx-controller"),
                List.of());
    assertThat(byName.configMap()).isEqualTo(fromFile.configMap());

    assertThatThrownBy(() -> ManifestFiles.read(List.of(in), "default", "ingress-nginx/absent"))
        .isInstanceOf(MigrateException.class)
        .hasMessageContaining("no such ConfigMap in the files");
  }

  @Test
  void unreadable_input_is_exit_seventy_with_the_file_named() throws IOException {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "kind: Ingress\n  metadata: [\n");
    assertThat(run(bad)).isEqualTo(70);
    assertThat(err.toString()).startsWith("gatehouse migrate: " + bad + ": not YAML");

    assertThat(run(dir.resolve("absent"))).isEqualTo(70);
    assertThat(err.toString()).contains("no such file or directory");

    Path twice = dir.resolve("twice.yaml");
    Files.writeString(twice, ingress("a", "x", "nginx") + "---\n" + ingress("a", "x", "nginx"));
    assertThat(run(twice)).isEqualTo(70);
    assertThat(err.toString()).contains("Ingress a/x is already in");
  }

  @Test
  void json_output_is_the_same_report() throws IOException {
    Path in = dir.resolve("in.yaml");
    Files.writeString(in, ingress("shop", "web", "nginx", N + "proxy-body-sise", "1m"));
    StringWriter out = new StringWriter();
    int code =
        MigrateCommand.run(
            new MigrateOptions(
                List.of(in), null, null, null, null, List.of(), MigrateOptions.Format.JSON),
            null,
            new PrintWriter(out),
            new PrintWriter(new StringWriter()));
    assertThat(code).isEqualTo(2);
    assertThat(out.toString())
        .contains("\"schema\" : \"" + ReportWriter.SCHEMA + "\"")
        .contains("\"verdict\" : \"partial\"")
        .contains("\"exitCode\" : 2");
  }

  private StringWriter err = new StringWriter();

  private int run(Path p) {
    err = new StringWriter();
    return MigrateCommand.run(
        new MigrateOptions(
            List.of(p), null, null, null, null, List.of(), MigrateOptions.Format.TEXT),
        null,
        new PrintWriter(new StringWriter()),
        new PrintWriter(err));
  }
}
