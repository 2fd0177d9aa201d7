package io.gatehouse.certificate;

import io.gatehouse.model.CertificateKey;
import io.gatehouse.model.CertificateSpec;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.validate.CertificateValidator;
import io.gatehouse.validate.ValidCertificate;
import io.gatehouse.validate.Validated;
import io.gatehouse.validate.Violation;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the table's certificates and the routes' TLS settings into the {@link
 * CertificateIndexHolder}. {@link #accept} is called on the table's thread with every view and only
 * keeps it; a worker then compares it with the last one and, when the certificates or any route's
 * TLS settings changed, validates the certificates and publishes. Views that arrive while the
 * worker runs collapse into the newest.
 *
 * <p>Routes and their certificates leave the served state together. The table changes before the
 * route snapshot does (the snapshot is compiled after a hold-off), so a route that left the table
 * may still be served for a few milliseconds: until {@link #served} says the published snapshot no
 * longer holds it, its TLS binding is kept, and with it the certificate it names (from the last
 * validated copy, even if the table already deleted it). Otherwise a handshake in that window would
 * get the default certificate for a host that is still routed, and the fallback would be logged and
 * counted. Only routes that left the table are kept so: a certificate deleted while a route in the
 * table still names it stops being served at once.
 *
 * <p>The reverse holds when they enter: the snapshot publisher calls {@link #applyNow} with the
 * view a snapshot was compiled from before it publishes that snapshot, so a new route's host is
 * bound to its certificate before the route is served (the worker alone could run after the
 * snapshot, and a handshake in between got the default certificate for a routed host). A route
 * whose certificate is missing is still published, with its problem reported as before: nothing
 * waits for a certificate. Inputs older than the last applied one are skipped, so the worker never
 * puts back an older view.
 *
 * <p>Each certificate is validated once and cached by spec equality, so a renewal re-parses one
 * certificate and a route change none. A cached failure is validated again only when it said the
 * certificate is not valid yet.
 */
public final class TableCertificateSource {
  private static final Logger LOG = LoggerFactory.getLogger(TableCertificateSource.class);

  private record Input(
      long generation,
      Map<RouteKey, RouteSpec> routes,
      Map<CertificateKey, CertificateSpec> certs,
      boolean force) {}

  private record Cached(CertificateSpec spec, Validated<ValidCertificate> result) {}

  private final Context context;
  private final CertificateIndexHolder holder;
  private final Clock clock;
  private final AtomicReference<@Nullable Input> pending = new AtomicReference<>();
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicBoolean servedChanged = new AtomicBoolean();

  /** The TLS settings of the routes the published snapshot serves. */
  private volatile Map<RouteKey, TlsSpec> served = Map.of();

  private volatile @Nullable Input last;
  private volatile boolean waitingForNotBefore;

  // Guarded by this: the worker and applyNow.
  private @Nullable Map<CertificateKey, CertificateSpec> lastCerts;
  private @Nullable Map<RouteKey, TlsSpec> lastRoutes;
  private Map<CertificateKey, Cached> cache = Map.of();

  public TableCertificateSource(Vertx vertx, CertificateIndexHolder holder, Clock clock) {
    this.context = vertx.getOrCreateContext();
    this.holder = Objects.requireNonNull(holder, "holder");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** A new table view: O(1) here, the work happens on a worker. */
  public void accept(
      long generation,
      Map<RouteKey, RouteSpec> routes,
      Map<CertificateKey, CertificateSpec> certs) {
    pending.set(new Input(generation, routes, certs, false));
    drain();
  }

  /**
   * Applies a table view at once, on the caller's thread: the snapshot publisher calls it before it
   * publishes the snapshot compiled from this view, so the routes' certificates are in the index
   * when the routes are served. Waits only for a worker's apply in progress.
   */
  public void applyNow(
      long generation,
      Map<RouteKey, RouteSpec> routes,
      Map<CertificateKey, CertificateSpec> certs) {
    apply(new Input(generation, routes, certs, false));
  }

  /**
   * The routes the router now serves (the published snapshot's, with TLS settings): bindings kept
   * for routes that left the table but were still served are dropped once they are not.
   */
  public void served(Map<RouteKey, TlsSpec> tlsOfServedRoutes) {
    served = Map.copyOf(tlsOfServedRoutes);
    servedChanged.set(true);
    drain();
  }

  /** Validates again a certificate that was not valid yet (called periodically). */
  public void recheck() {
    Input in = last;
    if (waitingForNotBefore && in != null) {
      pending.compareAndSet(null, new Input(in.generation(), in.routes(), in.certs(), true));
      drain();
    }
  }

  private void drain() {
    if ((pending.get() == null && !servedChanged.get()) || !running.compareAndSet(false, true)) {
      return;
    }
    context
        .executeBlocking(
            () -> {
              while (true) {
                Input in = pending.getAndSet(null);
                boolean again = servedChanged.getAndSet(false);
                if (in == null) {
                  // only the served routes changed: the table input stays the last one
                  in = again ? last : null;
                }
                if (in == null) {
                  return null;
                }
                apply(in);
              }
            })
        .onComplete(
            ar -> {
              running.set(false);
              if (ar.failed()) {
                LOG.atWarn()
                    .setMessage("table certificates not applied")
                    .addKeyValue("reason", ar.cause().toString())
                    .log();
              }
              drain();
            });
  }

  private synchronized void apply(Input in) {
    Input previous = last;
    if (previous != null && in.generation() < previous.generation()) {
      // applyNow ran ahead of the worker: keep the newer view (served routes may have changed)
      in = previous;
    }
    last = in;
    Map<RouteKey, TlsSpec> routes = new HashMap<>();
    for (RouteSpec r : in.routes().values()) {
      if (r.tls() != null && !r.tls().passthrough()) { // passthrough: the backend's certificate
        routes.put(r.key(), r.tls());
      }
    }
    Map<CertificateKey, CertificateSpec> certs = in.certs();
    for (Map.Entry<RouteKey, TlsSpec> e : served.entrySet()) {
      RouteKey key = e.getKey();
      if (routes.containsKey(key) || in.routes().containsKey(key)) {
        continue; // the table's settings are the newer ones
      }
      // left the table, still served: keep its binding and the certificate it names
      routes.put(key, e.getValue());
      CertificateKey cert = e.getValue().certificateKey(key.tenant());
      Cached kept = cache.get(cert);
      if (kept != null && !certs.containsKey(cert)) {
        if (certs == in.certs()) {
          certs = new HashMap<>(in.certs());
        }
        certs.put(cert, kept.spec());
      }
    }
    boolean certsSame = certs == lastCerts || certs.equals(lastCerts);
    if (!in.force() && certsSame && routes.equals(lastRoutes)) {
      return;
    }
    Map<CertificateKey, Cached> nextCache = new HashMap<>();
    Map<CertificateKey, Validated<ValidCertificate>> validated = new HashMap<>();
    for (CertificateSpec spec : certs.values()) {
      Cached c = cache.get(spec.key());
      if (c == null || !c.spec().equals(spec) || notYetValid(c.result())) {
        // a table writer checked the names its use needs: a Gateway listener's default may have
        // none
        c = new Cached(spec, CertificateValidator.validate(spec, clock, false));
      }
      nextCache.put(spec.key(), c);
      validated.put(spec.key(), c.result());
    }
    cache = nextCache;
    waitingForNotBefore = nextCache.values().stream().anyMatch(c -> notYetValid(c.result()));
    lastCerts = certs;
    lastRoutes = routes;
    holder.publishTable(routes, validated);
  }

  private static boolean notYetValid(Validated<ValidCertificate> v) {
    if (v.isValid()) {
      return false;
    }
    for (Violation violation : v.violations()) {
      if (violation.rule().contains("not valid before")) {
        return true;
      }
    }
    return false;
  }
}
