package io.gatehouse.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.UpstreamTls;
import io.gatehouse.model.backend.HealthCheck;
import io.gatehouse.testing.TestPki;
import io.gatehouse.testing.TestUpstream;
import io.gatehouse.upstream.UpstreamClients;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each probe kind against real servers on loopback: what passes, what fails, within its time. */
@Timeout(60)
class ProbesIT {
  private Vertx vertx;
  private Context context;
  private Probes probes;
  private UpstreamClients clients;
  private NetClient net;
  private TestUpstream http;
  private final AtomicReference<String> lastHost = new AtomicReference<>();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    CompletableFuture<Void> made = new CompletableFuture<>();
    context.runOnContext(
        v -> {
          clients = new UpstreamClients(vertx, 16 * 1024);
          net = vertx.createNetClient();
          probes = new Probes(vertx, clients, net);
          made.complete(null);
        });
    made.join();
    http =
        TestUpstream.custom(
            vertx,
            req -> {
              lastHost.set(req.authority() == null ? null : req.authority().host());
              switch (req.path()) {
                case "/ok" -> req.response().end("ok");
                case "/moved" -> req.response().setStatusCode(302).end();
                case "/sick" -> req.response().setStatusCode(503).end("sick");
                default -> {} // /slow: never answers
              }
            });
  }

  @AfterEach
  void tearDown() {
    http.close();
    vertx.close().await();
  }

  private boolean probe(ProbeTarget t) throws Exception {
    CompletableFuture<Boolean> out = new CompletableFuture<>();
    context.runOnContext(v -> probes.probe(t).onComplete(ar -> out.complete(ar.result())));
    return out.get(10, TimeUnit.SECONDS);
  }

  private static HealthCheck fast(HealthCheck c) {
    return c.withTiming(Duration.ofMillis(100), Duration.ofMillis(300), Duration.ZERO);
  }

  private ProbeTarget httpTarget(String path) {
    return new ProbeTarget(
        "127.0.0.1", http.port(), fast(HealthCheck.http(path)), UpstreamProtocol.HTTP1, null);
  }

  @Test
  void an_http_probe_passes_on_2xx_and_3xx_and_fails_on_5xx() throws Exception {
    assertThat(probe(httpTarget("/ok"))).isTrue();
    assertThat(probe(httpTarget("/moved"))).isTrue();
    assertThat(probe(httpTarget("/sick"))).isFalse();
  }

  @Test
  void an_http_probe_passes_on_the_statuses_it_is_told_to_expect_and_sends_its_host()
      throws Exception {
    HealthCheck c =
        new HealthCheck(
            HealthCheck.Protocol.HTTP,
            "/sick",
            "health.internal",
            List.of(HealthCheck.StatusRange.of(503)),
            "",
            null,
            Duration.ofMillis(300),
            Duration.ZERO,
            3,
            2);
    assertThat(probe(new ProbeTarget("127.0.0.1", http.port(), c, UpstreamProtocol.HTTP1, null)))
        .isTrue();
    assertThat(lastHost.get()).isEqualTo("health.internal");
    assertThat(probe(httpTarget("/ok"))).isTrue();
    assertThat(lastHost.get()).isEqualTo("127.0.0.1");
  }

  @Test
  void a_probe_that_gets_no_answer_fails_at_its_timeout() throws Exception {
    long start = System.nanoTime();
    assertThat(probe(httpTarget("/slow"))).isFalse();
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(ms).isBetween(250L, 2_000L);
  }

  @Test
  void a_probe_of_a_closed_port_fails() throws Exception {
    int port = http.port();
    http.close();
    assertThat(probe(httpTarget("/ok"))).isFalse();
    ProbeTarget tcp =
        new ProbeTarget("127.0.0.1", port, fast(HealthCheck.tcp()), UpstreamProtocol.HTTP1, null);
    assertThat(probe(tcp)).isFalse();
  }

  @Test
  void a_probe_passes_again_once_the_closed_port_listens_again() throws Exception {
    assertThat(probe(httpTarget("/ok"))).isTrue();
    int port = http.port();
    http.close();
    assertThat(probe(httpTarget("/ok"))).isFalse();
    HttpServer again =
        vertx
            .createHttpServer()
            .requestHandler(req -> req.response().end("back"))
            .listen(port, "127.0.0.1")
            .await();
    try {
      ProbeTarget t =
          new ProbeTarget(
              "127.0.0.1", port, fast(HealthCheck.http("/ok")), UpstreamProtocol.HTTP1, null);
      assertThat(probe(t)).isTrue();
    } finally {
      again.close().await();
    }
  }

  @Test
  void a_tcp_probe_passes_when_the_port_accepts() throws Exception {
    NetServer server =
        vertx.createNetServer().connectHandler(s -> {}).listen(0, "127.0.0.1").await();
    try {
      ProbeTarget t =
          new ProbeTarget(
              "127.0.0.1",
              server.actualPort(),
              fast(HealthCheck.tcp()),
              UpstreamProtocol.HTTP1,
              null);
      assertThat(probe(t)).isTrue();
    } finally {
      server.close().await();
    }
  }

  @Test
  void a_tcp_probe_of_a_tls_backend_passes_only_when_the_handshake_verifies() throws Exception {
    TestPki ca = TestPki.ca("probe CA");
    TestPki other = TestPki.ca("other CA");
    TestPki.Issued cert = ca.server(List.of(), List.of("127.0.0.1"));
    NetServer server =
        vertx
            .createNetServer(
                new NetServerOptions()
                    .setSsl(true)
                    .setKeyCertOptions(
                        new PemKeyCertOptions()
                            .setCertValue(Buffer.buffer(cert.chainPem()))
                            .setKeyValue(Buffer.buffer(cert.keyPem()))))
            .connectHandler(socket -> {})
            .listen(0, "127.0.0.1")
            .await();
    try {
      // A first handshake on a cold, shared machine: more than the other probes' 300 ms.
      HealthCheck c =
          HealthCheck.tcp()
              .withTiming(Duration.ofMillis(100), Duration.ofSeconds(3), Duration.ZERO);
      int port = server.actualPort();
      assertThat(
              probe(
                  new ProbeTarget(
                      "127.0.0.1",
                      port,
                      c,
                      UpstreamProtocol.HTTP1,
                      UpstreamTls.withCa(ca.caPem()))))
          .isTrue();
      assertThat(
              probe(
                  new ProbeTarget(
                      "127.0.0.1",
                      port,
                      c,
                      UpstreamProtocol.HTTP1,
                      UpstreamTls.withCa(other.caPem()))))
          .as("a certificate the backend's CA did not issue")
          .isFalse();
    } finally {
      server.close().await();
    }
  }

  /**
   * A gRPC-ish upstream: a Vert.x HTTP/2 (h2c) server answering {@code grpc.health.v1.Health/Check}
   * as a gRPC server does (200, a length-prefixed response, grpc-status in the trailers): SERVING
   * for any service but "sick" (NOT_SERVING), UNIMPLEMENTED for "unknown".
   */
  private HttpServer grpcHealth(AtomicReference<String> asked) {
    return vertx
        .createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(true))
        .requestHandler(
            req ->
                req.body()
                    .onSuccess(
                        body -> {
                          byte[] b = body.getBytes();
                          String service = b.length > 7 ? new String(b, 7, b.length - 7) : "";
                          asked.set(
                              req.path() + " " + req.getHeader("content-type") + " " + service);
                          var resp = req.response().putHeader("content-type", "application/grpc");
                          if (service.equals("unknown")) {
                            resp.putHeader("grpc-status", "12").end();
                            return;
                          }
                          int status = service.equals("sick") ? 2 : GrpcHealthMessages.SERVING;
                          resp.write(Buffer.buffer(GrpcHealthMessages.response(status)));
                          resp.putTrailer("grpc-status", "0");
                          resp.end();
                        }))
        .listen(0, "127.0.0.1")
        .await();
  }

  private ProbeTarget grpcTarget(int port, String service) {
    HealthCheck c =
        new HealthCheck(
            HealthCheck.Protocol.GRPC,
            null,
            null,
            null,
            service,
            null,
            Duration.ofMillis(500),
            Duration.ZERO,
            3,
            2);
    return new ProbeTarget("127.0.0.1", port, c, UpstreamProtocol.H2C, null);
  }

  @Test
  void a_grpc_probe_passes_only_on_serving_with_grpc_status_ok() throws Exception {
    AtomicReference<String> asked = new AtomicReference<>();
    HttpServer server = grpcHealth(asked);
    try {
      assertThat(probe(grpcTarget(server.actualPort(), ""))).isTrue();
      assertThat(asked.get()).isEqualTo("/grpc.health.v1.Health/Check application/grpc ");
      assertThat(probe(grpcTarget(server.actualPort(), "app"))).isTrue();
      assertThat(asked.get()).endsWith(" app");
      assertThat(probe(grpcTarget(server.actualPort(), "sick"))).isFalse();
      assertThat(probe(grpcTarget(server.actualPort(), "unknown"))).isFalse();
    } finally {
      server.close().await();
    }
  }

  @Test
  void a_grpc_probe_of_a_plain_http1_server_fails() throws Exception {
    assertThat(probe(grpcTarget(http.port(), ""))).isFalse();
  }
}
