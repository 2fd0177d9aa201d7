package io.gatehouse.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.TestPki;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.Compressor;
import io.opentelemetry.sdk.common.export.HttpSenderConfig;
import io.opentelemetry.sdk.common.export.MessageWriter;
import io.opentelemetry.sdk.common.export.ProxyOptions;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The exporter's transport on the node's Vert.x client against a collector that answers what each
 * test says: the request a collector sees through the whole exporter, then the sender alone: the
 * statuses retried (429, 502, 503, 504) and those not, the policy's attempts, and each attempt
 * bounded by the timeout when the collector never answers.
 */
@Timeout(60)
class VertxHttpSenderIT {
  private Vertx vertx;
  private HttpServer collector;

  /** Statuses the collector answers, in order; 200 once they run out. */
  private final Queue<Integer> answers = new ArrayDeque<>();

  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private volatile boolean silent;

  record Seen(String method, String path, String contentType, String team, int bytes) {}

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    collector =
        vertx
            .createHttpServer()
            .requestHandler(this::answer)
            .listen(0, "127.0.0.1")
            .await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    collector.close().await(10, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private void answer(HttpServerRequest req) {
    req.body()
        .onSuccess(
            body -> {
              seen.add(
                  new Seen(
                      req.method().name(),
                      req.uri(),
                      req.getHeader("content-type"),
                      req.getHeader("x-team"),
                      body.length()));
              if (silent) {
                return; // never answers
              }
              Integer status;
              synchronized (answers) {
                status = answers.poll();
              }
              req.response().setStatusCode(status == null ? 200 : status).end();
            });
  }

  private OtlpTracing tracing(Duration exportTimeout) {
    return OtlpTracing.start(
        new TracingOptions(
            "http://127.0.0.1:" + collector.actualPort() + "/v1/traces?tenant=a",
            1.0,
            true,
            "sender-test",
            "test",
            Duration.ofSeconds(30),
            exportTimeout,
            64,
            Map.of("x-team", "abc")),
        vertx);
  }

  /** One traced exchange, then a flush; true when the collector took the batch. */
  private static boolean exportOne(OtlpTracing t) {
    ExchangeTracerTest.proxied(t.observer(), new FakeExchange(), 200);
    CompletableResultCode r = t.flush().join(45, TimeUnit.SECONDS);
    return r.isDone() && r.isSuccess();
  }

  @Test
  void a_batch_is_posted_as_otlp_protobuf_with_the_configured_headers() {
    OtlpTracing t = tracing(Duration.ofSeconds(10));
    try {
      assertThat(exportOne(t)).isTrue();
    } finally {
      t.shutdown().join(10, TimeUnit.SECONDS);
    }
    assertThat(seen).hasSize(1);
    Seen s = seen.get(0);
    assertThat(s.method()).isEqualTo("POST");
    assertThat(s.path()).isEqualTo("/v1/traces?tenant=a");
    assertThat(s.contentType()).isEqualTo("application/x-protobuf");
    assertThat(s.team()).isEqualTo("abc");
    assertThat(s.bytes()).isGreaterThan(100); // a server and a client span with attributes
  }

  /** What a send ended with: a response's status, or a failure. */
  private CompletableFuture<Object> send(RetryPolicy retry, Duration timeout) {
    return send(new VertxHttpSender(vertx, config(retry, timeout)));
  }

  private static CompletableFuture<Object> send(VertxHttpSender sender) {
    CompletableFuture<Object> out = new CompletableFuture<>();
    byte[] message = "not really protobuf".getBytes(StandardCharsets.US_ASCII);
    sender.send(
        new MessageWriter() {
          @Override
          public void writeMessage(OutputStream o) throws IOException {
            o.write(message);
          }

          @Override
          public int getContentLength() {
            return message.length;
          }
        },
        r -> out.complete(r.getStatusCode()),
        out::complete);
    out.whenComplete((r, e) -> sender.shutdown());
    return out;
  }

  private static final RetryPolicy FAST =
      RetryPolicy.builder()
          .setMaxAttempts(4)
          .setInitialBackoff(Duration.ofMillis(10))
          .setMaxBackoff(Duration.ofMillis(50))
          .build();

  @Test
  void unavailable_and_throttled_answers_are_retried_until_one_succeeds() throws Exception {
    synchronized (answers) {
      answers.addAll(List.of(503, 429, 502));
    }
    assertThat(send(FAST, Duration.ofSeconds(10)).get(30, TimeUnit.SECONDS)).isEqualTo(200);
    assertThat(seen).hasSize(4);
    assertThat(seen).extracting(Seen::bytes).containsOnly("not really protobuf".length());
  }

  @Test
  void a_refused_batch_is_answered_at_once_and_not_retried() throws Exception {
    synchronized (answers) {
      answers.addAll(List.of(400, 200));
    }
    assertThat(send(FAST, Duration.ofSeconds(10)).get(30, TimeUnit.SECONDS)).isEqualTo(400);
    assertThat(seen).hasSize(1);
  }

  @Test
  void retries_stop_at_the_policys_attempts_with_the_last_answer() throws Exception {
    synchronized (answers) {
      answers.addAll(List.of(503, 503, 503, 503, 200));
    }
    assertThat(send(FAST, Duration.ofSeconds(10)).get(30, TimeUnit.SECONDS)).isEqualTo(503);
    assertThat(seen).hasSize(4);
  }

  @Test
  void a_collector_that_never_answers_fails_each_attempt_at_the_timeout() throws Exception {
    silent = true;
    long t0 = System.nanoTime();
    Object outcome = send(FAST, Duration.ofMillis(300)).get(30, TimeUnit.SECONDS);
    assertThat(outcome).isInstanceOf(TimeoutException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - t0))
        .isGreaterThanOrEqualTo(Duration.ofMillis(4 * 300))
        .isLessThan(Duration.ofSeconds(15));
    assertThat(seen).hasSize(4);
  }

