package io.gatehouse.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.gatehouse.certificate.TestCertificates;
import io.gatehouse.node.NodeConfig;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.TestPki;
import io.vertx.core.net.OpenSSLEngineOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS policy scan: {@code openssl s_client} tries every version and every suite OpenSSL knows
 * against a node, once per certificate type (RSA and ECDSA pick different TLS 1.2 suites), and the
 * accepted pairs must equal the configured set exactly: nothing configured is missing and nothing
 * else is offered. Also the groups, session tickets and per-host minimum versions. Skipped when
 * {@code openssl} is not on the PATH.
 */
@Timeout(180)
class TlsPolicyScanIT {
  private static final String RSA_HOST = "rsa.example";
  private static final String EC_HOST = "ec.example";
  private static final String STRICT_HOST = "strict.example";
  private static final String OTHER_HOST = "other.example";

  @TempDir static Path dir;
  static Path certs;
  static OpenSslProbe openssl;

  @BeforeAll
  static void certificates() throws Exception {
    openssl = OpenSslProbe.require(dir);
    certs = Files.createDirectory(dir.resolve("certs"));
    TestCertificates.writePair(certs, "ec", EC_HOST, STRICT_HOST, OTHER_HOST);
    Instant now = Instant.now();
    TestPki.Issued rsa =
        TestPki.issue(
            TestPki.rsa(),
            RSA_HOST,
            List.of(RSA_HOST),
            now.minus(Duration.ofHours(1)),
            now.plus(Duration.ofDays(1)),
            null,
            false);
    Files.writeString(certs.resolve("rsa.crt"), rsa.certPem());
    Files.writeString(certs.resolve("rsa.key"), rsa.keyPem());
  }

  private static NodeFixture node(
      NodeConfig.Tls.Engine engine,
      List<String> protocols,
      List<String> suites,
      List<String> groups,
      boolean tickets,
      List<String> minVersionByHost)
      throws Exception {
    return node(engine, protocols, suites, groups, tickets, Duration.ZERO, minVersionByHost);
  }

  private static NodeFixture node(
      NodeConfig.Tls.Engine engine,
      List<String> protocols,
      List<String> suites,
      List<String> groups,
      boolean tickets,
      Duration sessionTimeout,
      List<String> minVersionByHost)
      throws Exception {
    if (engine == NodeConfig.Tls.Engine.OPENSSL) {
      assumeThat(OpenSSLEngineOptions.isAvailable()).as("the OpenSSL engine loads").isTrue();
    }
    NodeConfig.Tls tls =
        new NodeConfig.Tls(
            true,
            "127.0.0.1",
            0,
            certs.toString(),
            "ec",
            engine,
            Duration.ofSeconds(2),
            0,
            protocols,
            suites,
            groups,
            tickets,
            sessionTimeout,
            minVersionByHost,
            false,
            io.gatehouse.passthrough.Passthrough.Settings.DEFAULTS);
    return NodeFixture.start(c -> c.withTls(tls));
  }

  private static NodeFixture defaults(NodeConfig.Tls.Engine engine) throws Exception {
    return node(
        engine,
        TlsPolicy.DEFAULTS.protocols(),
        TlsPolicy.DEFAULTS.cipherSuites(),
        List.of(),
        true,
        List.of());
  }

  /** The pairs a certificate of {@code auth} (RSA or ECDSA) can agree to under a policy. */
  private static Set<String> expected(List<String> protocols, List<String> suites, String auth) {
    Set<String> out = new TreeSet<>();
    if (protocols.contains("TLSv1.3")) {
      TlsPolicy.TLS13_SUITES.forEach(s -> out.add("TLSv1.3 " + s));
    }
    if (protocols.contains("TLSv1.2")) {
      suites.stream()
          .filter(s -> s.startsWith("TLS_ECDHE_" + auth + "_"))
          .forEach(s -> out.add("TLSv1.2 " + s));
    }
    return out;
  }

  private static void assertScan(NodeFixture node, List<String> protocols, List<String> suites)
      throws Exception {
    assertThat(openssl.scan(node.httpsPort(), RSA_HOST))
        .as("accepted with the RSA certificate")
        .isEqualTo(expected(protocols, suites, "RSA"));
    assertThat(openssl.scan(node.httpsPort(), EC_HOST))
        .as("accepted with the ECDSA certificate")
        .isEqualTo(expected(protocols, suites, "ECDSA"));
  }

