package io.gatehouse.tls;

import static io.gatehouse.testing.NodeFixture.route;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.ClientAuth;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.model.policy.RequestHeaders;
import io.gatehouse.model.policy.ResponseHeaders;
import io.gatehouse.node.NodeConfig;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.TestPki;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Client certificates per host on one HTTPS listener, with a CA made for the test: a required host
 * refuses a client without a certificate or with one from another CA, and forwards the verified
 * subject; an optional host serves both; a host without client certificates never sends a
 * CertificateRequest (seen from the client: its key manager is never asked for a certificate). The
 * client is a plain JDK {@link SSLSocket} speaking HTTP/1.1, so the SNI name, the Host header and
 * the certificate offered are each set by hand.
 */
@Timeout(60)
abstract class ClientCertificatesITBase {
  static Vertx vertx;
  static TestUpstream up;
  static NodeFixture node;
  static TestPki ca;
  static TestPki otherCa;
  static TestPki.Issued alice;
  static TestPki.Issued mallory;
  static TestPki.Issued zoe;

  abstract NodeConfig.Tls.Engine engine();

  static void start(NodeConfig.Tls.Engine engine) throws Exception {
    vertx = Vertx.vertx();
    up = TestUpstream.named(vertx, "upstream");
    ca = TestPki.ca("Client CA");
    otherCa = TestPki.ca("Other CA");
    alice = ca.client("CN=alice,O=Example");
    mallory = otherCa.client("CN=mallory,O=Example");
    zoe = ca.client("CN=Zo\u00eb\\, Jr.,O=Example");
    node =
        NodeFixture.start(
            c ->
                c.withTls(
                    new NodeConfig.Tls(
                        true, "127.0.0.1", 0, "", "", engine, Duration.ofSeconds(2))),
            NodeFixture.valid(
                route("required", "required.example", up.address())
                    .withTls(
                        TlsSpec.of(List.of(), "www")
                            .withClientAuth(ClientAuth.required(ca.caPem())))),
            NodeFixture.valid(
                route("optional", "optional.example", up.address())
                    .withTls(
                        TlsSpec.of(List.of(), "www")
                            .withClientAuth(ClientAuth.optional(ca.caPem())))),
            NodeFixture.valid(
                route("wild", "*.wild.example", up.address())
                    .withTls(
                        TlsSpec.of(List.of(), "www")
                            .withClientAuth(ClientAuth.required(ca.caPem())))),
            route("open", "open.example", up.address()),
            NodeFixture.valid(
                route("depth", "depth.example", up.address())
                    .withTls(
                        TlsSpec.of(List.of(), "www")
                            .withClientAuth(
                                new ClientAuth(ClientAuth.Mode.REQUIRED, ca.caPem(), 1, true)))),
            NodeFixture.valid(
                route("vars", "vars.example", up.address())
                    .withTls(
                        TlsSpec.of(List.of(), "www")
                            .withClientAuth(ClientAuth.optional(ca.caPem())))
                    .withPolicies(
                        List.of(
                            new RequestHeaders(
                                Map.of(
                                    "X-Subject", "${tls.client.subject}",
                                    "X-Cert", "sha256=${tls.client.sha256}"),
                                Map.of(),
                                List.of()),
                            new ResponseHeaders(
                                Map.of("X-Seen-Subject", "${tls.client.subject}"),
                                Map.of(),
                                List.of())))));
  }

  @AfterAll
  static void stop() {
    node.close();
    up.close();
    vertx.close().await();
  }

  /** The answer's status line and body, and whether the server asked for a certificate. */
  record Answer(int status, String text, boolean certificateRequested) {}

  /** A key manager that offers {@code cert} (or nothing) and records whether it was asked. */
  static final class RecordingKeyManager extends X509ExtendedKeyManager {
    final AtomicInteger asked = new AtomicInteger();
    private final X509KeyManager inner;

