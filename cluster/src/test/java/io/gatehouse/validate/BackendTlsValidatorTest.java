package io.gatehouse.validate;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.ClientAuth;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.Hsts;
import io.gatehouse.model.HttpsRedirect;
import io.gatehouse.model.KeyCertPem;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.PrivateKeyPem;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.UpstreamTls;
import io.gatehouse.testing.TestPki;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A backend's {@code tls} and a route's {@code tls.clientAuth}: every field refused with its own
 * name, and no violation ever shows key material.
 */
@Timeout(30)
class BackendTlsValidatorTest {
  private static final Instant NOW = Instant.now();
  private static final TestPki.Issued CA =
      TestPki.issue(
          TestPki.ec(),
          "Test CA",
          List.of(),
          NOW.minus(Duration.ofDays(1)),
          NOW.plus(Duration.ofDays(30)),
          null,
          true);
  private static final TestPki.Issued CLIENT =
      TestPki.issue(
          TestPki.ec(),
          "client",
          List.of(),
          NOW.minus(Duration.ofDays(1)),
          NOW.plus(Duration.ofDays(30)),
          CA,
          false);
  private static final TestPki.Issued OTHER =
      TestPki.selfSigned(
          "other", List.of("other"), NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(1)));

  private static final RouteSpec ROUTE =
      RouteSpec.simple(
          RouteKey.of("default", "file", "web"),
          List.of("app.example.com"),
          List.of(PathMatch.prefix("/")),
          BackendSpec.http1(List.of(Endpoint.of("10.0.0.1", 8443))));

  private static KeyCertPem clientPair() {
    return new KeyCertPem(CLIENT.certPem() + CA.certPem(), new PrivateKeyPem(CLIENT.keyPem()));
  }

  private static Validated<RouteSpec> backend(UnaryOperator<BackendSpec> change) {
    return RouteValidator.validate(
        new RouteSpec(
            ROUTE.key(),
            ROUTE.hosts(),
            ROUTE.paths(),
            ROUTE.methods(),
            ROUTE.headers(),
            ROUTE.queries(),
            change.apply(ROUTE.backend()),
            null,
            null,
            0,
            null));
  }

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of(
            "ca-bundle-not-pem",
            (UnaryOperator<BackendSpec>) b -> b.withTls(UpstreamTls.withCa("not a pem")),
            "backend.tls.caBundlePem"),
        Arguments.of(
            "ca-bundle-empty",
            (UnaryOperator<BackendSpec>) b -> b.withTls(UpstreamTls.withCa("  ")),
            "backend.tls.caBundlePem"),
        Arguments.of(
            "ca-bundle-holding-a-key",
            (UnaryOperator<BackendSpec>)
                b -> b.withTls(UpstreamTls.withCa(CA.certPem() + CLIENT.keyPem())),
            "backend.tls.caBundlePem[1]"),
        Arguments.of(
            "ca-bundle-with-bad-base64",
            (UnaryOperator<BackendSpec>)
                b ->
                    b.withTls(
                        UpstreamTls.withCa(
                            "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n")),
            "backend.tls.caBundlePem"),
        Arguments.of(
            "server-name-not-a-host",
            (UnaryOperator<BackendSpec>)
                b -> b.withTls(UpstreamTls.DEFAULT.withServerName("bad name")),
            "backend.tls.serverName"),
        Arguments.of(
            "server-name-wildcard",
            (UnaryOperator<BackendSpec>)
                b -> b.withTls(UpstreamTls.DEFAULT.withServerName("*.example.com")),
            "backend.tls.serverName"),
        Arguments.of(
            "skip-verify-with-a-ca",
            (UnaryOperator<BackendSpec>)
                b -> b.withTls(new UpstreamTls(CA.certPem(), true, null, true, null)),
            "backend.tls.insecureSkipVerify"),
        Arguments.of(
            "client-key-of-another-certificate",
            (UnaryOperator<BackendSpec>)
                b ->
                    b.withTls(
                        UpstreamTls.DEFAULT.withClientCertificate(
                            new KeyCertPem(
                                CLIENT.certPem() + CA.certPem(),
                                new PrivateKeyPem(OTHER.keyPem())))),
            "backend.tls.clientCertificate.privateKey"),
        Arguments.of(
            "client-key-not-pem",
            (UnaryOperator<BackendSpec>)
                b ->
                    b.withTls(
                        UpstreamTls.DEFAULT.withClientCertificate(
                            new KeyCertPem(
                                CLIENT.certPem() + CA.certPem(),
                                new PrivateKeyPem("secret-key-material")))),
            "backend.tls.clientCertificate.privateKey"),
        Arguments.of(
            "client-chain-is-a-key",
            (UnaryOperator<BackendSpec>)
                b ->
                    b.withTls(
                        UpstreamTls.DEFAULT.withClientCertificate(
                            new KeyCertPem(CLIENT.keyPem(), new PrivateKeyPem(CLIENT.keyPem())))),
            "backend.tls.clientCertificate.certificateChainPem[0]"),
        Arguments.of(
            "h2-without-tls",
            (UnaryOperator<BackendSpec>) b -> new BackendSpec(UpstreamProtocol.H2, b.endpoints()),
            "backend.protocol"),
        Arguments.of(
            "h2c-with-tls",
            (UnaryOperator<BackendSpec>)
                b -> new BackendSpec(UpstreamProtocol.H2C, b.endpoints(), UpstreamTls.DEFAULT),
            "backend.protocol"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void each_bad_field_is_named(String name, UnaryOperator<BackendSpec> change, String field) {
    Validated<RouteSpec> v = backend(change);
    assertThat(v.isValid()).isFalse();
    assertThat(v.violations()).extracting(Violation::field).containsExactly(field);
    String all = v.violations().toString();
    assertThat(all).doesNotContain(base64Of(CLIENT)).doesNotContain(base64Of(OTHER));
    assertThat(all).doesNotContain("secret-key-material");
  }

  /** The middle of a key's PEM body: present in any message that printed the key. */
  private static String base64Of(TestPki.Issued issued) {
    String b64 = issued.keyBase64();
    return b64.substring(20, 60);
  }

  @Test
  void a_full_setting_is_accepted_and_the_server_name_normalised() {
    Validated<RouteSpec> v =
        backend(
            b ->
                new BackendSpec(
                    UpstreamProtocol.H2,
                    b.endpoints(),
                    UpstreamTls.withCa(CA.certPem())
                        .withServerName("Backend.Internal.")
                        .withClientCertificate(clientPair())));
    assertThat(v.violations()).isEmpty();
    assertThat(v.value().backend().tls().serverName()).isEqualTo("backend.internal");
  }

  @Test
  void a_client_certificate_may_be_the_leaf_alone_the_upstream_holds_its_issuer() {
    KeyCertPem leafAlone = new KeyCertPem(CLIENT.certPem(), new PrivateKeyPem(CLIENT.keyPem()));
    Validated<RouteSpec> v =
        backend(b -> b.withTls(UpstreamTls.withCa(CA.certPem()).withClientCertificate(leafAlone)));
    assertThat(v.violations()).isEmpty();
    // a chain of more blocks must still be in order
    KeyCertPem reversed =
        new KeyCertPem(CA.certPem() + CLIENT.certPem(), new PrivateKeyPem(CLIENT.keyPem()));
    assertThat(
            backend(
                    b ->
                        b.withTls(UpstreamTls.withCa(CA.certPem()).withClientCertificate(reversed)))
                .isValid())
        .isFalse();
  }

  @Test
  void the_jdk_trust_store_by_default() {
    Validated<RouteSpec> v = backend(b -> b.withTls(UpstreamTls.DEFAULT));
    assertThat(v.isValid()).isTrue();
    assertThat(v.value().backend().tls().verifyHostname()).isTrue();
  }

  @Test
  void to_string_never_prints_the_key() {
    UpstreamTls tls = UpstreamTls.DEFAULT.withClientCertificate(clientPair());
    BackendSpec b = ROUTE.backend().withTls(tls);
    assertThat(b.toString()).doesNotContain(base64Of(CLIENT)).contains("redacted");
  }

  // --- tls.clientAuth ---------------------------------------------------------------------

  private static Validated<RouteSpec> clientAuth(ClientAuth auth, List<String> hosts) {
    return RouteValidator.validate(
        ROUTE
            .withHosts(hosts)
            .withTls(
                new TlsSpec(List.of(), "www", HttpsRedirect.DEFAULT, Hsts.OFF)
                    .withClientAuth(auth)));
  }

  @Test
  void client_auth_with_a_ca_bundle_is_accepted() {
    Validated<RouteSpec> v = clientAuth(ClientAuth.required(CA.certPem()), ROUTE.hosts());
    assertThat(v.violations()).isEmpty();
    assertThat(v.value().tls().clientAuth().mode()).isEqualTo(ClientAuth.Mode.REQUIRED);
  }

  @Test
  void client_auth_without_a_bundle_is_refused() {
    Validated<RouteSpec> v = clientAuth(ClientAuth.optional(null), ROUTE.hosts());
    assertThat(v.violations())
        .extracting(Violation::field)
        .containsExactly("tls.clientAuth.caBundlePem");
  }

  @Test
  void a_bad_bundle_names_the_block() {
    Validated<RouteSpec> v =
        clientAuth(ClientAuth.required(CA.certPem() + "junk\n" + CLIENT.keyPem()), ROUTE.hosts());
    assertThat(v.violations())
        .extracting(Violation::field)
        .containsExactly("tls.clientAuth.caBundlePem[1]");
    assertThat(v.violations().get(0).message())
        .contains("a CA bundle holds no private key")
        .doesNotContain(base64Of(CLIENT));
  }

  @Test
  void a_bundle_with_mode_none_is_refused() {
    Validated<RouteSpec> v =
        clientAuth(new ClientAuth(ClientAuth.Mode.NONE, CA.certPem()), ROUTE.hosts());
    assertThat(v.violations())
        .extracting(Violation::field)
        .containsExactly("tls.clientAuth.caBundlePem");
  }

  @Test
  void client_auth_needs_named_hosts() {
    Validated<RouteSpec> v = clientAuth(ClientAuth.required(CA.certPem()), List.of());
    assertThat(v.violations()).extracting(Violation::field).contains("tls.clientAuth.mode");
  }

  @Test
  void the_certificate_check_keeps_client_auth() {
    Validated<TlsSpec> v =
        CertificateValidator.validateTls(
            ROUTE.key().tenant(),
            TlsSpec.of(List.of("app.example.com"), "www")
                .withClientAuth(ClientAuth.optional("bad")),
            null);
    assertThat(v.violations()).extracting(Violation::field).contains("tls.clientAuth.caBundlePem");
  }
}