  @Test
  void the_defaults_offer_exactly_tls12_and_13_with_the_intermediate_suites() throws Exception {
    try (NodeFixture node = defaults(NodeConfig.Tls.Engine.OPENSSL)) {
      assertScan(node, TlsPolicy.DEFAULTS.protocols(), TlsPolicy.DEFAULTS.cipherSuites());
    }
  }

  private static final List<String> TWO_SUITES =
      List.of(
          "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");

  @Test
  void a_configured_set_is_exactly_what_openssl_offers() throws Exception {
    try (NodeFixture node =
        node(
            NodeConfig.Tls.Engine.OPENSSL,
            List.of("TLSv1.2"),
            TWO_SUITES,
            List.of(),
            true,
            List.of())) {
      assertScan(node, List.of("TLSv1.2"), TWO_SUITES);
    }
  }

  @Test
  void a_configured_set_is_exactly_what_the_jdk_offers() throws Exception {
    try (NodeFixture node =
        node(
            NodeConfig.Tls.Engine.JDK,
            List.of("TLSv1.2"),
            TWO_SUITES,
            List.of(),
            true,
            List.of())) {
      assertScan(node, List.of("TLSv1.2"), TWO_SUITES);
    }
  }

  @Test
  void the_admin_listener_offers_the_same_versions_and_suites() throws Exception {
    NodeConfig.Admin admin =
        new NodeConfig.Admin(
            true,
            "127.0.0.1",
            0,
            certs.resolve("ec.crt").toString(),
            certs.resolve("ec.key").toString(),
            "",
            "",
            "",
            20,
            40,
            List.of());
    NodeConfig.Tls tls =
        new NodeConfig.Tls(
            true,
            "127.0.0.1",
            0,
            certs.toString(),
            "ec",
            NodeConfig.Tls.Engine.AUTO,
            Duration.ofSeconds(2),
            0,
            List.of("TLSv1.2"),
            TWO_SUITES,
            List.of(),
            true,
            Duration.ZERO,
            List.of(),
            false,
            io.gatehouse.passthrough.Passthrough.Settings.DEFAULTS);
    try (NodeFixture node = NodeFixture.start(c -> c.withTls(tls).withAdmin(admin))) {
      assertThat(openssl.scan(node.node().adminPort(), EC_HOST))
          .isEqualTo(expected(List.of("TLSv1.2"), TWO_SUITES, "ECDSA"));
    }
  }

  @Test
  void tls13_only_is_exactly_what_is_offered() throws Exception {
    try (NodeFixture node =
        node(
            NodeConfig.Tls.Engine.OPENSSL,
            List.of("TLSv1.3"),
            TlsPolicy.DEFAULTS.cipherSuites(),
            List.of(),
            true,
            List.of())) {
      // TLS 1.3 suites do not depend on the certificate type: one host is enough.
      assertThat(openssl.scan(node.httpsPort(), EC_HOST))
          .isEqualTo(expected(List.of("TLSv1.3"), List.of(), "ECDSA"));
    }
  }

  @Test
  void only_the_configured_groups_complete_a_handshake() throws Exception {
    try (NodeFixture node =
        node(
            NodeConfig.Tls.Engine.OPENSSL,
            TlsPolicy.DEFAULTS.protocols(),
            TlsPolicy.DEFAULTS.cipherSuites(),
            List.of("X25519"),
            true,
            List.of())) {
      // The RSA certificate: in TLS 1.2 an ECDSA P-256 one also needs P-256 among the client's
      // groups, which would refuse X25519-only clients for another reason.
      for (String version : List.of("TLSv1.3", "TLSv1.2")) {
        assertThat(
                openssl
                    .handshake(node.httpsPort(), RSA_HOST, version, List.of("-groups", "X25519"))
                    .accepted())
            .as(version + " with X25519")
            .isTrue();
        for (String other : List.of("P-384", "P-256")) {
          assertThat(
                  openssl
                      .handshake(node.httpsPort(), RSA_HOST, version, List.of("-groups", other))
                      .accepted())
              .as(version + " with " + other)
              .isFalse();
        }
      }
    }
  }