    RecordingKeyManager(TestPki.Issued cert) throws Exception {
      if (cert == null) {
        inner = null;
        return;
      }
      char[] pw = "test".toCharArray();
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      List<X509Certificate> chain = new java.util.ArrayList<>();
      for (TestPki.Issued i = cert; i != null; i = i.issuer()) {
        chain.add(i.cert());
      }
      ks.setKeyEntry("client", cert.keys().getPrivate(), pw, chain.toArray(new X509Certificate[0]));
      KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
      kmf.init(ks, pw);
      inner = (X509KeyManager) kmf.getKeyManagers()[0];
    }

    @Override
    public String chooseEngineClientAlias(String[] types, Principal[] issuers, SSLEngine e) {
      asked.incrementAndGet();
      return inner == null ? null : "client";
    }

    @Override
    public String chooseClientAlias(String[] types, Principal[] issuers, Socket s) {
      asked.incrementAndGet();
      return inner == null ? null : "client";
    }

    @Override
    public String[] getClientAliases(String type, Principal[] issuers) {
      return inner == null ? null : new String[] {"client"};
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return inner == null ? null : inner.getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return inner == null ? null : inner.getPrivateKey(alias);
    }

    @Override
    public String[] getServerAliases(String type, Principal[] issuers) {
      return null;
    }

    @Override
    public String chooseServerAlias(String type, Principal[] issuers, Socket s) {
      return null;
    }
  }

  private static final TrustManager[] TRUST_ALL = {new io.gatehouse.testing.TrustAll()};

