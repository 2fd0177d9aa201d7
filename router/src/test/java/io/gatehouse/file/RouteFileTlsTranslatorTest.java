package io.gatehouse.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.ClientAuth;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.UpstreamTls;
import io.gatehouse.testing.TestPki;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The routes file's TLS fields: {@code backend.tls} (upstream TLS) and {@code tls.clientAuth}
 * (client certificates). PEM is written as YAML block scalars; a problem names the file's field and
 * line, and never shows a private key.
 */
@Timeout(30)
class RouteFileTlsTranslatorTest {
  private static final TestPki CA = TestPki.ca("file CA");
  private static final TestPki.Issued CLIENT = CA.client("CN=gatehouse");
  private static final TestPki.Issued OTHER = TestPki.ca("other").client("CN=other");

  /** {@code pem} as a YAML block scalar indented by {@code indent} spaces. */
  private static String block(String pem, int indent) {
    String pad = " ".repeat(indent);
    return "|\n" + pad + pem.strip().replace("\n", "\n" + pad) + "\n";
  }

  private static String route(String backendTls, String tls) {
    return "routes:\n"
        + "  - name: api\n"
        + "    hosts: [api.example.com]\n"
        + "    backend:\n"
        + "      endpoints: [\"10.0.0.1:8443\"]\n"
        + backendTls
        + tls;
  }

  @Test
  void upstream_tls_with_every_field_translates() {
    String yaml =
        route(
            "      protocol: h2\n"
                + "      tls:\n"
                + "        caBundle: "
                + block(CA.caPem(), 10)
                + "        serverName: API.internal\n"
                + "        clientCertificate:\n"
                + "          certificateChain: "
                + block(CLIENT.chainPem(), 12)
                + "          privateKey: "
                + block(CLIENT.keyPem(), 12),
            "");
    RouteFileTranslator.Result r = RouteFileTranslator.translate(yaml);
    assertThat(r.problems()).isEmpty();
    RouteSpec spec = r.routes().get(0);
    assertThat(spec.backend().protocol()).isEqualTo(UpstreamProtocol.H2);
    UpstreamTls tls = spec.backend().tls();
    assertThat(tls.caBundlePem()).isEqualTo(CA.caPem());
    assertThat(tls.serverName()).isEqualTo("api.internal");
    assertThat(tls.verifyHostname()).isTrue();
    assertThat(tls.insecureSkipVerify()).isFalse();
    assertThat(tls.clientCertificate().privateKey().pem()).isEqualTo(CLIENT.keyPem());
    assertThat(spec.toString()).doesNotContain(CLIENT.keyFragment());
  }

  @Test
  void passthrough_translates_as_the_docs_example_writes_it() {
    RouteFileTranslator.Result r =
        RouteFileTranslator.translate(route("", "    tls:\n      passthrough: true\n"));
    assertThat(r.problems()).isEmpty();
    assertThat(r.routes().get(0).tls())
        .isEqualTo(io.gatehouse.model.TlsSpec.passthrough(java.util.List.of("api.example.com")));
  }

  @Test
  void passthrough_with_a_path_is_refused_with_the_field_named() {
    RouteFileTranslator.Result r =
        RouteFileTranslator.translate(
            route("", "    paths: [/api]\n    tls:\n      passthrough: true\n"));
    assertThat(r.problems()).isNotEmpty();
    assertThat(r.problems().toString()).contains("paths").contains("none with tls.passthrough");
  }

  @Test
  void an_empty_tls_mapping_means_verified_with_the_jdk_trust_store() {
    RouteFileTranslator.Result r = RouteFileTranslator.translate(route("      tls: {}\n", ""));
    assertThat(r.problems()).isEmpty();
    assertThat(r.routes().get(0).backend().tls()).isEqualTo(UpstreamTls.DEFAULT);
  }

  @Test
  void client_auth_translates() {
    String yaml =
        route(
            "",
            "    tls:\n"
                + "      certificate: www\n"
                + "      clientAuth:\n"
                + "        mode: Required\n"
                + "        caBundle: "
                + block(CA.caPem(), 10));
    RouteFileTranslator.Result r = RouteFileTranslator.translate(yaml);
    assertThat(r.problems()).isEmpty();
    ClientAuth auth = r.routes().get(0).tls().clientAuth();
    assertThat(auth.mode()).isEqualTo(ClientAuth.Mode.REQUIRED);
    assertThat(auth.caBundlePem()).isEqualTo(CA.caPem());
  }

