package io.gatehouse.testing;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An upstream for limit and smuggling tests. It records three things separately: every request head
 * as it arrives ({@link #heads()}), every request whose body arrived complete ({@link #take()}),
 * and every request whose body failed, i.e. was reset by the proxy ({@link #resets()}). Its own
 * parser limits are far above Gatehouse's so that a 431 or 414 can only come from Gatehouse.
 *
 * <p>{@code /delay/<ms>} answers after that many milliseconds; every other path answers at once
 * with 200 and the number of body bytes it received.
 */
public final class RecordingUpstream implements AutoCloseable {
  /** A complete request as the upstream saw it. */
  public record Complete(String method, String uri, MultiMap headers, Buffer body) {
    public String header(String name) {
      return headers.get(name);
    }
  }

  private final Vertx vertx;
  private final HttpServer server;
  private final List<String> heads = new CopyOnWriteArrayList<>();
  private final List<String> resets = new CopyOnWriteArrayList<>();
  private final BlockingQueue<Complete> complete = new LinkedBlockingQueue<>();

  public RecordingUpstream(Vertx vertx) {
    this.vertx = vertx;
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost("127.0.0.1")
            .setPort(0)
            .setMaxHeaderSize(1 << 20)
            .setMaxInitialLineLength(1 << 20);
    this.server = vertx.createHttpServer(options).requestHandler(this::handle);
    server.listen().await();
  }

  private void handle(HttpServerRequest req) {
    String uri = req.uri();
    heads.add(uri);
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(req.headers());
    req.body()
        .onComplete(
            ar -> {
              if (ar.failed()) {
                resets.add(uri);
                return;
              }
              Buffer body = ar.result();
              complete.add(new Complete(req.method().name(), uri, headers, body));
              long delay = 0;
              if (req.path().startsWith("/delay/")) {
                delay = Long.parseLong(req.path().substring("/delay/".length()));
              }
              Runnable answer =
                  () -> {
                    if (!req.response().closed()) {
                      req.response().end(Integer.toString(body.length()));
                    }
                  };
              if (delay > 0) {
                vertx.setTimer(delay, id -> answer.run());
              } else {
                answer.run();
              }
            });
  }

  public int port() {
    return server.actualPort();
  }

  public String address() {
    return "127.0.0.1:" + server.actualPort();
  }

  /** The request targets of every head received so far, complete or not. */
  public List<String> heads() {
    return heads;
  }

  /** The request targets whose body failed (the proxy reset the request). */
  public List<String> resets() {
    return resets;
  }

  /** The next complete request, waiting up to 10 s. */
  public Complete take() throws InterruptedException {
    Complete c = complete.poll(10, TimeUnit.SECONDS);
    if (c == null) {
      throw new AssertionError("upstream received no complete request within 10 s");
    }
    return c;
  }

  /** The next complete request if one arrives within {@code wait}, else null. */
  public Complete poll(Duration wait) throws InterruptedException {
    return complete.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Forgets everything recorded so far. */
  public void clear() {
    heads.clear();
    resets.clear();
    complete.clear();
  }

  @Override
  public void close() {
    server.close().await();
  }
}
