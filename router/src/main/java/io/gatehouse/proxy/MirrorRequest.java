package io.gatehouse.proxy;

import io.gatehouse.model.ProxyProtocolVersion;
import io.gatehouse.model.Timeouts;
import io.gatehouse.snapshot.CanaryMatcher;
import io.gatehouse.snapshot.Mirror;
import io.gatehouse.snapshot.Target;
import io.gatehouse.upstream.Balancers;
import io.gatehouse.upstream.ProxyHeader;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.HostAndPort;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One copy of a request to one of its route's mirrors: the same endpoint pick (the balancer of the
 * mirror's slot), pooled connections, connect and retry rules as the primary ({@link
 * UpstreamAttempt}), then the head and the whole buffered body in one go, and an answer read to its
 * end and thrown away. It reports to nothing but its {@link Mirror}'s counters: no callback reaches
 * the exchange it was copied from, which may be long gone.
 *
 * <p>Bounded: it holds one of the mirror's {@code maxInFlight} places from its creation to its end,
 * has the route's connect timeout, and from {@link #send} to the end of its answer the route's
 * response timeout, checked by the loop's sweep like an exchange's deadlines (no timer).
 */
final class MirrorRequest extends UpstreamAttempt {
  /** The marker every copy carries, which Gatehouse strips from what clients send. */
  static final CharSequence MARKER = HttpHeaders.createOptimized(HeaderRules.MIRROR_MARKER);

  private static final CharSequence MARKED = HttpHeaders.createOptimized("1");

  private final Mirror mirror;
  private final HttpMethod method;
  private final String uri;
  private final MultiMap headers;
  private final @Nullable HostAndPort authority;
  private final Timeouts timeouts;
  private final String routeId;
  private final boolean withBody;
  private final @Nullable ProxyHeader proxyHeader;
  private @Nullable Buffer body;
  private boolean done;

  /**
   * A copy that holds one of {@code mirror}'s places (already taken).
   *
   * @param headers what the primary backend gets, shared by the request's copies (read only)
   * @param authority the Host to send, or null for the endpoint's
   * @param withBody whether the copy carries the request's body
   * @param proxyHeader the PROXY header naming the primary's client, when the mirror sends one
   */
  MirrorRequest(
      LoopServices loop,
      Mirror mirror,
      HttpMethod method,
      String uri,
      MultiMap headers,
      @Nullable HostAndPort authority,
      Timeouts timeouts,
      String routeId,
      boolean withBody,
      @Nullable ProxyHeader proxyHeader) {
    super(loop);
    this.proxyHeader = proxyHeader;
    this.mirror = mirror;
    this.method = method;
    this.uri = uri;
    this.headers = headers;
    this.authority = authority;
    this.timeouts = timeouts;
    this.routeId = routeId;
    this.withBody = withBody;
  }

  /** A copy answers no client, so it never hands out a sticky cookie whose flags depend on this. */
  @Override
  public boolean tls() {
    return false;
  }

  /** The primary's client: a copy is that client's request too. */
  @Override
  @Nullable ProxyHeader proxyHeader(ProxyProtocolVersion version) {
    return proxyHeader == null ? null : proxyHeader.withVersion(version);
  }

  /** Whether the copy carries the body, and so waits for all of it. */
  boolean withBody() {
    return withBody;
  }

  /** The largest body this copy takes. */
  long maxBodyBytes() {
    return mirror.spec().maxBodyBytes();
  }

  /**
   * Sends the copy, with {@code body} (null or empty: none) to an endpoint of the mirror's slot.
   */
  void send(Balancers balancers, @Nullable Buffer body) {
    if (done) {
      return;
    }
    this.body = withBody ? body : null;
    Target t = mirror.target();
    balancer = balancers.forSlot(t.slot(), t.key(), loop.settings().endpoints().get(t.slot()));
    protocol = t.protocol();
    upstreamTls = t.tls();
    proxyProtocol = t.proxyProtocol();
    endpoint = balancer.next();
    if (endpoint == null) {
      end(Mirror.Outcome.FAILED, false);
      return;
    }
    loop.live().track(this);
    armRequest(System.nanoTime(), timeouts.response().toNanos(), false, -1);
    connect();
  }

  /** Not sent: its body grew past its limit, or the client's request never arrived whole. */
  void drop(Mirror.Outcome outcome) {
    end(outcome, false);
  }

  private void end(Mirror.Outcome outcome, boolean reusable) {
    if (done) {
      return;
    }
    done = true;
    loop.live().untrack(this);
    HttpClientRequest up = upstream;
    if (!reusable && up != null && outcome != Mirror.Outcome.ANSWERED) {
      up.reset();
    }
    releaseLease(reusable);
    body = null;
    mirror.release();
    mirror.record(outcome);
  }

  @Override
  void checkDeadlines(long now) {
    if (!done && check(now, timeouts) == Expired.REQUEST) {
      end(Mirror.Outcome.FAILED, false);
    }
  }

  @Override
  void onConnected(HttpClientRequest up) {
    upstream = up;
    up.headers().setAll(headers);
    up.headers().set(MARKER, MARKED);
    if (authority != null) {
      up.authority(authority);
    }
    up.exceptionHandler(
        t -> {
          if (upstream == up) {
            onFailure(t);
          }
        });
    up.response()
        .onComplete(
            ar -> {
              if (upstream != up || done) {
                return;
              }
              if (ar.succeeded()) {
                onResponse(ar.result());
              } else {
                onFailure(ar.cause());
              }
            });
    Buffer b = body;
    if (b != null && b.length() > 0) {
      up.putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(b.length()));
      up.end(b);
    } else {
      up.end();
    }
  }

  /** The answer: read to its end and thrown away, so its connection can serve again. */
  private void onResponse(HttpClientResponse r) {
    r.exceptionHandler(this::onFailure);
    r.handler(ignored -> {});
    r.endHandler(v -> end(Mirror.Outcome.ANSWERED, true));
  }

  private void onFailure(Throwable t) {
    if (done || retryAfterClose(t)) {
      return;
    }
    end(Mirror.Outcome.FAILED, false);
  }

  // ---------------------------------------------------------------- UpstreamAttempt hooks

  @Override
  boolean isFinished() {
    return done;
  }

  @Override
  HttpMethod upstreamMethod() {
    return method;
  }

  @Override
  String upstreamUri() {
    return uri;
  }

  @Override
  long connectTimeoutMillis() {
    return timeouts.connect().toMillis();
  }

  @Override
  boolean tunnel() {
    return false;
  }

  @Override
  boolean requestHasBody() {
    return body != null && body.length() > 0;
  }

  @Override
  String routeId() {
    return routeId + " (mirror)";
  }

  /** No connection could be made (after the retry rules): the mirror rests. */
  @Override
  void attemptFailed(int status, int grpcStatus) {
    mirror.rest(System.nanoTime());
    end(Mirror.Outcome.FAILED, false);
  }

  @Override
  int canaryChoice(CanaryMatcher canary) {
    return CanaryMatcher.FALL_THROUGH;
  }

  @Override
  List<String> cookieFields() {
    return List.of(); // a mirror's backend is one target, never a sticky split
  }
}