  static Stream<Arguments> broken() {
    return Stream.of(
        Arguments.of(
            "upstream-ca-bundle-not-pem",
            route("      tls: {caBundle: not-a-pem}\n", ""),
            6,
            "routes[0].backend.tls.caBundle: "),
        Arguments.of(
            "upstream-unknown-key",
            route("      tls: {verify: false}\n", ""),
            6,
            "unknown key \"routes[0].backend.tls.verify\""),
        Arguments.of(
            "upstream-skip-verify-not-boolean",
            route("      tls: {insecureSkipVerify: yes please}\n", ""),
            6,
            "routes[0].backend.tls.insecureSkipVerify: \"yes please\" (expected: true or false)"),
        Arguments.of(
            "upstream-server-name-bad",
            route("      tls: {serverName: \"bad name\"}\n", ""),
            6,
            "routes[0].backend.tls.serverName: \"bad name\""),
        Arguments.of(
            "upstream-client-key-of-another-certificate",
            route(
                "      tls:\n"
                    + "        clientCertificate:\n"
                    + "          certificateChain: "
                    + block(CLIENT.chainPem(), 12)
                    + "          privateKey: "
                    + block(OTHER.keyPem(), 12),
                ""),
            -1,
            "routes[0].backend.tls.clientCertificate.privateKey: \"PrivateKeyPem[redacted]\""),
        Arguments.of(
            "upstream-client-key-not-a-string",
            route(
                "      tls:\n"
                    + "        clientCertificate:\n"
                    + "          certificateChain: "
                    + block(CLIENT.chainPem(), 12)
                    + "          privateKey: [\"secret-line-1\", \"secret-line-2\"]\n",
                ""),
            -1,
            "routes[0].backend.tls.clientCertificate.privateKey: \"PrivateKeyPem[redacted]\""),
        Arguments.of(
            "upstream-client-certificate-without-key",
            route(
                "      tls:\n"
                    + "        clientCertificate:\n"
                    + "          certificateChain: "
                    + block(CLIENT.chainPem(), 12),
                ""),
            7,
            "routes[0].backend.tls.clientCertificate.privateKey: missing"),
        Arguments.of(
            "h2-without-tls",
            route("      protocol: h2\n", ""),
            6,
            "routes[0].backend.protocol: \"h2\""),
        Arguments.of(
            "client-auth-mode-unknown",
            route("", "    tls: {certificate: www, clientAuth: {mode: sometimes}}\n"),
            6,
            "routes[0].tls.clientAuth.mode: \"sometimes\" (expected: none, optional or required)"),
        Arguments.of(
            "client-auth-without-ca",
            route("", "    tls: {certificate: www, clientAuth: {mode: optional}}\n"),
            6,
            "routes[0].tls.clientAuth.caBundle: null"),
        Arguments.of(
            "client-auth-bundle-holding-a-key",
            route(
                "",
                "    tls:\n"
                    + "      certificate: www\n"
                    + "      clientAuth:\n"
                    + "        mode: required\n"
                    + "        caBundle: "
                    + block(CLIENT.keyPem(), 10)),
            10,
            "a CA bundle holds no private key"));
  }

  private static int lineOf(String yaml, String marker) {
    return (int) yaml.substring(0, yaml.indexOf(marker)).chars().filter(c -> c == '\n').count() + 1;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("broken")
  void a_broken_tls_block_is_a_problem_at_its_line_without_key_material(
      String name, String yaml, int line, String message) {
    RouteFileTranslator.Result r = RouteFileTranslator.translate(yaml);
    assertThat(r.routes()).isEmpty();
    assertThat(r.problems()).isNotEmpty();
    assertThat(r.problems().get(0).message()).contains(message);
    // -1: the line of privateKey, which follows a chain of varying length.
    int expected = line >= 0 ? line : lineOf(yaml, "privateKey:");
    assertThat(r.problems().get(0).line()).isEqualTo(expected);
    String all = r.problems().toString();
    assertThat(all)
        .doesNotContain(CLIENT.keyFragment())
        .doesNotContain(OTHER.keyFragment())
        .doesNotContain("secret-line");
  }
}
