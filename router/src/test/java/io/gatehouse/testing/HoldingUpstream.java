package io.gatehouse.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream on 127.0.0.1:0 (one or more listeners sharing one state) that holds every request,
 * body read, until the test releases it with a status: it counts the requests received, the most
 * held at once and the most connections open at once, so a test can assert what a limit let
 * through.
 */
public final class HoldingUpstream implements AutoCloseable {
  private final List<HttpServer> servers = new ArrayList<>();
  private final ConcurrentLinkedQueue<HttpServerRequest> held = new ConcurrentLinkedQueue<>();
  private final AtomicInteger received = new AtomicInteger();
  private final AtomicInteger holding = new AtomicInteger();
  private final AtomicInteger maxHolding = new AtomicInteger();
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger maxOpen = new AtomicInteger();
  private final AtomicInteger accepted = new AtomicInteger();

  private HoldingUpstream(Vertx vertx, int listeners) {
    for (int i = 0; i < listeners; i++) {
      HttpServer s =
          vertx
              .createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
              .connectionHandler(
                  c -> {
                    accepted.incrementAndGet();
                    maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
                    c.closeHandler(v -> open.decrementAndGet());
                  })
              .requestHandler(
                  req ->
                      req.body()
                          .onSuccess(
                              b -> {
                                received.incrementAndGet();
                                maxHolding.accumulateAndGet(holding.incrementAndGet(), Math::max);
                                held.add(req);
                              }));
      s.listen().await();
      servers.add(s);
    }
  }

  /** {@code listeners} listeners, each an endpoint of one backend, sharing the counts. */
  public static HoldingUpstream start(Vertx vertx, int listeners) {
    return new HoldingUpstream(vertx, listeners);
  }

  /**
   * Answers the requests held when called with {@code status} and a short body (not those arriving
   * meanwhile); returns how many.
   */
  public int release(int status) {
    // Only those held now: an answer lets the proxy hand its connection to a waiting request at
    // once, and a request that arrives while this runs must stay held for the test to see it
    // (releasing it too made "the pending reach the upstream" never hold, now and then).
    int now = held.size();
    int n = 0;
    HttpServerRequest r;
    while (n < now && (r = held.poll()) != null) {
      holding.decrementAndGet();
      if (!r.response().closed()) {
        r.response().setStatusCode(status).end("answer " + status);
      }
      n++;
    }
    return n;
  }

  /** The endpoint address of listener {@code i}, as {@code 127.0.0.1:port}. */
  public String address(int i) {
    return "127.0.0.1:" + servers.get(i).actualPort();
  }

  public String[] addresses() {
    String[] a = new String[servers.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = address(i);
    }
    return a;
  }

  public int received() {
    return received.get();
  }

  public int holding() {
    return holding.get();
  }

  public int maxHolding() {
    return maxHolding.get();
  }

  public int openConnections() {
    return open.get();
  }

  /** Connections accepted so far. */
  public int acceptedConnections() {
    return accepted.get();
  }

  public int maxOpenConnections() {
    return maxOpen.get();
  }

  @Override
  public void close() {
    release(503);
    for (HttpServer s : servers) {
      s.close().await();
    }
  }
}
