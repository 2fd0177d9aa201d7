package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.UpstreamTls;
import io.gatehouse.node.NodeConfig;
import io.gatehouse.testing.GrpcEcho;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.TestPki;
import io.gatehouse.testing.TestUpstream;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import java.io.ByteArrayInputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * gRPC through the node with grpc-java on both sides: every kind of call, an error status with a
 * non-ASCII message and trailing metadata, deadlines and cancellation, and Gatehouse's own answers
 * (no endpoint, refused connection, the call's grpc-timeout) as gRPC statuses. Two paths: a
 * plaintext client (h2c, prior knowledge) to an h2c upstream, and a TLS client (ALPN h2) to an
 * upstream over TLS (h2 by ALPN, verified against its CA).
 */
@Timeout(120)
class GrpcIT {
  static Vertx vertx;
  static GrpcEcho plainUpstream;
  static GrpcEcho tlsUpstream;
  static TestUpstream trailing;
  static TestUpstream trailingH1;
  static final BlockingQueue<String> seenTe = new LinkedBlockingQueue<>();
  static NodeFixture node;
  static final Map<String, ManagedChannel> channels =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** A client-to-upstream path through the node. */
  enum Path {
    H2C("h2c.grpc.example"),
    TLS("tls.grpc.example");

    final String host;

    Path(String host) {
      this.host = host;
    }

    GrpcEcho upstream() {
      return this == H2C ? plainUpstream : tlsUpstream;
    }

    ManagedChannel channel() {
      return GrpcIT.channel(this == TLS, host);
    }
  }

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    TestPki pki = TestPki.ca("grpc-upstream-ca");
    TestPki.Issued cert = pki.server(List.of("localhost"), List.of("127.0.0.1"));
    plainUpstream = GrpcEcho.start(InsecureServerCredentials.create());
    tlsUpstream =
        GrpcEcho.start(
            TlsServerCredentials.create(
                new ByteArrayInputStream(cert.chainPem().getBytes(StandardCharsets.US_ASCII)),
                new ByteArrayInputStream(cert.keyPem().getBytes(StandardCharsets.US_ASCII))));
    // Plain HTTP/2 and HTTP/1.1 upstreams that end their responses with trailers.
    trailing =
        TestUpstream.custom(
            vertx,
            new HttpServerOptions().setHttp2ClearTextEnabled(true),
            req -> {
              if (req.path().endsWith("/Slow")) {
                // Never answers, and keeps no deadline of its own (unlike a grpc-java server).
                return;
              }
              seenTe.add(String.valueOf(req.getHeader("te")));
              req.response().putHeader("content-type", "application/grpc").write("body");
              req.response().putTrailer("x-trailer", "h2-" + req.path()).end();
            });
    trailingH1 =
        TestUpstream.custom(
            vertx,
            req -> {
              seenTe.add(String.valueOf(req.getHeader("te")));
              req.response().setChunked(true).write("body");
              req.response().putTrailer("x-trailer", "h1-" + req.path()).end();
            });
    int refused;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      refused = s.getLocalPort();
    }
    node =
        NodeFixture.start(
            c ->
                c.withHttp2(new NodeConfig.Http2(true, 100, 64 * 1024, 1024 * 1024))
                    .withTls(
                        new NodeConfig.Tls(
                            true,
                            "127.0.0.1",
                            0,
                            "",
                            "",
                            NodeConfig.Tls.Engine.AUTO,
                            Duration.ofSeconds(2))),
            route(Path.H2C.host, UpstreamProtocol.H2C, plainUpstream.port(), null),
            route(Path.TLS.host, UpstreamProtocol.H2, tlsUpstream.port(), pki.caPem()),
            route("refused.grpc.example", UpstreamProtocol.H2C, refused, null),
            route("trailers-h2.example", UpstreamProtocol.H2C, trailing.port(), null),
            route("trailers-h1.example", UpstreamProtocol.HTTP1, trailingH1.port(), null),
            NodeFixture.valid(
                RouteSpec.simple(
                    RouteKey.of("default", "cli", "none"),
                    List.of("none.grpc.example"),
                    List.of(PathMatch.prefix("/")),
                    new BackendSpec(UpstreamProtocol.H2C, List.of()))));
  }

  private static RouteSpec route(String host, UpstreamProtocol protocol, int port, String caPem) {
    return NodeFixture.valid(
        RouteSpec.simple(
            RouteKey.of("default", "cli", host.replace('.', '-')),
            List.of(host),
            List.of(PathMatch.prefix("/")),
            new BackendSpec(
                protocol,
                List.of(Endpoint.of("127.0.0.1", port)),
                caPem == null ? null : UpstreamTls.withCa(caPem))));
  }

  static ManagedChannel channel(boolean tls, String authority) {
    return channels.computeIfAbsent(
        tls + authority,
        k ->
            Grpc.newChannelBuilderForAddress(
                    "127.0.0.1",
                    tls ? node.httpsPort() : node.port(),
                    tls
                        ? TlsChannelCredentials.newBuilder()
                            .trustManager(new TrustAnyName())
                            .build()
                        : InsecureChannelCredentials.create())
                .overrideAuthority(authority)
                .build());
  }

  @AfterAll
  static void stop() throws Exception {
    for (ManagedChannel c : channels.values()) {
      c.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    node.close();
    plainUpstream.close();
    tlsUpstream.close();
    trailing.close();
    trailingH1.close();
    vertx.close().await();
  }

  /** Every call has a deadline, so a lost answer fails the test instead of hanging it. */
  private static CallOptions options() {
    return CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void unary_call_gets_its_answer_and_ok_status(Path path) {
    assertThat(ClientCalls.blockingUnaryCall(path.channel(), GrpcEcho.UNARY, options(), "hello"))
        .isEqualTo("echo:hello");
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void server_streaming_reaches_the_client_message_by_message(Path path) {
    path.upstream().releaseRest = new CompletableFuture<>();
    Iterator<String> answers =
        ClientCalls.blockingServerStreamingCall(
            path.channel(), GrpcEcho.SERVER_STREAM, options(), "3");
    // The upstream holds the rest back until the client has the first message: not buffered.
    assertThat(answers.next()).isEqualTo("first");
    path.upstream().releaseRest.complete(null);
    List<String> rest = new ArrayList<>();
    answers.forEachRemaining(rest::add);
    assertThat(rest).containsExactly("m1", "m2", "m3");
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void client_streaming_delivers_every_message_and_the_answer(Path path) throws Exception {
    Collector answers = new Collector();
    StreamObserver<String> requests =
        ClientCalls.asyncClientStreamingCall(
            path.channel().newCall(GrpcEcho.CLIENT_STREAM, options()), answers);
    for (String m : List.of("a", "b", "c", "d")) {
      requests.onNext(m);
    }
    requests.onCompleted();
    assertThat(answers.done.get(30, TimeUnit.SECONDS)).containsExactly("a,b,c,d");
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void bidirectional_streaming_answers_each_message_before_the_next_is_sent(Path path)
      throws Exception {
    Collector answers = new Collector();
    StreamObserver<String> requests =
        ClientCalls.asyncBidiStreamingCall(
            path.channel().newCall(GrpcEcho.BIDI, options()), answers);
    for (int i = 1; i <= 5; i++) {
      requests.onNext("ping" + i);
      assertThat(answers.each.poll(30, TimeUnit.SECONDS)).isEqualTo("pong:ping" + i);
    }
    requests.onCompleted();
    assertThat(answers.done.get(30, TimeUnit.SECONDS)).hasSize(5);
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void an_error_status_reaches_the_client_with_its_message_and_trailers(Path path) {
    String message = "bad input: ünïcødé ✓ 100% \"quoted\"";
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> ClientCalls.blockingUnaryCall(path.channel(), GrpcEcho.FAIL, options(), message));
    assertThat(e).as("the call must fail").isNotNull();
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).isEqualTo(message);
    assertThat(e.getTrailers().get(GrpcEcho.DETAIL)).isEqualTo("detail-of-" + message.length());
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void a_call_past_its_deadline_is_deadline_exceeded_and_cancelled_upstream(Path path)
      throws Exception {
    String request = "deadline-" + path;
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                ClientCalls.blockingUnaryCall(
                    path.channel(),
                    GrpcEcho.SLOW,
                    CallOptions.DEFAULT.withDeadlineAfter(500, TimeUnit.MILLISECONDS),
                    request));
    assertThat(e).as("the call must fail").isNotNull();
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    awaitItem(path.upstream().cancelled, request, 30);
  }

  /**
   * A call cancelled by the client without a deadline (so the upstream has no timer of its own) is
   * cancelled upstream promptly, well before the route's 15 s response timeout.
   */
  @ParameterizedTest
  @EnumSource(Path.class)
  void a_call_the_client_cancels_is_cancelled_upstream(Path path) throws Exception {
    String request = "cancel-" + path;
    ClientCall<String, String> call = path.channel().newCall(GrpcEcho.SLOW, CallOptions.DEFAULT);
    Collector answers = new Collector();
    ClientCalls.asyncUnaryCall(call, request, answers);
    awaitItem(path.upstream().started, request, 30);
    call.cancel("test cancels", null);
    awaitItem(path.upstream().cancelled, request, 10);
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void a_route_without_endpoints_is_unavailable(Path path) {
    StatusRuntimeException e = failedCall(path == Path.TLS, "none.grpc.example");
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(e.getStatus().getDescription()).isEqualTo("gatehouse: 503 Service Unavailable");
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void an_upstream_that_refuses_connections_is_unavailable(Path path) {
    StatusRuntimeException e = failedCall(path == Path.TLS, "refused.grpc.example");
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(e.getStatus().getDescription()).isEqualTo("gatehouse: 502 Bad Gateway");
  }

  private static StatusRuntimeException failedCall(boolean tls, String host) {
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                ClientCalls.blockingUnaryCall(
                    channel(tls, host), GrpcEcho.UNARY, options(), "hello"));
    assertThat(e).as("the call must fail").isNotNull();
    return e;
  }

  /**
   * A client that sets grpc-timeout but never cancels (the proxy must keep the call's deadline
   * itself) gets DEADLINE_EXCEEDED in a Trailers-Only answer, long before the route's timeout.
   */
  @Test
  void the_node_keeps_the_calls_grpc_timeout() throws Exception {
    HttpClientAgent client = h2cClient();
    long started = System.nanoTime();
    HttpClientResponse resp =
        client
            .request(grpcRequest("/" + GrpcEcho.SERVICE + "/Slow"))
            .compose(
                r ->
                    r.authority(HostAndPort.create("trailers-h2.example", node.port()))
                        .putHeader("grpc-timeout", "300m")
                        .send(grpcFrame("proxy-deadline"))
                        .compose(x -> x.body().map(b -> x)))
            .await(30, TimeUnit.SECONDS);
    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(resp.getHeader("content-type")).isEqualTo("application/grpc");
    assertThat(resp.getHeader("grpc-status")).isEqualTo("4");
    assertThat(resp.getHeader("grpc-message")).isEqualTo("gatehouse: 504 Gateway Timeout");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    client.close().await();
  }

  @ParameterizedTest
  @EnumSource(
      value = HttpVersion.class,
      names = {"HTTP_1_1", "HTTP_2"})
  void trailers_of_an_http2_upstream_reach_the_client_and_te_trailers_reaches_it(
      HttpVersion version) throws Exception {
    seenTe.clear();
    Answer a = trailersCall(version, "trailers-h2.example");
    assertThat(a.body).isEqualTo("body");
    assertThat(a.trailer).isEqualTo("h2-/t");
    assertThat(seenTe.poll(10, TimeUnit.SECONDS)).isEqualTo("trailers");
  }

  @Test
  void trailers_of_an_http1_upstream_reach_an_http2_client_and_te_stays_hop_by_hop()
      throws Exception {
    seenTe.clear();
    Answer a = trailersCall(HttpVersion.HTTP_2, "trailers-h1.example");
    assertThat(a.body).isEqualTo("body");
    assertThat(a.trailer).isEqualTo("h1-/t");
    assertThat(seenTe.poll(10, TimeUnit.SECONDS)).isEqualTo("null");
  }

  record Answer(String body, String trailer) {}

  private static Answer trailersCall(HttpVersion version, String host) throws Exception {
    HttpClientAgent client =
        vertx.createHttpClient(
            new HttpClientOptions().setProtocolVersion(version).setHttp2ClearTextUpgrade(false));
    try {
      return client
          .request(grpcRequest("/t").setMethod(HttpMethod.GET))
          // Nested: body() asked for as the head arrives (LateResponseBodyIT).
          .compose(
              r ->
                  r.authority(HostAndPort.create(host, node.port()))
                      .send()
                      .compose(
                          resp ->
                              resp.body()
                                  .map(
                                      b -> new Answer(b.toString(), resp.getTrailer("x-trailer")))))
          .await(30, TimeUnit.SECONDS);
    } finally {
      client.close().await();
    }
  }

  private static HttpClientAgent h2cClient() {
    return vertx.createHttpClient(
        new HttpClientOptions()
            .setProtocolVersion(HttpVersion.HTTP_2)
            .setHttp2ClearTextUpgrade(false));
  }

  private static RequestOptions grpcRequest(String path) {
    return new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setHost("127.0.0.1")
        .setPort(node.port())
        .setURI(path)
        .putHeader("content-type", "application/grpc")
        .putHeader("te", "trailers");
  }

  /** One uncompressed gRPC message: flag 0, 4-byte length, the bytes. */
  private static Buffer grpcFrame(String message) {
    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
    return Buffer.buffer().appendByte((byte) 0).appendInt(bytes.length).appendBytes(bytes);
  }

  /**
   * Trusts the node's default certificate for any name: the gRPC client checks the host name itself
   * unless the trust manager is an extended one (trust is not under test here).
   */
  static final class TrustAnyName extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }

  /** Waits for {@code expected} in {@code queue}, skipping what earlier tests left there. */
  private static void awaitItem(BlockingQueue<String> queue, String expected, long seconds)
      throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<String> seen = new ArrayList<>();
    for (long left = end - System.nanoTime(); left > 0; left = end - System.nanoTime()) {
      String item = queue.poll(left, TimeUnit.NANOSECONDS);
      if (expected.equals(item)) {
        return;
      }
      if (item != null) {
        seen.add(item);
      }
    }
    assertThat(seen).as("waited " + seconds + " s for " + expected).contains(expected);
  }

  /** Collects a call's answers: each as it arrives, and all of them once the call ends OK. */
  static final class Collector implements StreamObserver<String> {
    final BlockingQueue<String> each = new LinkedBlockingQueue<>();
    final List<String> all = new ArrayList<>();
    final CompletableFuture<List<String>> done = new CompletableFuture<>();

    @Override
    public synchronized void onNext(String value) {
      all.add(value);
      each.add(value);
    }

    @Override
    public void onError(Throwable t) {
      done.completeExceptionally(t);
    }

    @Override
    public synchronized void onCompleted() {
      done.complete(List.copyOf(all));
    }
  }
}
