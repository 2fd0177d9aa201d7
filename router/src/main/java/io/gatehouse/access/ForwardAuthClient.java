package io.gatehouse.access;

import io.gatehouse.policy.ForwardAuthAnswer;
import io.gatehouse.policy.ForwardAuthCache;
import io.gatehouse.policy.ForwardAuthService;
import io.gatehouse.policy.ForwardAuthTarget;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's forward-auth client: one Vert.x HTTP/1.1 client of its own (not the upstreams' pools,
 * so a slow auth service cannot take their connections), at most {@link #POOL_SIZE} connections per
 * auth service and {@link #MAX_WAIT_QUEUE} subrequests waiting for one (more fail at once: 503).
 * Each subrequest has the policy's timeout from the start to the answer's status, connect and queue
 * included (504), and as its idle timeout while the answer's body is read and thrown away (at most
 * {@link #MAX_DISCARDED_BODY} bytes, else the connection is closed rather than read on). The body
 * is never kept nor logged: it may hold what the service says about a user. Redirects are not
 * followed (a 3xx fails closed); responses are not decompressed.
 */
public final class ForwardAuthClient implements ForwardAuthService, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ForwardAuthClient.class);

  /** Connections per auth service (host and port) and node. */
  static final int POOL_SIZE = 64;

  /** Subrequests that may wait for a connection; more are refused at once. */
  static final int MAX_WAIT_QUEUE = 1024;

  /** The most of an answer's body drained to keep its connection; a larger one closes it. */
  static final int MAX_DISCARDED_BODY = 64 * 1024;

  /** The most of an answer's head read (status line and headers). */
  static final int MAX_HEAD_BYTES = 32 * 1024;

  private final Vertx vertx;
  private final HttpClientAgent client;
  private final ForwardAuthCache cache;

  /** Subrequests out, by their cache key, with the checks that wait for their answer. */
  private final ConcurrentHashMap<ForwardAuthCache.Key, Flight> flights = new ConcurrentHashMap<>();

  public ForwardAuthClient(Vertx vertx) {
    this(vertx, new ForwardAuthCache(ForwardAuthCache.DEFAULT_MAX_ENTRIES, System::nanoTime));
  }

  ForwardAuthClient(Vertx vertx, ForwardAuthCache cache) {
    this.vertx = vertx;
    this.cache = cache;
    this.client =
        vertx
            .httpClientBuilder()
            .with(
                new HttpClientOptions()
                    .setProtocolVersion(HttpVersion.HTTP_1_1)
                    .setKeepAlive(true)
                    .setKeepAliveTimeout(30)
                    .setTcpNoDelay(true)
                    .setDecompressionSupported(false)
                    .setMaxHeaderSize(MAX_HEAD_BYTES)
                    .setMaxInitialLineLength(8192)
                    // https: the JDK's trust store, the name checked, SNI sent
                    .setVerifyHost(true)
                    .setForceSni(true)
                    .setShared(false))
            .with(new PoolOptions().setHttp1MaxSize(POOL_SIZE).setMaxWaitQueueSize(MAX_WAIT_QUEUE))
            .build();
  }

  @Override
  public ForwardAuthCache cache() {
    return cache;
  }

  @Override
  public void check(
      ForwardAuthTarget target,
      String method,
      List<String> headers,
      long timeoutMillis,
      List<String> keep,
      ForwardAuthCache.@Nullable Key shared,
      Consumer<ForwardAuthAnswer> done) {
    if (shared == null) {
      start(target, method, headers, timeoutMillis, keep, done);
      return;
    }
    Waiter me = new Waiter(vertx.getOrCreateContext(), done);
    while (true) {
      Flight out = flights.get(shared);
      if (out != null && out.join(me)) {
        return; // its answer is ours
      }
      Flight mine = new Flight(me);
      if (flights.putIfAbsent(shared, mine) == null) {
        start(
            target,
            method,
            headers,
            timeoutMillis,
            keep,
            answer -> {
              flights.remove(shared, mine);
              mine.land(answer);
            });
        return;
      }
    }
  }

  private void start(
      ForwardAuthTarget target,
      String method,
      List<String> headers,
      long timeoutMillis,
      List<String> keep,
      Consumer<ForwardAuthAnswer> done) {
    Call call = new Call(target, vertx.getOrCreateContext(), done);
    call.timer =
        vertx.setTimer(
            timeoutMillis,
            id -> {
              call.timer = -1;
              call.finish(ForwardAuthAnswer.TIMED_OUT, "no answer within " + timeoutMillis + " ms");
              HttpClientRequest r = call.request;
              if (r != null) {
                r.reset();
              }
            });
    try {
      send(call, target, method, headers, timeoutMillis, keep);
    } catch (RuntimeException e) {
      // A value Vert.x refuses to send (the options validate as they are built): fail closed.
      call.finish(ForwardAuthAnswer.UNREACHABLE, e.toString());
    }
  }

  private void send(
      Call call,
      ForwardAuthTarget target,
      String method,
      List<String> headers,
      long timeoutMillis,
      List<String> keep) {
    RequestOptions o =
        new RequestOptions()
            .setMethod(HttpMethod.valueOf(method))
            .setHost(target.host())
            .setPort(target.port())
            .setSsl(target.tls())
            .setURI(target.uri())
            .setFollowRedirects(false)
            .setConnectTimeout(timeoutMillis)
            .setIdleTimeout(timeoutMillis);
    for (int i = 0; i < headers.size(); i += 2) {
      o.addHeader(headers.get(i), headers.get(i + 1));
    }
    client
        .request(o)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                call.finish(ForwardAuthAnswer.UNREACHABLE, ar.cause().toString());
                return;
              }
              HttpClientRequest req = ar.result();
              if (call.finished) {
                req.reset(); // timed out while it waited for a connection
                return;
              }
              call.request = req;
              req.send()
                  .onComplete(
                      rr -> {
                        if (rr.failed()) {
                          call.finish(ForwardAuthAnswer.UNREACHABLE, rr.cause().toString());
                          return;
                        }
                        HttpClientResponse resp = rr.result();
                        call.finish(answer(resp, keep), null);
                        discard(req, resp);
                      });
            });
  }

  /** The status and the kept headers (repeated values joined with ", "); never the body. */
  static ForwardAuthAnswer answer(HttpClientResponse resp, List<String> keep) {
    List<String> kept = new ArrayList<>(4);
    for (String name : keep) {
      List<String> values = resp.headers().getAll(name);
      if (!values.isEmpty()) {
        kept.add(name);
        kept.add(String.join(", ", values));
      }
    }
    return new ForwardAuthAnswer(resp.statusCode(), kept);
  }

  /**
   * Reads the answer's body to its end and throws it away, or closes a connection that sends more.
   */
  private static void discard(HttpClientRequest req, HttpClientResponse resp) {
    long[] read = {0};
    resp.exceptionHandler(e -> {}); // the verdict is given; a broken body only loses the connection
    resp.handler(
        b -> {
          read[0] += b.length();
          if (read[0] > MAX_DISCARDED_BODY) {
            req.reset();
          }
        });
  }

  @Override
  public void close() {
    client.close();
  }

  /** A check waiting for a shared answer, and the event loop it is given on. */
  private record Waiter(Context context, Consumer<ForwardAuthAnswer> done) {
    void give(ForwardAuthAnswer answer) {
      if (Vertx.currentContext() == context) {
        done.accept(answer);
      } else {
        context.runOnContext(v -> done.accept(answer));
      }
    }
  }

  /** A shared subrequest out: joined until its answer lands, then given to every waiter. */
  private static final class Flight {
    private final List<Waiter> waiters = new ArrayList<>(2);
    private boolean landed;

    Flight(Waiter first) {
      waiters.add(first);
    }

    /** Adds {@code w} unless the answer has landed (then the caller starts its own). */
    synchronized boolean join(Waiter w) {
      if (landed) {
        return false;
      }
      waiters.add(w);
      return true;
    }

    void land(ForwardAuthAnswer answer) {
      List<Waiter> all;
      synchronized (this) {
        landed = true;
        all = List.copyOf(waiters);
      }
      for (Waiter w : all) {
        w.give(answer);
      }
    }
  }

  /**
   * One subrequest: answered once, on the event loop that asked (Vert.x runs the client's and the
   * timer's callbacks there; a callback elsewhere hops back).
   */
  private final class Call {
    private final ForwardAuthTarget target;
    private final Context context;
    private final Consumer<ForwardAuthAnswer> done;
    boolean finished;
    long timer = -1;
    @Nullable HttpClientRequest request;

    Call(ForwardAuthTarget target, Context context, Consumer<ForwardAuthAnswer> done) {
      this.target = target;
      this.context = context;
      this.done = done;
    }

    void finish(ForwardAuthAnswer answer, @Nullable String failure) {
      if (Vertx.currentContext() != context) {
        context.runOnContext(v -> finish(answer, failure));
        return;
      }
      if (finished) {
        return;
      }
      finished = true;
      if (timer >= 0) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
      if (failure != null) {
        // The service's address only: its path or query may carry a secret.
        LOG.atDebug()
            .setMessage("forward auth to {}:{} failed closed: {}")
            .addArgument(target.host())
            .addArgument(target.port())
            .addArgument(failure)
            .log();
      }
      done.accept(answer);
    }
  }
}