  @Test
  void a_collector_that_is_down_fails_after_the_retries() throws Exception {
    int port = collector.actualPort();
    collector.close().await(10, TimeUnit.SECONDS);
    Object outcome = send(FAST, Duration.ofSeconds(5)).get(30, TimeUnit.SECONDS);
    assertThat(outcome).isInstanceOf(java.net.ConnectException.class);
    assertThat(port).isPositive();
  }

  @Test
  void an_https_collector_is_trusted_only_by_its_ca_and_for_its_own_name() throws Exception {
    TestPki ca = TestPki.ca("collector-ca");
    TestPki.Issued cert = ca.server(List.of("localhost"), List.of());
    HttpServer tls =
        vertx
            .createHttpServer(
                new HttpServerOptions()
                    .setSsl(true)
                    .setKeyCertOptions(
                        new PemKeyCertOptions()
                            .setCertValue(Buffer.buffer(cert.certPem()))
                            .setKeyValue(Buffer.buffer(cert.keyPem()))))
            .requestHandler(this::answer)
            .listen(0, "127.0.0.1")
            .await(10, TimeUnit.SECONDS);
    try {
      RetryPolicy once =
          RetryPolicy.builder().setMaxAttempts(2).build(); // TLS failures: never retried
      HttpSenderConfig byName =
          config(once, Duration.ofSeconds(5), "https://localhost", tls.actualPort());
      HttpSenderConfig byIp =
          config(once, Duration.ofSeconds(5), "https://127.0.0.1", tls.actualPort());
      assertThat(send(new VertxHttpSender(vertx, byName, trusting(ca))).get(30, TimeUnit.SECONDS))
          .isEqualTo(200);
      // Another CA's trust (the JVM's own store does not hold this test CA either) and a name
      // the certificate does not carry are refused before a byte of the batch is sent.
      assertThat(
              send(new VertxHttpSender(vertx, byName, trusting(TestPki.ca("other"))))
                  .get(30, TimeUnit.SECONDS))
          .isInstanceOf(Throwable.class);
      assertThat(send(new VertxHttpSender(vertx, byName)).get(30, TimeUnit.SECONDS))
          .isInstanceOf(Throwable.class);
      assertThat(send(new VertxHttpSender(vertx, byIp, trusting(ca))).get(30, TimeUnit.SECONDS))
          .isInstanceOf(Throwable.class);
      assertThat(seen).hasSize(1);
    } finally {
      tls.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static X509TrustManager trusting(TestPki ca) throws Exception {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    store.setCertificateEntry("ca", ca.caCert().cert());
    TrustManagerFactory f =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    f.init(store);
    return (X509TrustManager) f.getTrustManagers()[0];
  }

  private HttpSenderConfig config(RetryPolicy retry, Duration timeout) {
    return config(retry, timeout, "http://127.0.0.1", collector.actualPort());
  }

  private static HttpSenderConfig config(
      RetryPolicy retry, Duration timeout, String base, int port) {
    URI endpoint = URI.create(base + ":" + port + "/v1/traces");
    return new HttpSenderConfig() {
      @Override
      public URI getEndpoint() {
        return endpoint;
      }

      @Override
      public String getContentType() {
        return "application/x-protobuf";
      }

      @Override
      public @Nullable Compressor getCompressor() {
        return null;
      }

      @Override
      public Duration getTimeout() {
        return timeout;
      }

      @Override
      public Duration getConnectTimeout() {
        return Duration.ofSeconds(5);
      }

      @Override
      public Supplier<Map<String, List<String>>> getHeadersSupplier() {
        return Map::of;
      }

      @Override
      public @Nullable ProxyOptions getProxyOptions() {
        return null;
      }

      @Override
      public RetryPolicy getRetryPolicy() {
        return retry;
      }

      @Override
      public @Nullable SSLContext getSslContext() {
        return null;
      }

      @Override
      public @Nullable X509TrustManager getTrustManager() {
        return null;
      }

      @Override
      public @Nullable ExecutorService getExecutorService() {
        return null;
      }
    };
  }
}
