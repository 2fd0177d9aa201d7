package io.gatehouse.testing;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemKeyCertOptions;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A real HTTP upstream on 127.0.0.1:0 that records every request it receives. */
public final class TestUpstream implements AutoCloseable {
  /** What the upstream saw. */
  public record Recorded(
      String method, String uri, HttpVersion version, MultiMap headers, Buffer body) {
    public String header(String name) {
      return headers.get(name);
    }
  }

  private final Vertx vertx;
  private final BlockingQueue<Recorded> received = new LinkedBlockingQueue<>();
  private final HttpServer server;
  private volatile Handler<HttpServerRequest> handler;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger closedConnections = new AtomicInteger();
  private final AtomicInteger counted = new AtomicInteger();

  private TestUpstream(Vertx vertx, HttpServerOptions options, Handler<HttpServerRequest> h) {
    this.vertx = vertx;
    this.handler = h;
    this.server =
        vertx
            .createHttpServer(options.setHost("127.0.0.1").setPort(0))
            .connectionHandler(
                c -> {
                  connections.incrementAndGet();
                  c.closeHandler(v -> closedConnections.incrementAndGet());
                })
            .requestHandler(req -> handler.handle(req));
    server.listen().await();
  }

  /** Records each request with its whole body, then answers 200 with {@code name}. */
  public static TestUpstream named(Vertx vertx, String name) {
    return named(vertx, name, new HttpServerOptions());
  }

  /** As {@link #named(Vertx, String)}, with server options (TLS, client authentication). */
  public static TestUpstream named(Vertx vertx, String name, HttpServerOptions options) {
    TestUpstream[] self = new TestUpstream[1];
    self[0] =
        new TestUpstream(
            vertx,
            options,
            req ->
                req.body()
                    .onSuccess(
                        body -> {
                          self[0].record(req, body);
                          req.response()
                              .putHeader("content-type", "text/plain")
                              .putHeader("x-upstream", name)
                              .end(name);
                        }));
    return self[0];
  }

  /**
   * As {@link #named(Vertx, String)} over TLS with its own certificate ({@code certPem}, {@code
   * keyPem}): a backend that TLS passthrough must reach unterminated.
   */
  public static TestUpstream tls(Vertx vertx, String name, String certPem, String keyPem) {
    return named(
        vertx,
        name,
        new HttpServerOptions()
            .setSsl(true)
            .setKeyCertOptions(
                new PemKeyCertOptions()
                    .setCertValue(Buffer.buffer(certPem))
                    .setKeyValue(Buffer.buffer(keyPem))));
  }

  /**
   * Answers 200 with {@code name} like {@link #named(Vertx, String)}, but only counts requests: for
   * load that runs for a while, since the recorded requests (about 2 KB each) stay on the heap the
   * node under test shares, and enough of them trip the node's overload guard (heap above 95 %
   * after GC, answered 503).
   */
  public static TestUpstream counting(Vertx vertx, String name) {
    TestUpstream[] self = new TestUpstream[1];
    self[0] =
        new TestUpstream(
            vertx,
            new HttpServerOptions(),
            req ->
                req.end()
                    .onSuccess(
                        v -> {
                          self[0].counted.incrementAndGet();
                          req.response()
                              .putHeader("content-type", "text/plain")
                              .putHeader("x-upstream", name)
                              .end(name);
                        }));
    return self[0];
  }

  /** An upstream with a custom handler; call {@link #record} to record. */
  public static TestUpstream custom(Vertx vertx, Handler<HttpServerRequest> handler) {
    return new TestUpstream(vertx, new HttpServerOptions(), handler);
  }

  public static TestUpstream custom(
      Vertx vertx, HttpServerOptions options, Handler<HttpServerRequest> handler) {
    return new TestUpstream(vertx, options, handler);
  }

  public void record(HttpServerRequest req, Buffer body) {
    MultiMap copy = MultiMap.caseInsensitiveMultiMap().addAll(req.headers());
    received.add(new Recorded(req.method().name(), req.uri(), req.version(), copy, body));
  }

  public void handler(Handler<HttpServerRequest> h) {
    this.handler = h;
  }

  /** Connections accepted so far. */
  public int connections() {
    return connections.get();
  }

  /** Connections accepted so far that have closed since. */
  public int closedConnections() {
    return closedConnections.get();
  }

  public int port() {
    return server.actualPort();
  }

  public String address() {
    return "127.0.0.1:" + port();
  }

  /** The next recorded request, waiting up to 10 s. */
  public Recorded take() throws InterruptedException {
    Recorded r = received.poll(10, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("upstream received nothing within 10 s");
    }
    return r;
  }

  /** Whether nothing was recorded (now). */
  public boolean receivedNothing() {
    return received.isEmpty();
  }

  /** Requests recorded, or counted by a {@link #counting} upstream. */
  public int count() {
    return received.size() + counted.get();
  }

  public Vertx vertx() {
    return vertx;
  }

  @Override
  public void close() {
    server.close().await();
  }
}
