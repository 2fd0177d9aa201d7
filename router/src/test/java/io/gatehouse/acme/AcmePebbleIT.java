package io.gatehouse.acme;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.CertificateKey;
import io.gatehouse.model.CertificateSpec;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.table.Batch;
import io.gatehouse.table.Outcome;
import io.gatehouse.table.Write;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.Pebble;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Orders against the real Pebble, which validates HTTP-01 by fetching the token from the node's
 * plain listener (its DNS answers every name with 127.0.0.1): an issued chain verifies against
 * Pebble's root and names the host, and stored in the table it is served by SNI; an order whose
 * token nobody publishes ends as data, in bounded time.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AcmePebbleIT {
  private static NodeFixture node;
  private static Pebble pebble;

  @BeforeAll
  static void start() throws Exception {
    node = NodeFixture.start(NodeFixture::withHttps);
    try {
      pebble = Pebble.start(node.port(), node.httpsPort());
    } catch (Exception | Error e) {
      node.close();
      throw e;
    }
  }

  @AfterAll
  static void stop() {
    if (pebble != null) {
      pebble.close();
    }
    if (node != null) {
      node.close();
    }
  }

  /** One order for {@code host} by a new account, its challenges published to {@code store}. */
  private static OrderOutcome order(ChallengeStore store, String host) throws Exception {
    AcmeOptions options =
        AcmeOptions.of(pebble.directory(), pebble.trust())
            .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(30));
    try (AcmeClient client =
        new AcmeClient(node.node().vertx(), options, AcmeAccount.generate(), store)) {
      return client.order(List.of(host)).await(90, TimeUnit.SECONDS);
    }
  }

  @Test
  void a_certificate_is_issued_through_the_nodes_http_listener() throws Exception {
    InMemoryChallengeStore served = (InMemoryChallengeStore) node.node().acmeChallenges();
    OrderOutcome outcome = order(served, "A.acme.test");

    assertThat(outcome).isInstanceOf(OrderOutcome.Issued.class);
    OrderOutcome.Issued issued = (OrderOutcome.Issued) outcome;
    X509Certificate leaf = issued.leaf();
    assertThat(leaf.getSubjectAlternativeNames())
        .extracting(san -> (Object) san.get(1))
        .containsExactly((Object) "a.acme.test");
    assertThat(issued.notAfter()).isAfter(Instant.now().plus(Duration.ofDays(30)));
    verifiesAgainst(issued.chain(), pebble.root());
    assertThat(pairs(issued, leaf)).as("the outcome's key is the certificate's").isTrue();
    assertThat(issued.toString()).doesNotContain("PRIVATE").contains("a.acme.test");
    // the validator fetched the token from the node's plain listener, and it is withdrawn after
    assertThat(Files.readString(pebble.logDir().resolve("pebble.log")))
        .contains("validate w/ HTTP: http://a.acme.test:" + node.port() + HttpChallenges.PREFIX);
    assertThat(served.size()).isZero();
  }

  @Test
  void an_order_whose_token_is_not_published_ends_as_an_invalid_challenge() throws Exception {
    // the client publishes into a store no listener reads: the node routes the validator's request
    // (no route for the host: the default backend's 404)
    InMemoryChallengeStore unread = new InMemoryChallengeStore();
    OrderOutcome outcome = order(unread, "b.acme.test");

    assertThat(outcome).isInstanceOf(OrderOutcome.ChallengeInvalid.class);
    OrderOutcome.ChallengeInvalid invalid = (OrderOutcome.ChallengeInvalid) outcome;
    assertThat(invalid.host()).isEqualTo("b.acme.test");
    assertThat(invalid.detail()).contains("status invalid").contains("404");
    assertThat(unread.size()).isZero();
  }

  @Test
  void an_issued_certificate_stored_in_the_table_is_served_by_sni_and_verifies() throws Exception {
    OrderOutcome outcome = order(node.node().acmeChallenges(), "c.acme.test");
    assertThat(outcome).isInstanceOf(OrderOutcome.Issued.class);
    OrderOutcome.Issued issued = (OrderOutcome.Issued) outcome;

    CertificateSpec spec = AcmeCertificates.spec(CertificateKey.of("default", "acme-c"), issued);
    RouteSpec route =
        NodeFixture.valid(
            NodeFixture.route("c", "c.acme.test", "127.0.0.1:1")
                .withTls(TlsSpec.of(List.of("c.acme.test"), "acme-c")));
    long generation =
        ((Outcome.Applied) node.node().table().apply(Batch.of(Write.put(spec), Write.put(route))))
            .generation();
    node.awaitGeneration(generation);

    // a client that trusts Pebble's root alone, with host name verification on
    Awaitility.await("c.acme.test is served its issued certificate")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> issued.leaf().equals(handshake("c.acme.test")));
    assertThat(spec.toString()).doesNotContain("PRIVATE KEY");
  }

  /** The leaf a verifying TLS client gets for {@code sni}; any verification failure throws. */
  private static X509Certificate handshake(String sni) throws Exception {
    KeyStore roots = KeyStore.getInstance(KeyStore.getDefaultType());
    roots.load(null, null);
    roots.setCertificateEntry("pebble-root", pebble.root());
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(roots);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    try (SSLSocket s =
        (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", node.httpsPort())) {
      s.setSoTimeout(10_000);
      SSLParameters p = s.getSSLParameters();
      p.setServerNames(List.of(new SNIHostName(sni)));
      p.setEndpointIdentificationAlgorithm("HTTPS");
      s.setSSLParameters(p);
      s.startHandshake();
      return (X509Certificate) s.getSession().getPeerCertificates()[0];
    } catch (SSLHandshakeException e) {
      // until the table's certificate reaches the key manager, the node's default does not verify
      return null;
    }
  }

  private static void verifiesAgainst(List<X509Certificate> chain, X509Certificate root)
      throws Exception {
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
    params.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX")
        .validate(CertificateFactory.getInstance("X.509").generateCertPath(chain), params);
  }

  private static boolean pairs(OrderOutcome.Issued issued, X509Certificate leaf) throws Exception {
    byte[] data = "gatehouse".getBytes(StandardCharsets.UTF_8);
    Signature sign = Signature.getInstance("SHA256withECDSA");
    sign.initSign(issued.key());
    sign.update(data);
    byte[] sig = sign.sign();
    Signature verify = Signature.getInstance("SHA256withECDSA");
    verify.initVerify(leaf.getPublicKey());
    verify.update(data);
    return verify.verify(sig);
  }
}
