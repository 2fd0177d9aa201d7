package io.gatehouse.certificate;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.CertificateKey;
import io.gatehouse.model.CertificateSpec;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.validate.CertificateValidator;
import io.gatehouse.validate.ValidCertificate;
import io.gatehouse.validate.Validated;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Named cases: routes' TLS settings and the certificates they name → the hosts bound (host →
 * certificate key) and the problems per route.
 */
class CertificateBindingsTest {
  static final Instant NOW = Instant.now();

  static final CertificateSpec ACME_WWW =
      TestCertificates.spec("acme", "www", "www.acme.example", "acme.example");
  static final CertificateSpec ACME_WILD = TestCertificates.spec("acme", "wild", "*.acme.example");
  static final CertificateSpec ACME_SOON =
      TestCertificates.spec(
          CertificateKey.of("acme", "soon"), NOW.plus(Duration.ofMinutes(5)), "www.acme.example");
  static final CertificateSpec ACME_LATER =
      TestCertificates.spec(
          CertificateKey.of("acme", "later"), NOW.plus(Duration.ofDays(30)), "www.acme.example");
  static final CertificateSpec OTHER_SECRET =
      TestCertificates.spec("other", "secret", "www.acme.example");
  static final CertificateSpec DEFAULT_WWW = TestCertificates.spec("default", "www", "www.example");
  static final CertificateSpec BROKEN =
      new CertificateSpec(
          CertificateKey.of("acme", "broken"), "not a certificate", ACME_WWW.privateKey());

  /** One case: routes, table certificates, directory certificates, when → expected. */
  record Case(
      Map<RouteKey, TlsSpec> routes,
      List<CertificateSpec> table,
      List<CertificateSpec> directory,
      Instant now,
      Map<String, String> hosts,
      List<String> problems) {}

  static RouteKey route(String tenant, String name) {
    return RouteKey.of(tenant, "api", name);
  }

  static Map<RouteKey, TlsSpec> routes(Object... keyThenSpec) {
    Map<RouteKey, TlsSpec> out = new LinkedHashMap<>();
    for (int i = 0; i < keyThenSpec.length; i += 2) {
      out.put((RouteKey) keyThenSpec[i], (TlsSpec) keyThenSpec[i + 1]);
    }
    return out;
  }

