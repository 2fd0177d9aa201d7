package io.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gatehouse.certificate.TestCertificates;
import io.gatehouse.model.CertificateSpec;
import io.gatehouse.model.FrontendValidation;
import io.gatehouse.model.ListenerKey;
import io.gatehouse.model.ListenerProtocol;
import io.gatehouse.model.ListenerSpec;
import io.gatehouse.node.GatewayListenersIT.Answer;
import io.gatehouse.table.Batch;
import io.gatehouse.table.Write;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.TestPki;
import io.gatehouse.testing.TestUpstream;
import io.gatehouse.testing.TlsSockets;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLSocket;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A Gateway socket's own TLS rules on a real node (issue #17): client certificates checked in the
 * handshake for every name (Gateway API {@code spec.tls.frontend}, {@code AllowValidOnly} and
 * {@code AllowInsecureFallback}), and 421 for a request whose Host belongs to another of the
 * socket's listeners than its SNI name. Addresses and ports as in {@link GatewayListenersIT}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GatewayFrontendIT {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final ListenerKey STRICT =
      ListenerKey.of("team-a", "k8s", "gateway/team-a/web/443");
  private static final ListenerKey OPEN =
      ListenerKey.of("team-a", "k8s", "gateway/team-a/web/8443");

  private final TestPki clients = TestPki.ca("clients");
  private final TestPki others = TestPki.ca("others");
  private Vertx vertx;
  private TestUpstream web;
  private NodeFixture node;
  private String address;
  private int strictPort;
  private int openPort;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    web = TestUpstream.named(vertx, "web");
    address = "127.0.1." + ThreadLocalRandom.current().nextInt(2, 250);
    strictPort = GatewayListenersIT.freePort(address);
    openPort = GatewayListenersIT.freePort(address);
    node = GatewayListenersIT.gatewayNode(strictPort, openPort);
  }

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
    web.close();
    vertx.close().await();
  }

  /** The socket's default certificate, covering every name the tests send. */
  private CertificateSpec serverCertificate() {
    return TestCertificates.spec("team-a", "k8s.gateway.team-a.server", "*.test", "*.wild.test");
  }

  private void serve(ListenerSpec socket, String... hosts) {
    Write[] writes = new Write[hosts.length + 2];
    writes[0] = Write.put(serverCertificate());
    writes[1] = Write.put(socket);
    for (int i = 0; i < hosts.length; i++) {
      writes[i + 2] =
          Write.put(
              NodeFixture.valid(
                  GatewayListenersIT.spec("r" + i, socket.key(), hosts[i], web.port())));
    }
    node.node().table().apply(Batch.of(writes));
  }

  private ListenerSpec socket(ListenerKey key, int port, @Nullable FrontendValidation v) {
    return new ListenerSpec(
        key, address, port, ListenerProtocol.HTTPS, serverCertificate().key(), v, List.of());
  }

  /** An HTTPS socket without client certificates, shared by listeners of {@code hostnames}. */
  private ListenerSpec shared(String... hostnames) {
    return new ListenerSpec(
        STRICT,
        address,
        strictPort,
        ListenerProtocol.HTTPS,
        serverCertificate().key(),
        null,
        List.of(hostnames));
  }

  /** GET / with SNI {@code sni} (none for null) and Host {@code host}. */
  private Answer get(int port, @Nullable String sni, String host, TestPki.@Nullable Issued client)
      throws Exception {
    KeyManager[] keys = client == null ? null : TlsSockets.keys(client);
    try (SSLSocket s = TlsSockets.open(address, port, sni, keys)) {
      return GatewayListenersIT.exchange(s, "/", host);
    }
  }

  @Test
  void allow_valid_only_serves_a_client_whose_certificate_chains_to_the_bundle_alone()
      throws Exception {
    serve(socket(STRICT, strictPort, new FrontendValidation(clients.caPem(), false)), "app.test");
    TestPki.Issued good = clients.client("CN=good");
    await("the socket serves a client with a certificate of the bundle")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(20))
        .ignoreExceptions()
        .until(() -> get(strictPort, "app.test", "app.test", good).status() == 200);
    assertThat(get(strictPort, "app.test", "app.test", good)).isEqualTo(new Answer(200, "web"));
    // another CA's certificate, or none, on any name or without SNI: the handshake fails
    TestPki.Issued stranger = others.client("CN=stranger");
    for (String sni : new String[] {"app.test", "other.test", null}) {
      assertThatThrownBy(() -> get(strictPort, sni, "app.test", stranger))
          .as("another CA's certificate, SNI %s", sni)
          .isInstanceOf(IOException.class);
      assertThatThrownBy(() -> get(strictPort, sni, "app.test", null))
          .as("no certificate, SNI %s", sni)
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void allow_insecure_fallback_serves_every_client_and_a_socket_without_validation_asks_none()
      throws Exception {
    serve(socket(OPEN, openPort, new FrontendValidation(clients.caPem(), true)), "app.test");
    await("the socket serves a client without a certificate")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(20))
        .ignoreExceptions()
        .until(() -> get(openPort, "app.test", "app.test", null).status() == 200);
    assertThat(get(openPort, "app.test", "app.test", clients.client("CN=good")).status())
        .isEqualTo(200);
    assertThat(get(openPort, "app.test", "app.test", others.client("CN=stranger")).status())
        .isEqualTo(200);

    // the setting goes: the socket is bound again without it, and still serves everyone
    serve(socket(OPEN, openPort, null), "app.test");
    await("the socket without validation serves a client without a certificate")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(20))
        .ignoreExceptions()
        .until(() -> get(openPort, "app.test", "app.test", null).status() == 200);
    assertThat(get(openPort, null, "app.test", others.client("CN=stranger")).status())
        .isEqualTo(200);
  }

  /** The conformance suite's HTTPRouteHTTPSListenerDetectMisdirectedRequests, on one socket. */
  @Test
  void a_host_of_another_listener_than_the_sni_names_is_misdirected() throws Exception {
    ListenerSpec shared = shared("", "second.test", "*.wild.test", "fourth.wild.test");
    serve(shared, "example.test", "second.test", "*.wild.test", "fourth.wild.test");
    await("the socket serves its routes")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(20))
        .ignoreExceptions()
        .until(() -> get(strictPort, "example.test", "example.test", null).status() == 200);
    String[][] cases = {
      {"example.test", "example.test", "200"},
      {"example.test", "second.test", "421"},
      {"example.test", "unknown.test", "404"},
      {"second.test", "second.test", "200"},
      {"second.test", "example.test", "421"},
      {"second.test", "unknown.test", "421"},
      {"third.wild.test", "third.wild.test", "200"},
      {"third.wild.test", "fifth.wild.test", "200"},
      {"third.wild.test", "fourth.wild.test", "421"},
      {"third.wild.test", "second.test", "421"},
      {"fourth.wild.test", "fourth.wild.test", "200"},
      {"fourth.wild.test", "fifth.wild.test", "421"},
      {"unknown.test", "example.test", "200"},
      {"unknown.test", "unknown.test", "404"},
      // no SNI chose no listener: the Host decides, as on any socket
      {null, "second.test", "200"},
    };
    for (String[] c : cases) {
      assertThat(get(strictPort, c[0], c[1], null).status())
          .as("SNI %s, Host %s", c[0], c[1])
          .isEqualTo(Integer.parseInt(c[2]));
    }
    // the hostnames change (a listener leaves): the socket stays bound and reads the new ones
    serve(
        shared("", "*.wild.test"),
        "example.test",
        "second.test",
        "*.wild.test",
        "fourth.wild.test");
    await("second.test belongs to the listener without hostname again")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(20))
        .ignoreExceptions()
        .until(() -> get(strictPort, "example.test", "second.test", null).status() == 200);
    assertThat(get(strictPort, "fourth.wild.test", "example.test", null).status()).isEqualTo(421);
  }
}
