package io.gatehouse.trace;

import io.opentelemetry.common.ComponentLoader;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.Compressor;
import io.opentelemetry.sdk.common.export.HttpResponse;
import io.opentelemetry.sdk.common.export.HttpSender;
import io.opentelemetry.sdk.common.export.HttpSenderConfig;
import io.opentelemetry.sdk.common.export.HttpSenderProvider;
import io.opentelemetry.sdk.common.export.MessageWriter;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.TrustOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.jspecify.annotations.Nullable;

/**
 * The OTLP exporter's HTTP transport on the node's own Vert.x HTTP client, in place of the SDK's
 * JDK {@code HttpClient} sender: the exporter keeps marshalling, headers, compression and the retry
 * policy's parameters; this class only POSTs. Why: at 1 % sampling a node exports about once a
 * second, too rarely for the JIT to compile the JDK client's code, which ran interpreted and kept
 * the compilers busy for minutes (117 of its methods compiled after two minutes of load; its three
 * threads took about 3 ms of CPU per export), while the Vert.x client is the proxy's own upstream
 * client and always compiled. At most one connection: the batch processor sends one batch at a
 * time.
 */
final class VertxHttpSender implements HttpSender {
  /** The statuses OTLP/HTTP says to retry (the SDK's own senders retry the same). */
  private static final List<Integer> RETRYABLE = List.of(429, 502, 503, 504);

  /** The most of a response body kept: collectors answer errors in a few hundred bytes. */
  private static final int MAX_BODY = 64 * 1024;

  private final Vertx vertx;
  private final HttpSenderConfig config;
  private final HttpClient client;
  private final URI endpoint;

  VertxHttpSender(Vertx vertx, HttpSenderConfig config) {
    this(vertx, config, jvmTrust());
  }

