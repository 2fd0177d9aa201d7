package io.gatehouse.node;

import io.gatehouse.model.ListenerKey;
import io.gatehouse.model.ListenerProtocol;
import io.gatehouse.model.ListenerSpec;
import io.gatehouse.proxy.RouterVerticle;
import io.gatehouse.snapshot.RouteSnapshot;
import io.gatehouse.validate.Cidrs;
import io.gatehouse.validate.ListenerValidator;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Gateway listeners of the published snapshot, bound on every router (issue #17, phase 2). On
 * each publish it diffs the snapshot's listeners with what is bound: binds the new ones on every
 * event loop with the node's own listener options and handlers ({@link
 * RouterVerticle#listenGateway}), stops accepting on removed or changed ones and lets their
 * connections drain ({@code shutdown.drainTimeout}). An HTTPS socket also passes TLS through by SNI
 * name, for the passthrough routes of its own listener. A listener outside {@code
 * kubernetes.gatewayAddresses} or {@code kubernetes.gatewayPorts}, on one of the node's own
 * sockets, or on an address and port another listener already holds (the smaller key wins among new
 * ones) is refused and never bound; a bind that fails is closed on every loop. Both are in {@link
 * #statusJson} and logged once.
 *
 * <p>All state is touched on one context, so publishes and bind results never interleave.
 */
final class ListenerSet {
  private static final Logger LOG = LoggerFactory.getLogger(ListenerSet.class);

  /** What a listener is on this node. */
  enum State {
    BINDING,
    BOUND,
    REFUSED,
    FAILED
  }

  /** One listener's state here; {@code servers} holds each router's server while bound. */
  private static final class Entry {
    final ListenerSpec spec;
    State state;
    @Nullable String reason;
    final List<Map.Entry<RouterVerticle, HttpServer>> servers = new ArrayList<>();
    boolean gone;

    Entry(ListenerSpec spec, State state, @Nullable String reason) {
      this.spec = spec;
      this.state = state;
      this.reason = reason;
    }
  }

  private final Context context;
  private final List<RouterVerticle> routers;
  private final PrefaceTransport transport;
  private final Cidrs pool;
  private final List<Integer> ports;
  private final Supplier<Set<String>> ownSockets;
  private final long drainMillis;
  private final Map<ListenerKey, Entry> entries = new HashMap<>();

  /**
   * The sockets whose removed listener still drains, until its servers have closed. Vert.x shares
   * one listening socket among the servers of one address and port, so a server bound there while
   * the old one shuts down joins the socket being closed and never accepts (the conformance suite
   * gives a deleted Gateway's address to the next one at once): such a bind waits for the close.
   */
  private final Map<String, Future<?>> draining = new HashMap<>();

  private final Set<String> logged = new HashSet<>();
  private volatile JsonArray status = new JsonArray();
  private boolean started;
  private @Nullable RouteSnapshot pending;

  /**
   * @param ownSockets the {@code host:port} of the node's own listeners (router, status, admin):
   *     Vert.x would share such a socket with a Gateway listener, so they are refused
   */
  ListenerSet(
      Vertx vertx,
      List<RouterVerticle> routers,
      PrefaceTransport transport,
      Cidrs pool,
      List<Integer> ports,
      Supplier<Set<String>> ownSockets,
      long drainMillis) {
    this.context = vertx.getOrCreateContext();
    this.routers = routers;
    this.transport = transport;
    this.pool = pool;
    this.ports = List.copyOf(ports);
    this.ownSockets = ownSockets;
    this.drainMillis = drainMillis;
  }

  /** A snapshot was published: its listeners are bound from now on (once the routers are up). */
  void onPublish(RouteSnapshot snapshot) {
    context.runOnContext(
        v -> {
          if (started) {
            reconcile(snapshot);
          } else {
            pending = snapshot;
          }
        });
  }

  /** The routers listen: binds the listeners of the newest snapshot published so far. */
  Future<Void> start(@Nullable RouteSnapshot latest) {
    Promise<Void> done = Promise.promise();
    context.runOnContext(
        v -> {
          started = true;
          RouteSnapshot s = pending != null ? pending : latest;
          pending = null;
          if (s != null) {
            reconcile(s);
          }
          done.complete();
        });
    return done.future();
  }

  /** Each listener the table holds, with its state here and why it is not bound. */
  JsonArray statusJson() {
    return status.copy();
  }

  private void reconcile(RouteSnapshot snapshot) {
    Map<ListenerKey, ListenerSpec> wanted = new TreeMap<>(snapshot.listeners());
    for (Entry e : List.copyOf(entries.values())) {
      // hostnames are read per request from the snapshot: a change there keeps the socket
      if (!e.spec.sameSocket(wanted.get(e.spec.key()))) {
        entries.remove(e.spec.key());
        close(e);
      }
    }
    Set<String> own = ownSockets.get();
    Map<String, ListenerKey> taken = new HashMap<>();
    for (Entry e : entries.values()) {
      if (e.state == State.BINDING || e.state == State.BOUND) {
        taken.put(socket(e.spec), e.spec.key());
      }
    }
    for (ListenerSpec spec : wanted.values()) {
      Entry held = entries.get(spec.key());
      if (held != null && held.state != State.REFUSED) {
        continue; // bound, binding, or failed on this spec: a changed spec is a new entry
      }
      String refusal = refusal(spec, own, taken);
      if (refusal != null) {
        entries.put(spec.key(), new Entry(spec, State.REFUSED, refusal));
        logOnce(spec, "gateway listener refused, not bound", refusal);
        continue;
      }
      Entry e = new Entry(spec, State.BINDING, null);
      entries.put(spec.key(), e);
      taken.put(socket(spec), spec.key());
      int slot = snapshot.listenerSlot(spec.key());
      Future<?> closing = draining.get(socket(spec));
      if (closing == null) {
        bind(e, slot);
      } else {
        closing.onComplete(
            ar ->
                context.runOnContext(
                    v -> {
                      if (!e.gone) {
                        bind(e, slot);
                      }
                    }));
      }
    }
    publishStatus();
  }

  private @Nullable String refusal(
      ListenerSpec spec, Set<String> own, Map<String, ListenerKey> taken) {
    String r = ListenerValidator.refusal(spec, pool, ports);
    if (r != null) {
      return r;
    }
    if (own.contains(socket(spec))) {
      return socket(spec) + " is one of the node's own listeners";
    }
    ListenerKey holder = taken.get(socket(spec));
    if (holder != null && !holder.equals(spec.key())) {
      return socket(spec) + " is taken by listener " + holder;
    }
    return null;
  }

  private void bind(Entry e, int slot) {
    ListenerSpec spec = e.spec;
    transport.gatewaySocket(spec.address(), spec.port(), slot);
    List<Future<HttpServer>> binds = new ArrayList<>(routers.size());
    for (RouterVerticle r : routers) {
      binds.add(
          r.listenGateway(
              spec.address(),
              spec.port(),
              spec.protocol() == ListenerProtocol.HTTPS,
              slot,
              spec.defaultCertificate(),
              spec.clientValidation()));
    }
    Future.join(binds)
        .onComplete(
            ar ->
                context.runOnContext(
                    v -> {
                      String failure = null;
                      for (int i = 0; i < binds.size(); i++) {
                        Future<HttpServer> b = binds.get(i);
                        if (b.succeeded()) {
                          e.servers.add(Map.entry(routers.get(i), b.result()));
                        } else if (failure == null) {
                          failure = String.valueOf(b.cause().getMessage());
                        }
                      }
                      if (e.gone) {
                        closeServers(e); // removed while binding
                        return;
                      }
                      if (failure != null) {
                        e.state = State.FAILED;
                        e.reason = failure;
                        logOnce(spec, "gateway listener not bound", failure);
                        closeServers(e);
                      } else {
                        e.state = State.BOUND;
                        LOG.atInfo()
                            .setMessage("gateway listener bound")
                            .addKeyValue("listener", spec.key())
                            .addKeyValue("address", socket(spec))
                            .addKeyValue("protocol", spec.protocol())
                            .log();
                      }
                      publishStatus();
                    }));
  }

  /** Stops accepting and drains; a bind still in flight is closed when it completes. */
  private void close(Entry e) {
    e.gone = true;
    if (e.state == State.BINDING) {
      return;
    }
    closeServers(e);
    if (e.state == State.BOUND) {
      LOG.atInfo()
          .setMessage("gateway listener removed, draining")
          .addKeyValue("listener", e.spec.key())
          .addKeyValue("address", socket(e.spec))
          .log();
    }
  }

  private void closeServers(Entry e) {
    List<Future<Void>> closing = new ArrayList<>();
    for (Map.Entry<RouterVerticle, HttpServer> s : e.servers) {
      closing.add(s.getKey().closeGateway(s.getValue(), drainMillis));
    }
    e.servers.clear();
    ListenerSpec spec = e.spec;
    String socket = socket(spec);
    Promise<Void> closed = Promise.promise();
    draining.put(socket, closed.future());
    Future.join(closing)
        .onComplete(
            ar ->
                context.runOnContext(
                    v -> {
                      if (draining.get(socket) == closed.future()) {
                        draining.remove(socket);
                      }
                      if (!isBound(spec)) {
                        transport.gatewaySocketClosed(spec.address(), spec.port());
                      }
                      closed.complete();
                    }));
  }

  /** Whether a live entry binds this address and port (a changed spec may keep it). */
  private boolean isBound(ListenerSpec spec) {
    for (Entry e : entries.values()) {
      if ((e.state == State.BINDING || e.state == State.BOUND)
          && socket(e.spec).equals(socket(spec))) {
        return true;
      }
    }
    return false;
  }

  private void logOnce(ListenerSpec spec, String message, String reason) {
    if (logged.add(spec.key() + " " + socket(spec) + " " + reason)) {
      LOG.atWarn()
          .setMessage(message)
          .addKeyValue("listener", spec.key())
          .addKeyValue("address", socket(spec))
          .addKeyValue("reason", reason)
          .log();
    }
  }

  private void publishStatus() {
    JsonArray out = new JsonArray();
    for (Entry e : new TreeMap<>(entries).values()) {
      out.add(
          new JsonObject()
              .put("listener", e.spec.key().toString())
              .put("address", e.spec.address())
              .put("port", e.spec.port())
              .put("protocol", e.spec.protocol().name())
              .put("state", e.state.name().toLowerCase(Locale.ROOT))
              .put("reason", e.reason));
    }
    status = out;
  }

  private static String socket(ListenerSpec spec) {
    return socket(spec.address(), spec.port());
  }

  /** {@code host:port}, an IPv6 host in brackets. */
  static String socket(String host, int port) {
    return host.indexOf(':') >= 0 && !host.startsWith("[")
        ? "[" + host + "]:" + port
        : host + ":" + port;
  }
}
