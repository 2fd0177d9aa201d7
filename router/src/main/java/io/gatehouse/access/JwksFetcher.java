package io.gatehouse.access;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Fetches JWK Sets for the node's {@link JwksCache}s with one small HTTP client of its own: a GET
 * with no redirect followed, {@code 200} only, the body bounded by {@link #MAX_BODY_BYTES}, and one
 * deadline for the whole exchange (connect, head and body), past which the request is reset. An
 * {@code https} URL is verified against the JVM's trust store and its host name.
 */
final class JwksFetcher implements AutoCloseable {
  /** A JWK Set larger than this is refused (a hundred RSA-4096 keys fit in about 80 KiB). */
  static final int MAX_BODY_BYTES = 256 * 1024;

  private final Vertx vertx;
  private final HttpClientAgent client;

  JwksFetcher(Vertx vertx) {
    this.vertx = vertx;
    this.client =
        vertx
            .httpClientBuilder()
            .with(
                new HttpClientOptions()
                    .setVerifyHost(true)
                    .setMaxHeaderSize(16 * 1024)
                    .setKeepAlive(true)
                    .setDecompressionSupported(false)
                    .setShared(false))
            .with(new PoolOptions().setHttp1MaxSize(4).setMaxWaitQueueSize(64))
            .build();
  }

  /** The body of a 200 answer from {@code uri}, or a failure, within {@code timeout}. */
  CompletionStage<String> fetch(String uri, Duration timeout) {
    CompletableFuture<String> out = new CompletableFuture<>();
    long ms = Math.max(1, timeout.toMillis());
    AtomicReference<@Nullable HttpClientRequest> sent = new AtomicReference<>();
    long timer =
        vertx.setTimer(
            ms,
            t -> {
              if (out.completeExceptionally(
                  new TimeoutException("no answer within " + ms + " ms"))) {
                HttpClientRequest r = sent.get();
                if (r != null) {
                  r.reset();
                }
              }
            });
    out.whenComplete((s, e) -> vertx.cancelTimer(timer));
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setAbsoluteURI(uri)
            .setFollowRedirects(false)
            .setConnectTimeout(ms)
            .setIdleTimeout(ms)
            .putHeader("accept", "application/jwk-set+json, application/json");
    client
        .request(options)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                out.completeExceptionally(ar.cause());
                return;
              }
              HttpClientRequest req = ar.result();
              // A reset (deadline, oversized body) reaches the handler: failed already, nothing
              // left to report.
              req.exceptionHandler(out::completeExceptionally);
              sent.set(req);
              if (out.isDone()) {
                req.reset();
                return;
              }
              req.send()
                  .onComplete(
                      rr -> {
                        if (rr.failed()) {
                          out.completeExceptionally(rr.cause());
                        } else {
                          read(rr.result(), req, out);
                        }
                      });
            });
    return out;
  }

  private static void read(
      HttpClientResponse resp, HttpClientRequest req, CompletableFuture<String> out) {
    resp.exceptionHandler(out::completeExceptionally); // a reset below reports here, not unhandled
    if (resp.statusCode() != 200) {
      out.completeExceptionally(new IllegalStateException("status " + resp.statusCode()));
      req.reset(); // the body is not wanted: drop the connection rather than read it
      return;
    }
    String declared = resp.getHeader("content-length");
    if (declared != null && tooLong(declared)) {
      out.completeExceptionally(
          new IllegalStateException("body over " + MAX_BODY_BYTES + " bytes (Content-Length)"));
      req.reset();
      return;
    }
    Buffer body = Buffer.buffer();
    resp.handler(
        chunk -> {
          if (out.isDone()) {
            return;
          }
          if (body.length() + chunk.length() > MAX_BODY_BYTES) {
            out.completeExceptionally(
                new IllegalStateException("body over " + MAX_BODY_BYTES + " bytes"));
            req.reset();
            return;
          }
          body.appendBuffer(chunk);
        });
    resp.endHandler(v -> out.complete(body.toString(StandardCharsets.UTF_8)));
  }

  private static boolean tooLong(String declared) {
    try {
      return Long.parseLong(declared.strip()) > MAX_BODY_BYTES;
    } catch (NumberFormatException e) {
      return true;
    }
  }

  @Override
  public void close() {
    client.close();
  }
}