  /** With {@code trust} deciding which collectors' certificates are trusted (tests). */
  VertxHttpSender(Vertx vertx, HttpSenderConfig config, X509TrustManager trust) {
    this.vertx = vertx;
    this.config = config;
    this.endpoint = config.getEndpoint();
    if (config.getSslContext() != null || config.getProxyOptions() != null) {
      // Gatehouse sets neither: a setting this sender cannot honour is refused, never dropped.
      throw new IllegalArgumentException("custom TLS and proxy settings for the OTLP exporter");
    }
    boolean tls = "https".equalsIgnoreCase(endpoint.getScheme());
    HttpClientOptions options =
        new HttpClientOptions()
            .setSsl(tls)
            .setConnectTimeout((int) Math.max(1, config.getConnectTimeout().toMillis()))
            .setKeepAlive(true);
    if (tls) {
      // Explicitly the JVM's trust store: what the JDK client trusted, with host names verified.
      options.setTrustOptions(TrustOptions.wrap(trust)).setVerifyHost(true);
    }
    this.client = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(1));
  }

  /** The JVM's default trust manager (its {@code cacerts}, or {@code javax.net.ssl.trustStore}). */
  private static X509TrustManager jvmTrust() {
    try {
      TrustManagerFactory f =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      f.init((KeyStore) null);
      for (TrustManager m : f.getTrustManagers()) {
        if (m instanceof X509TrustManager x) {
          return x;
        }
      }
      throw new IllegalStateException("the JVM has no X.509 trust manager");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JVM's trust store cannot be read", e);
    }
  }

  /** Provides this sender to the OTLP exporter builder, with the node's Vert.x. */
  static ComponentLoader loader(Vertx vertx) {
    ComponentLoader others = ComponentLoader.forClassLoader(VertxHttpSender.class.getClassLoader());
    return new ComponentLoader() {
      @Override
      @SuppressWarnings("unchecked")
      public <T> Iterable<T> load(Class<T> spi) {
        if (spi == HttpSenderProvider.class) {
          HttpSenderProvider p = c -> new VertxHttpSender(vertx, c);
          return List.of((T) p);
        }
        return others.load(spi);
      }
    };
  }

  @Override
  public void send(
      MessageWriter writer, Consumer<HttpResponse> onResponse, Consumer<Throwable> onError) {
    Buffer body;
    String encoding = null;
    try {
      // On the batch processor's thread: the event loop only sends the bytes.
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(writer.getContentLength());
      Compressor compressor = config.getCompressor();
      if (compressor != null) {
        encoding = compressor.getEncoding();
        try (OutputStream out = compressor.compress(bytes)) {
          writer.writeMessage(out);
        }
      } else {
        writer.writeMessage(bytes);
      }
      body = Buffer.buffer(bytes.toByteArray());
    } catch (IOException | RuntimeException e) {
      onError.accept(e);
      return;
    }
    attempt(body, encoding, 1, initialBackoffNanos(), onResponse, onError);
  }

  private void attempt(
      Buffer body,
      @Nullable String encoding,
      int attempt,
      long backoffNanos,
      Consumer<HttpResponse> onResponse,
      Consumer<Throwable> onError) {
    post(body, encoding)
        .onComplete(
            ar -> {
              RetryPolicy policy = config.getRetryPolicy();
              boolean more = policy != null && attempt < policy.getMaxAttempts();
              if (ar.succeeded()) {
                HttpResponse r = ar.result();
                if (policy != null && more && RETRYABLE.contains(r.getStatusCode())) {
                  retry(policy, body, encoding, attempt, backoffNanos, onResponse, onError);
                } else {
                  onResponse.accept(r);
                }
              } else if (policy != null && more && retryable(policy, ar.cause())) {
                retry(policy, body, encoding, attempt, backoffNanos, onResponse, onError);
              } else {
                onError.accept(ar.cause());
              }
            });
  }

  private void retry(
      RetryPolicy policy,
      Buffer body,
      @Nullable String encoding,
      int attempt,
      long backoffNanos,
      Consumer<HttpResponse> onResponse,
      Consumer<Throwable> onError) {
    // Full jitter, as the SDK's senders: a random wait up to the current back-off.
    long waitMs = Math.max(1, ThreadLocalRandom.current().nextLong(backoffNanos) / 1_000_000);
    long next =
        Math.min(
            (long) (backoffNanos * policy.getBackoffMultiplier()),
            policy.getMaxBackoff().toNanos());
    vertx.setTimer(waitMs, t -> attempt(body, encoding, attempt + 1, next, onResponse, onError));
  }

  private long initialBackoffNanos() {
    RetryPolicy policy = config.getRetryPolicy();
    return policy == null ? 1 : Math.max(1, policy.getInitialBackoff().toNanos());
  }

  private static boolean retryable(RetryPolicy policy, Throwable cause) {
    var predicate = policy.getRetryExceptionPredicate();
    if (predicate != null) {
      return cause instanceof IOException io && predicate.test(io);
    }
    // As the SDK's default: failures to connect and timeouts, not a refused request.
    return cause instanceof ConnectException
        || cause instanceof TimeoutException
        || cause instanceof io.netty.channel.ConnectTimeoutException
        || cause instanceof io.vertx.core.http.HttpClosedException;
  }

  private Future<HttpResponse> post(Buffer body, @Nullable String encoding) {
    int port = endpoint.getPort();
    boolean tls = "https".equalsIgnoreCase(endpoint.getScheme());
    String path =
        endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty()
            ? "/"
            : endpoint.getRawPath();
    if (endpoint.getRawQuery() != null) {
      path += "?" + endpoint.getRawQuery();
    }
    RequestOptions request =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setHost(endpoint.getHost())
            .setPort(port > 0 ? port : tls ? 443 : 80)
            .setSsl(tls)
            .setURI(path)
            .setIdleTimeout(timeoutMs())
            .putHeader("Content-Type", config.getContentType());
    if (encoding != null) {
      request.putHeader("Content-Encoding", encoding);
    }
    Map<String, List<String>> headers = config.getHeadersSupplier().get();
    if (headers != null) {
      headers.forEach((name, values) -> values.forEach(v -> request.addHeader(name, v)));
    }
    return client
        .request(request)
        .compose(req -> req.send(body))
        .compose(VertxHttpSender::bounded)
        .timeout(timeoutMs(), TimeUnit.MILLISECONDS);
  }

  private long timeoutMs() {
    return Math.max(1, config.getTimeout().toMillis());
  }

  /** The response with at most {@link #MAX_BODY} bytes of its body kept; the rest is read away. */
  private static Future<HttpResponse> bounded(HttpClientResponse r) {
    Buffer kept = Buffer.buffer();
    r.handler(
        chunk -> {
          int room = MAX_BODY - kept.length();
          if (room > 0) {
            kept.appendBuffer(chunk.length() <= room ? chunk : chunk.getBuffer(0, room));
          }
        });
    return r.end().map(v -> response(r.statusCode(), r, kept));
  }

  private static HttpResponse response(int status, HttpClientResponse r, Buffer body) {
    String message = r.statusMessage();
    byte[] bytes = body.getBytes();
    return new HttpResponse() {
      @Override
      public int getStatusCode() {
        return status;
      }

      @Override
      public String getStatusMessage() {
        return message == null ? "" : message;
      }

      @Override
      public byte[] getResponseBody() {
        return bytes;
      }
    };
  }

  @Override
  public CompletableResultCode shutdown() {
    CompletableResultCode done = new CompletableResultCode();
    client.close().onComplete(ar -> done.succeed());
    return done;
  }
}