  /**
   * One request on a new connection with SNI {@code sni}, Host {@code host}, offering {@code cert}
   * (null: none), or with no key manager at all when {@code keyManager} is false.
   */
  static Answer get(String sni, String host, TestPki.Issued cert, boolean keyManager, String extra)
      throws Exception {
    RecordingKeyManager km = new RecordingKeyManager(cert);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(keyManager ? new KeyManager[] {km} : null, TRUST_ALL, new SecureRandom());
    try (SSLSocket s =
        (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", node.httpsPort())) {
      s.setSoTimeout(20_000);
      SSLParameters p = s.getSSLParameters();
      p.setServerNames(List.of(new SNIHostName(sni)));
      p.setApplicationProtocols(new String[] {"http/1.1"});
      s.setSSLParameters(p);
      s.startHandshake();
      s.getOutputStream()
          .write(
              ("GET /who HTTP/1.1\r\nHost: " + host + "\r\n" + extra + "Connection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      byte[] buf = new byte[4096];
      int n;
      while ((n = in.read(buf)) >= 0) {
        all.write(buf, 0, n);
      }
      String text = all.toString(StandardCharsets.UTF_8);
      int status = Integer.parseInt(text.substring(9, 12));
      return new Answer(status, text, km.asked.get() > 0);
    }
  }

  static Answer get(String host, TestPki.Issued cert) throws Exception {
    return get(host, host, cert, true, "");
  }

  private static String sha256(X509Certificate c) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
  }

  @Test
  void a_required_host_refuses_a_client_without_a_certificate() throws Exception {
    Answer a = get("required.example", null);
    assertThat(a.certificateRequested()).isTrue();
    assertThat(a.status()).isEqualTo(403);
    assertThat(up.receivedNothing()).isTrue();
  }

  @Test
  void a_required_host_refuses_a_certificate_from_another_ca() throws Exception {
    Answer a = get("required.example", mallory);
    assertThat(a.status()).isEqualTo(403);
    assertThat(up.receivedNothing()).isTrue();
  }

  @Test
  void a_required_host_forwards_the_verified_subject() throws Exception {
    Answer a = get("required.example", alice);
    assertThat(a.status()).isEqualTo(200);
    TestUpstream.Recorded r = up.take();
    assertThat(r.header("x-client-cert-subject")).isEqualTo("O=Example,CN=alice");
    assertThat(r.header("x-client-cert-verified")).isEqualTo("SUCCESS");
    assertThat(r.header("x-client-cert-sha256")).isEqualTo(sha256(alice.cert()));
  }

  @Test
  void forged_client_certificate_headers_are_removed() throws Exception {
    String forged =
        "X-Client-Cert-Subject: CN=admin\r\n"
            + "x-client-cert-verified: SUCCESS\r\n"
            + "X-Client-Cert-Chain: forged\r\n";
    assertThat(get("required.example", "required.example", alice, true, forged).status())
        .isEqualTo(200);
    TestUpstream.Recorded r = up.take();
    assertThat(r.headers().getAll("x-client-cert-subject")).containsExactly("O=Example,CN=alice");
    assertThat(r.headers().getAll("x-client-cert-verified")).containsExactly("SUCCESS");
    assertThat(r.header("x-client-cert-chain")).isNull();

    assertThat(get("open.example", "open.example", null, true, forged).status()).isEqualTo(200);
    r = up.take();
    assertThat(r.header("x-client-cert-subject")).isNull();
    assertThat(r.header("x-client-cert-verified")).isNull();
    assertThat(r.header("x-client-cert-chain")).isNull();
  }

  @Test
  void an_optional_host_serves_clients_without_a_certificate() throws Exception {
    Answer a = get("optional.example", null);
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.certificateRequested()).isTrue();
    TestUpstream.Recorded r = up.take();
    assertThat(r.header("x-client-cert-subject")).isNull();
    assertThat(r.header("x-client-cert-verified")).isEqualTo("NONE");
  }

  @Test
  void an_optional_host_forwards_a_verified_certificate() throws Exception {
    assertThat(get("optional.example", alice).status()).isEqualTo(200);
    assertThat(up.take().header("x-client-cert-subject")).isEqualTo("O=Example,CN=alice");
  }

  @Test
  void an_optional_host_refuses_a_certificate_that_does_not_verify() throws Exception {
    assertThat(get("optional.example", mallory).status()).isEqualTo(403);
    assertThat(up.receivedNothing()).isTrue();
  }

  @Test
  void a_host_without_client_certificates_never_asks_for_one() throws Exception {
    Answer offered = get("open.example", alice);
    assertThat(offered.status()).isEqualTo(200);
    assertThat(offered.certificateRequested()).as("CertificateRequest sent").isFalse();
    up.take();
    Answer noKeyManager = get("open.example", "open.example", null, false, "");
    assertThat(noKeyManager.status()).isEqualTo(200);
    up.take();
    // A name no route knows gets the shared context too (and 421 for the other Host).
    Answer unknown = get("unknown.example", "open.example", alice, true, "");
    assertThat(unknown.certificateRequested()).isFalse();
    assertThat(unknown.status()).isEqualTo(421);
  }

  @Test
  void a_wildcard_host_asks_on_each_of_its_names() throws Exception {
    Answer a = get("a.wild.example", alice);
    assertThat(a.certificateRequested()).isTrue();
    assertThat(a.status()).isEqualTo(200);
    assertThat(up.take().header("x-client-cert-subject")).isEqualTo("O=Example,CN=alice");
    assertThat(get("b.wild.example", null).status()).isEqualTo(403);
  }

  @Test
  void a_connection_made_for_another_name_is_misdirected() throws Exception {
    // Verified for optional.example; the identity must not carry over to required.example.
    assertThat(get("optional.example", "required.example", alice, true, "").status())
        .isEqualTo(421);
    // A connection that was never asked for a certificate cannot reach a required host either.
    assertThat(get("open.example", "required.example", null, true, "").status()).isEqualTo(421);
    assertThat(up.receivedNothing()).isTrue();
  }

  @Test
  void plain_http_to_a_required_host_is_redirected_never_served() throws Exception {
    try (io.gatehouse.testing.RawHttp raw = new io.gatehouse.testing.RawHttp(node.port())) {
      raw.send("GET /who HTTP/1.1\r\nHost: required.example\r\n\r\n");
      assertThat(raw.read().status()).isEqualTo(308);
    }
    assertThat(up.receivedNothing()).isTrue();
  }

  /** The subject exactly as the route's check forwards it (X-Client-Cert-Subject). */
  private static void assertSubjectVariables(TestPki.Issued cert, Answer a) throws Exception {
    assertThat(a.status()).isEqualTo(200);
    String subject = cert.cert().getSubjectX500Principal().getName(X500Principal.RFC2253);
    TestUpstream.Recorded r = up.take();
    String sent = r.header("x-subject");
    assertThat(sent).isEqualTo(r.header("x-client-cert-subject"));
    assertThat(sent.chars()).allMatch(c -> c >= 0x20 && c < 0x7f);
    assertThat(URLDecoder.decode(sent.replace("+", "%2B"), StandardCharsets.UTF_8))
        .isEqualTo(subject);
    assertThat(r.headers().getAll("x-cert")).containsExactly("sha256=" + sha256(cert.cert()));
    assertThat(a.text()).containsIgnoringCase("x-seen-subject: " + sent + "\r\n");
  }

  @Test
  void header_variables_carry_the_verified_subject_and_fingerprint() throws Exception {
    assertSubjectVariables(alice, get("vars.example", alice));
    // A subject with an escaped comma and a letter outside ASCII: percent-encoded, no CR or LF.
    assertSubjectVariables(zoe, get("vars.example", zoe));
  }

  @Test
  void without_a_verified_certificate_the_variables_yield_no_header_not_the_clients()
      throws Exception {
    String forged = "X-Subject: CN=admin\r\nX-Cert: sha256=00\r\n";
    Answer a = get("vars.example", "vars.example", null, true, forged);
    assertThat(a.status()).isEqualTo(200);
    TestUpstream.Recorded r = up.take();
    assertThat(r.header("x-client-cert-verified")).isEqualTo("NONE");
    assertThat(r.header("x-subject")).isNull();
    assertThat(r.header("x-cert")).isNull();
    assertThat(a.text().toLowerCase(Locale.ROOT)).doesNotContain("x-seen-subject");
    // A certificate that does not verify never gets as far as a header.
    assertThat(get("vars.example", mallory).status()).isEqualTo(403);
    assertThat(up.receivedNothing()).isTrue();
  }

  private static TestPki.Issued issue(String cn, TestPki.Issued issuer, boolean isCa) {
    java.time.Instant now = java.time.Instant.now();
    return TestPki.issue(
        TestPki.ec(),
        cn,
        List.of(),
        now.minus(Duration.ofHours(1)),
        now.plus(Duration.ofDays(1)),
        issuer,
        isCa);
  }

  @Test
  void the_verified_leaf_is_passed_in_ssl_client_cert_and_a_forged_one_never() throws Exception {
    String forged = "SSL-Client-Cert: forged\r\n";
    assertThat(get("depth.example", "depth.example", alice, true, forged).status()).isEqualTo(200);
    TestUpstream.Recorded r = up.take();
    List<String> sent = r.headers().getAll("ssl-client-cert");
    assertThat(sent).hasSize(1);
    String pem = URLDecoder.decode(sent.get(0), StandardCharsets.UTF_8);
    assertThat(
            java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(
                    new java.io.ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))))
        .isEqualTo(alice.cert());
    // A route that does not pass the certificate, or checks none, drops the client's value.
    assertThat(get("required.example", "required.example", alice, true, forged).status())
        .isEqualTo(200);
    assertThat(up.take().header("ssl-client-cert")).isNull();
    assertThat(get("open.example", "open.example", null, true, forged).status()).isEqualTo(200);
    assertThat(up.take().header("ssl-client-cert")).isNull();
  }

  @Test
  void a_chain_deeper_than_the_verify_depth_is_refused() throws Exception {
    TestPki.Issued inter1 = issue("Inter 1", ca.caCert(), true);
    TestPki.Issued inter2 = issue("Inter 2", inter1, true);
    assertThat(get("depth.example", issue("one", inter1, false)).status()).isEqualTo(200);
    up.take();
    assertThat(get("depth.example", issue("two", inter2, false)).status()).isEqualTo(403);
    assertThat(up.receivedNothing()).isTrue();
    // Without a depth the same chain verifies.
    assertThat(get("required.example", issue("two", inter2, false)).status()).isEqualTo(200);
    up.take();
  }
}