  @Test
  void session_tickets_follow_the_setting_on_openssl() throws Exception {
    for (boolean tickets : List.of(false, true)) {
      try (NodeFixture node =
          node(
              NodeConfig.Tls.Engine.OPENSSL,
              TlsPolicy.DEFAULTS.protocols(),
              TlsPolicy.DEFAULTS.cipherSuites(),
              List.of(),
              tickets,
              List.of())) {
        OpenSslProbe.Result tls12 =
            openssl.handshake(node.httpsPort(), EC_HOST, "TLSv1.2", List.of());
        assertThat(tls12.accepted()).isTrue();
        assertThat(tls12.output().contains("TLS session ticket:"))
            .as("a TLS 1.2 ticket with sessionTickets " + tickets)
            .isEqualTo(tickets);
        // TLS 1.3 tickets come after the handshake: read them on a connection that asks.
        String tls13 =
            openssl.exchangeVerbose(
                node.httpsPort(),
                EC_HOST,
                "TLSv1.3",
                "GET / HTTP/1.1\r\nHost: " + EC_HOST + "\r\nConnection: close\r\n\r\n");
        assertThat(tls13).contains("HTTP/1.1 ");
        assertThat(tls13.contains("Post-Handshake New Session Ticket arrived"))
            .as("a TLS 1.3 ticket with sessionTickets " + tickets)
            .isEqualTo(tickets);
      }
    }
  }

  @Test
  void the_session_timeout_is_the_tickets_lifetime_on_both_engines() throws Exception {
    for (NodeConfig.Tls.Engine engine :
        List.of(NodeConfig.Tls.Engine.OPENSSL, NodeConfig.Tls.Engine.JDK)) {
      try (NodeFixture node =
          node(
              engine,
              TlsPolicy.DEFAULTS.protocols(),
              TlsPolicy.DEFAULTS.cipherSuites(),
              List.of(),
              true,
              Duration.ofSeconds(321),
              List.of())) {
        OpenSslProbe.Result r = openssl.handshake(node.httpsPort(), EC_HOST, "TLSv1.2", List.of());
        assertThat(r.accepted()).isTrue();
        assertThat(r.output()).as(engine.name()).contains("TLS session ticket lifetime hint: 321 ");
      }
    }
  }

  @Test
  void a_tls13_host_refuses_tls12_in_the_handshake_on_openssl() throws Exception {
    minimumVersionPerHost(NodeConfig.Tls.Engine.OPENSSL);
  }

  @Test
  void a_tls13_host_refuses_tls12_in_the_handshake_on_the_jdk() throws Exception {
    minimumVersionPerHost(NodeConfig.Tls.Engine.JDK);
  }

  private void minimumVersionPerHost(NodeConfig.Tls.Engine engine) throws Exception {
    try (NodeFixture node =
        node(
            engine,
            TlsPolicy.DEFAULTS.protocols(),
            TlsPolicy.DEFAULTS.cipherSuites(),
            List.of(),
            true,
            List.of(STRICT_HOST + "=TLSv1.3"))) {
      int port = node.httpsPort();
      OpenSslProbe.Result refused = openssl.handshake(port, STRICT_HOST, "TLSv1.2", List.of());
      assertThat(refused.accepted()).as("TLS 1.2 to the TLS 1.3 host").isFalse();
      assertThat(refused.output()).as("an alert, not a certificate").contains("alert");
      assertThat(openssl.handshake(port, STRICT_HOST, "TLSv1.3", List.of()).accepted())
          .as("TLS 1.3 to the TLS 1.3 host")
          .isTrue();
      assertThat(openssl.handshake(port, OTHER_HOST, "TLSv1.2", List.of()).accepted())
          .as("TLS 1.2 to another host")
          .isTrue();
      // Without SNI, or with another host's SNI (HTTP/2 coalescing), the handshake cannot tell:
      // the request is refused with 421.
      assertThat(statusLine(port, null, STRICT_HOST)).isEqualTo("HTTP/1.1 421 Misdirected Request");
      assertThat(statusLine(port, OTHER_HOST, STRICT_HOST))
          .isEqualTo("HTTP/1.1 421 Misdirected Request");
      assertThat(statusLine(port, null, OTHER_HOST)).startsWith("HTTP/1.1 ").doesNotContain("421");
    }
  }

  private static String statusLine(int port, String sni, String host) throws Exception {
    String out =
        openssl.exchange(
            port,
            sni,
            "TLSv1.2",
            "GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
    int at = out.indexOf("HTTP/1.1 ");
    assertThat(at).as("an HTTP answer in %s", out).isGreaterThanOrEqualTo(0);
    int end = out.indexOf('\r', at);
    return out.substring(at, end < 0 ? out.length() : end);
  }
}