  static TlsSpec tls(String certificate, String... hosts) {
    return TlsSpec.of(List.of(hosts), certificate);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(
            "binds-each-tls-host-to-the-named-certificate",
            new Case(
                routes(route("acme", "web"), tls("www", "www.acme.example", "acme.example")),
                List.of(ACME_WWW),
                List.of(),
                NOW,
                Map.of("www.acme.example", "acme/www", "acme.example", "acme/www"),
                List.of())),
        Arguments.of(
            "a-wildcard-certificate-covers-a-wildcard-host-and-one-label",
            new Case(
                routes(route("acme", "web"), tls("wild", "*.acme.example", "a.acme.example")),
                List.of(ACME_WILD),
                List.of(),
                NOW,
                Map.of("*.acme.example", "acme/wild", "a.acme.example", "acme/wild"),
                List.of())),
        Arguments.of(
            "a-host-the-certificate-does-not-cover-is-not-bound-and-named",
            new Case(
                routes(
                    route("acme", "web"),
                    tls("wild", "a.acme.example", "a.b.acme.example", "acme.example")),
                List.of(ACME_WILD),
                List.of(),
                NOW,
                Map.of("a.acme.example", "acme/wild"),
                List.of(
                    "acme/api/web: certificate acme/wild (SANs: [*.acme.example]) does not cover"
                        + " host a.b.acme.example; it gets the default certificate",
                    "acme/api/web: certificate acme/wild (SANs: [*.acme.example]) does not cover"
                        + " host acme.example; it gets the default certificate"))),
        Arguments.of(
            "a-missing-certificate-binds-nothing",
            new Case(
                routes(route("acme", "web"), tls("nope", "www.acme.example")),
                List.of(ACME_WWW),
                List.of(),
                NOW,
                Map.of(),
                List.of(
                    "acme/api/web: certificate acme/nope does not exist; hosts [www.acme.example]"
                        + " get the default certificate"))),
        Arguments.of(
            "another-tenants-certificate-is-never-used",
            new Case(
                routes(route("acme", "web"), tls("secret", "www.acme.example")),
                List.of(OTHER_SECRET),
                List.of(),
                NOW,
                Map.of(),
                List.of(
                    "acme/api/web: certificate acme/secret does not exist; hosts"
                        + " [www.acme.example] get the default certificate"))),
        Arguments.of(
            "an-invalid-certificate-binds-nothing-and-says-why",
            new Case(
                routes(route("acme", "web"), tls("broken", "www.acme.example")),
                List.of(BROKEN),
                List.of(),
                NOW,
                Map.of(),
                List.of(
                    "acme/api/web: certificate acme/broken is invalid (certificateChainPem: \"17"
                        + " characters without a PEM block\" (expected: one or more -----BEGIN"
                        + " CERTIFICATE----- blocks, the leaf first)); hosts [www.acme.example] get"
                        + " the default"
                        + " certificate"))),
        Arguments.of(
            "an-expired-certificate-binds-nothing",
            new Case(
                routes(route("acme", "web"), tls("soon", "www.acme.example")),
                List.of(ACME_SOON),
                List.of(),
                NOW.plus(Duration.ofHours(1)),
                Map.of(),
                List.of(
                    "acme/api/web: certificate acme/soon expired at "
                        + TestCertificates.validate(ACME_SOON).notAfter()
                        + "; hosts [www.acme.example] get the default certificate"))),
        Arguments.of(
            "a-directory-certificate-satisfies-a-default-route-and-stays-served-by-its-names",
            new Case(
                routes(route("default", "web"), tls("www", "www.example")),
                List.of(),
                List.of(DEFAULT_WWW),
                NOW,
                Map.of(),
                List.of())),
        Arguments.of(
            "the-table-wins-over-the-directory-for-the-same-key",
            new Case(
                routes(route("default", "web"), tls("www", "www.example")),
                List.of(DEFAULT_WWW),
                List.of(TestCertificates.spec("default", "www", "other.example")),
                NOW,
                Map.of("www.example", "default/www"),
                List.of())),
        Arguments.of(
            "two-routes-one-host-the-later-expiry-wins-and-the-other-route-is-told",
            new Case(
                routes(
                    route("acme", "a"),
                    tls("soon", "www.acme.example"),
                    route("acme", "b"),
                    tls("later", "www.acme.example")),
                List.of(ACME_SOON, ACME_LATER),
                List.of(),
                NOW,
                Map.of("www.acme.example", "acme/later"),
                List.of(
                    "acme/api/a: host www.acme.example is served with certificate acme/later"
                        + " (bound by route acme/api/b), not acme/soon"))),
        Arguments.of(
            "two-routes-naming-the-same-certificate-agree",
            new Case(
                routes(
                    route("acme", "a"),
                    tls("www", "www.acme.example"),
                    route("acme", "b"),
                    tls("www", "www.acme.example")),
                List.of(ACME_WWW),
                List.of(),
                NOW,
                Map.of("www.acme.example", "acme/www"),
                List.of())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void each_case_binds_the_expected_certificates(String name, Case c) {
    Map<CertificateKey, Validated<ValidCertificate>> table = new HashMap<>();
    for (CertificateSpec s : c.table()) {
      table.put(s.key(), CertificateValidator.validate(s, java.time.Clock.systemUTC()));
    }
    Map<CertificateKey, ValidCertificate> directory = new HashMap<>();
    for (CertificateSpec s : c.directory()) {
      directory.put(s.key(), TestCertificates.validate(s));
    }
    CertificateBindings b = CertificateBindings.bind(c.routes(), table, directory, c.now());
    assertThat(
            b.hosts().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().key().toString())))
        .isEqualTo(c.hosts());
    assertThat(b.problems().stream().map(p -> p.route() + ": " + p.message()).toList())
        .isEqualTo(c.problems());
    assertThat(b.httpsHosts())
        .containsExactlyInAnyOrderElementsOf(
            c.routes().values().stream().flatMap(t -> t.hosts().stream()).distinct().toList());
    String key = TestCertificates.keyText(ACME_WWW);
    assertThat(b.toString()).doesNotContain(key);
    b.problems().forEach(p -> assertThat(p.message()).doesNotContain(key));
  }
}
