package io.gatehouse.ocsp;

import io.gatehouse.ocsp.OcspResponses.Refused;
import io.gatehouse.ocsp.OcspResponses.Staple;
import io.gatehouse.ocsp.OcspResponses.Verdict;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a current OCSP response for each served certificate that names a responder, for the TLS
 * listener to staple ({@link #staple}). Each node fetches its own (responders are built for many
 * clients; a response is public and signed, so sharing it would save requests, not trust).
 *
 * <p>Timing follows nginx's stapling: a response is refetched after {@code min(expires - 5 min, 1
 * h)}, never sooner than 5 min; a failed fetch is retried after 5 min and the response in hand is
 * stapled until it expires, never after ({@link #staple} checks the time at each handshake). A
 * responder's answer is read up to {@link #MAX_RESPONSE_BYTES}, within {@link Settings#timeout}.
 */
public final class OcspStapler {
  private static final Logger LOG = LoggerFactory.getLogger(OcspStapler.class);

  /** Larger answers are refused: a response with a responder chain is a few KiB. */
  public static final int MAX_RESPONSE_BYTES = 64 * 1024;

  /**
   * @param timeout one fetch, connect to last byte
   * @param refreshAtMost refetch a response at least this often (nginx: 1 h)
   * @param retry after a failed fetch, and the shortest wait between two fetches (nginx: 5 min)
   * @param skew how far a responder's clock may run ahead of this node's
   */
  public record Settings(Duration timeout, Duration refreshAtMost, Duration retry, Duration skew) {
    public static final Settings DEFAULTS =
        new Settings(
            Duration.ofSeconds(10),
            Duration.ofHours(1),
            Duration.ofMinutes(5),
            Duration.ofMinutes(5));
  }

  /** One certificate's stapling, as {@code /status} shows it. */
  public record Status(
      String fingerprint,
      String responder,
      @Nullable Instant thisUpdate,
      @Nullable Instant expires,
      @Nullable Instant lastFetch,
      @Nullable String lastError) {}

  private final Vertx vertx;
  private final Clock clock;
  private final Settings settings;
  private final HttpClientAgent client;

  /** The tracked certificates by SHA-256 fingerprint; read at every handshake. */
  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

  private volatile boolean closed;

  public OcspStapler(Vertx vertx, Clock clock, Settings settings) {
    this.vertx = vertx;
    this.clock = clock;
    this.settings = settings;
    int ms = (int) Math.min(Integer.MAX_VALUE, settings.timeout().toMillis());
    this.client =
        vertx
            .httpClientBuilder()
            .with(
                new HttpClientOptions()
                    .setConnectTimeout(ms)
                    .setIdleTimeout(ms)
                    .setIdleTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS)
                    .setKeepAlive(false)
                    .setMaxHeaderSize(16 * 1024))
            .build();
  }

  private final class Entry {
    final String fingerprint;
    final URI responder;
    final CertificateID id;
    final X509Certificate issuer;
    final byte[] request;
    volatile @Nullable Staple staple;
    volatile @Nullable Instant lastFetch;
    volatile @Nullable String lastError;
    long timer = -1;
    boolean gone;

    Entry(String fingerprint, URI responder, X509Certificate leaf, X509Certificate issuer) {
      this.fingerprint = fingerprint;
      this.responder = responder;
      this.issuer = issuer;
      this.id = OcspResponses.id(leaf, issuer);
      this.request = OcspResponses.request(id);
    }
  }

  /**
   * The served certificates changed: {@code chains} by SHA-256 fingerprint, each leaf first and its
   * issuer second. New ones that name an {@code http} responder and carry their issuer are fetched
   * now; ones no longer served are forgotten. Safe from any thread.
   */
  public synchronized void serve(Map<String, X509Certificate[]> chains) {
    if (closed) {
      return;
    }
    Map<String, Entry> next = new HashMap<>();
    for (Map.Entry<String, X509Certificate[]> e : chains.entrySet()) {
      Entry known = entries.get(e.getKey());
      if (known != null) {
        next.put(e.getKey(), known);
        continue;
      }
      X509Certificate[] chain = e.getValue();
      if (chain.length == 0) {
        continue;
      }
      URI responder = OcspResponses.responder(chain[0]).orElse(null);
      if (responder == null) {
        continue;
      }
      if (chain.length < 2) {
        LOG.atWarn()
            .setMessage("OCSP: not stapling, the chain does not carry the issuer")
            .addKeyValue("certificate", e.getKey())
            .log();
        continue;
      }
      next.put(e.getKey(), new Entry(e.getKey(), responder, chain[0], chain[1]));
    }
    for (Entry old : entries.values()) {
      if (!next.containsKey(old.fingerprint)) {
        forget(old);
      }
    }
    entries.keySet().retainAll(next.keySet());
    for (Entry e : next.values()) {
      if (entries.putIfAbsent(e.fingerprint, e) == null) {
        fetch(e);
      }
    }
  }

  /** The response to staple for the certificate {@code fingerprint} now, or null for none. */
  public byte @Nullable [] staple(String fingerprint) {
    Entry e = entries.get(fingerprint);
    if (e == null) {
      return null;
    }
    Staple s = e.staple;
    return s != null && clock.instant().isBefore(s.expires()) ? s.der() : null;
  }

  /** Every tracked certificate's stapling, for {@code /status}. */
  public List<Status> status() {
    List<Status> out = new ArrayList<>();
    for (Entry e : entries.values()) {
      Staple s = e.staple;
      out.add(
          new Status(
              e.fingerprint,
              e.responder.toString(),
              s == null ? null : s.thisUpdate(),
              s == null ? null : s.expires(),
              e.lastFetch,
              e.lastError));
    }
    return out;
  }

  public synchronized Future<Void> close() {
    closed = true;
    entries.values().forEach(this::forget);
    entries.clear();
    return client.close();
  }

  private void forget(Entry e) {
    synchronized (e) {
      e.gone = true;
      if (e.timer >= 0) {
        vertx.cancelTimer(e.timer);
        e.timer = -1;
      }
    }
  }

  private void fetch(Entry e) {
    Instant started = clock.instant();
    post(e)
        .onComplete(
            ar -> {
              Instant now = clock.instant();
              e.lastFetch = started;
              Verdict v =
                  ar.succeeded()
                      ? OcspResponses.verdict(ar.result(), e.id, e.issuer, now, settings.skew())
                      : new Refused(String.valueOf(ar.cause().getMessage()));
              Duration wait;
              if (v instanceof Staple s) {
                e.staple = s;
                e.lastError = null;
                Duration left = Duration.between(now, s.expires()).minus(settings.retry());
                wait = min(left, settings.refreshAtMost());
              } else {
                String reason = ((Refused) v).reason();
                if (!reason.equals(e.lastError)) {
                  LOG.atWarn()
                      .setMessage("OCSP: no new response to staple")
                      .addKeyValue("certificate", e.fingerprint)
                      .addKeyValue("responder", e.responder)
                      .addKeyValue("reason", reason)
                      .log();
                }
                e.lastError = reason;
                if (reason.startsWith("certificate revoked")) {
                  e.staple = null; // the status changed: the old good response must not be sent
                }
                wait = settings.retry();
              }
              schedule(e, wait.compareTo(settings.retry()) < 0 ? settings.retry() : wait);
            });
  }

  private void schedule(Entry e, Duration wait) {
    synchronized (e) {
      if (e.gone || closed) {
        return;
      }
      e.timer = vertx.setTimer(Math.max(1, wait.toMillis()), id -> fetch(e));
    }
  }

  /** POSTs the request (RFC 6960 A.1.1) and reads at most {@link #MAX_RESPONSE_BYTES}. */
  private Future<byte[]> post(Entry e) {
    URI u = e.responder;
    int port = u.getPort() > 0 ? u.getPort() : 80;
    String path = (u.getRawPath() == null || u.getRawPath().isEmpty()) ? "/" : u.getRawPath();
    if (u.getRawQuery() != null) {
      path = path + "?" + u.getRawQuery();
    }
    RequestOptions o =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setHost(u.getHost())
            .setPort(port)
            .setURI(path)
            .setTimeout(settings.timeout().toMillis())
            .putHeader("content-type", "application/ocsp-request")
            .putHeader("accept", "application/ocsp-response");
    return client.request(o).compose(req -> req.send(Buffer.buffer(e.request))).compose(this::body);
  }

  private Future<byte[]> body(HttpClientResponse resp) {
    if (resp.statusCode() != 200) {
      resp.request().reset();
      return Future.failedFuture("responder answered HTTP " + resp.statusCode());
    }
    Promise<byte[]> done = Promise.promise();
    Buffer acc = Buffer.buffer();
    resp.handler(
        chunk -> {
          if (acc.length() + chunk.length() > MAX_RESPONSE_BYTES) {
            done.tryFail("response larger than " + MAX_RESPONSE_BYTES + " bytes");
            resp.request().reset();
            return;
          }
          acc.appendBuffer(chunk);
        });
    resp.exceptionHandler(done::tryFail);
    resp.endHandler(v -> done.tryComplete(acc.getBytes()));
    return done.future();
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) < 0 ? a : b;
  }
}
