package io.gatehouse.upstream;

import io.gatehouse.model.Endpoint;
import io.gatehouse.model.backend.CircuitBreaker;
import io.gatehouse.vertxinternals.VertxChannels;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * One event loop's keep-alive cache of HTTP/1.1 upstream connections, as nginx's upstream {@code
 * keepalive}: a request takes the most recently used idle connection to its endpoint or opens a new
 * one, and gives it back when the exchange ended cleanly. At most {@code maxIdle} connections wait
 * per endpoint; idle ones are closed after {@code idleTimeout}, before a typical upstream's own
 * keep-alive timeout. Used only from its event loop, so nothing is synchronised.
 *
 * <p>A backend's circuit breaker ({@link BackendLimits}) bounds the connections every loop opens to
 * it together: past the limit a request waits in the backend's bounded FIFO (each for at most its
 * connect timeout) for a slot that a close on any loop hands over, or for a connection released on
 * its own loop to its endpoint; a connection released while others wait is not kept idle.
 *
 * <p>A backend with {@code proxyProtocol} gets the PROXY protocol header ({@link ProxyHeader}) as
 * the first bytes of each new connection, ahead of anything Vert.x's HTTP codec writes. Such a
 * connection names one client for its whole life, so its idle key holds the header too: it is only
 * ever reused for requests that would send the same header (as HAProxy keeps such connections
 * private, and Envoy keys its pool by the PROXY state); a connection whose header cannot be written
 * is closed, never used without it.
 *
 * <p>Why not Vert.x's pool: it resolves the endpoint in a shared map and runs a pool state machine
 * with futures on every request; on one core that cost about a tenth of the proxy's throughput.
 */
public final class Http1Connections {
  /** A connection on loan to one exchange. */
  public static final class Lease {
    private final Http1Connections owner;
    private final HttpClientConnection connection;
    private final String key;
    private boolean closed;
    private long idleSince;
    private boolean reused;

    /** Never kept idle: a connection that a WebSocket may take over. */
    private boolean exclusive;

    /** The backend whose connection slot this connection holds; null when not counted. */
    private final BackendLimits.@Nullable Backend backend;

    private Lease(
        Http1Connections owner,
        HttpClientConnection connection,
        String key,
        BackendLimits.@Nullable Backend backend) {
      this.owner = owner;
      this.connection = connection;
      this.key = key;
      this.backend = backend;
    }

    /** Gives the connection back to the cache it came from (see {@link #release}). */
    public void release(boolean reusable) {
      owner.release(this, reusable);
    }

    public HttpClientConnection connection() {
      return connection;
    }

    /** Whether this connection already served an exchange (a stale keep-alive may race a close). */
    public boolean reused() {
      return reused;
    }
  }

  private final HttpClientAgent client;
  private final int maxIdle;
  private final long idleTimeoutNanos;
  private final @Nullable String serverName;
  private final Map<String, ArrayDeque<Lease>> idle = new HashMap<>();

  /**
   * Each endpoint's key, by identity: endpoints are long-lived (the balancer's), and building
   * "host:port" was a concatenation per request. Cleared when it reaches {@link #MAX_KEYS}, so the
   * endpoints of replaced sets are not held.
   */
  private final Map<Endpoint, String> keys = new IdentityHashMap<>();

  private static final int MAX_KEYS = 4096;

  /** Every open connection, idle or on loan: the drain resets those whose peer reads nothing. */
  private final Set<HttpClientConnection> open = Collections.newSetFromMap(new IdentityHashMap<>());

  private boolean closed;

  public Http1Connections(HttpClientAgent client, int maxIdle, long idleTimeoutNanos) {
    this(client, maxIdle, idleTimeoutNanos, null);
  }

  /**
   * @param serverName over TLS, the name sent as SNI and verified instead of the endpoint's host;
   *     null = the endpoint's host. One cache serves one client (one TLS setting), so the key need
   *     only name the endpoint.
   */
  public Http1Connections(
      HttpClientAgent client, int maxIdle, long idleTimeoutNanos, @Nullable String serverName) {
    this.client = client;
    this.maxIdle = maxIdle;
    this.idleTimeoutNanos = idleTimeoutNanos;
    this.serverName = serverName;
  }

  /** An idle connection to {@code endpoint}, or a new one (no connection limit). */
  public Future<Lease> acquire(Endpoint endpoint, long connectTimeoutMs) {
    return acquire(endpoint, connectTimeoutMs, (ProxyHeader) null);
  }

  /**
   * As {@link #acquire(Endpoint, long)}; with a {@code header}, a connection that sent exactly that
   * header, or a new one that starts with it.
   */
  public Future<Lease> acquire(
      Endpoint endpoint, long connectTimeoutMs, @Nullable ProxyHeader header) {
    Lease l = idleLease(keyOf(endpoint, header));
    return l != null ? Future.succeededFuture(l) : open(endpoint, connectTimeoutMs, null, header);
  }

  /**
   * A new connection that starts with {@code header} and is closed when given back, whatever the
   * exchange's end: for a WebSocket upgrade, which takes the connection over.
   */
  public Future<Lease> acquireExclusive(
      Endpoint endpoint, long connectTimeoutMs, ProxyHeader header) {
    return open(endpoint, connectTimeoutMs, null, header)
        .map(
            l -> {
              l.exclusive = true;
              return l;
            });
  }

  /**
   * An idle connection to {@code endpoint}, else a new one when {@code backend} has fewer than
   * {@code limits.maxConnections()} open on this node, else a place in the backend's waiting list
   * (at most {@code maxPendingRequests}, served first come first served as connections close on any
   * loop, each for at most the connect timeout). Fails with an {@link BackendLimits.Overflow} when
   * the list is full or the wait ran out.
   */
  public Future<Lease> acquire(
      Endpoint endpoint,
      long connectTimeoutMs,
      BackendLimits.Backend backend,
      CircuitBreaker limits) {
    return acquire(endpoint, connectTimeoutMs, backend, limits, null);
  }

  /** As above; with a {@code header}, as {@link #acquire(Endpoint, long, ProxyHeader)}. */
  public Future<Lease> acquire(
      Endpoint endpoint,
      long connectTimeoutMs,
      BackendLimits.Backend backend,
      CircuitBreaker limits,
      @Nullable ProxyHeader header) {
    Lease l = idleLease(keyOf(endpoint, header));
    if (l != null) {
      return Future.succeededFuture(l);
    }
    if (backend.tryOpenConnection(limits.maxConnections())) {
      return open(endpoint, connectTimeoutMs, backend, header);
    }
    if (backend.pending.incrementAndGet() > limits.maxPendingRequests()) {
      backend.pending.decrementAndGet();
      backend.count(BackendLimits.Limit.MAX_PENDING);
      return Future.failedFuture(BackendLimits.PENDING_OVERFLOW);
    }
    Context context = Vertx.currentContext();
    if (context == null) {
      backend.pending.decrementAndGet();
      throw new IllegalStateException("acquire off an event loop");
    }
    Waiter w = new Waiter(this, endpoint, header, connectTimeoutMs, backend, context);
    backend.waiters.add(w);
    // A slot freed between the check above and the enqueue went to no one: take it now.
    if (backend.tryOpenConnection(limits.maxConnections())) {
      if (w.cancel()) {
        return open(endpoint, connectTimeoutMs, backend, header);
      }
      backend.connectionClosed(); // granted meanwhile: the slot just taken is one too many
      return w.promise.future();
    }
    // Idle connections of this backend to other endpoints hold slots a waiter needs: close one.
    evictIdleOf(backend);
    w.timer =
        context
            .owner()
            .setTimer(
                Math.max(1, connectTimeoutMs),
                id -> {
                  if (w.cancel()) {
                    backend.count(BackendLimits.Limit.MAX_CONNECTIONS);
                    w.promise.fail(BackendLimits.CONNECTIONS_OVERFLOW);
                  }
                });
    return w.promise.future();
  }

  /**
   * A request waiting for a connection slot of its backend. Exactly one of {@link #grant} (a slot
   * is handed over, from any loop) and {@link #cancel} (the wait ended without one) wins.
   */
  static final class Waiter {
    private static final int WAITING = 0;
    private static final int DONE = 1;
    private final Http1Connections cache;
    private final Endpoint endpoint;
    private final @Nullable ProxyHeader header;
    private final String key;
    private final long connectTimeoutMs;
    private final BackendLimits.Backend backend;
    private final Context context;
    private final AtomicInteger state = new AtomicInteger(WAITING);
    final Promise<Lease> promise = Promise.promise();
    volatile long timer = -1;

    Waiter(
        Http1Connections cache,
        Endpoint endpoint,
        @Nullable ProxyHeader header,
        long connectTimeoutMs,
        BackendLimits.Backend backend,
        Context context) {
      this.cache = cache;
      this.endpoint = endpoint;
      this.header = header;
      this.key = cache.keyOf(endpoint, header);
      this.connectTimeoutMs = connectTimeoutMs;
      this.backend = backend;
      this.context = context;
    }

    /** Hands this waiter a connection slot; false when it no longer waits. */
    boolean grant() {
      if (!state.compareAndSet(WAITING, DONE)) {
        return false;
      }
      backend.pending.decrementAndGet();
      context.runOnContext(
          v -> {
            if (timer >= 0) {
              context.owner().cancelTimer(timer);
            }
            cache
                .open(endpoint, connectTimeoutMs, backend, header)
                .onComplete(ar -> promise.handle(ar));
          });
      return true;
    }

    /**
     * Hands this waiter an open connection of its loop and endpoint, with the slot it holds; false
     * when it no longer waits. Completed on a later turn of the loop, never inside the release.
     */
    boolean take(Lease lease) {
      if (!state.compareAndSet(WAITING, DONE)) {
        return false;
      }
      backend.pending.decrementAndGet();
      backend.waiters.remove(this);
      lease.reused = true;
      context.runOnContext(
          v -> {
            if (timer >= 0) {
              context.owner().cancelTimer(timer);
            }
            // Closed meanwhile, it fails as any stale keep-alive connection does, and the
            // attempt's stale-connection retry acquires again.
            promise.complete(lease);
          });
      return true;
    }

    /** Ends the wait without a slot; false when a slot was granted first. */
    boolean cancel() {
      if (!state.compareAndSet(WAITING, DONE)) {
        return false;
      }
      backend.pending.decrementAndGet();
      backend.waiters.remove(this);
      return true;
    }
  }

  private @Nullable Lease idleLease(String key) {
    ArrayDeque<Lease> q = idle.get(key);
    if (q != null) {
      Lease l;
      while ((l = q.pollLast()) != null) {
        if (!l.closed) {
          l.reused = true;
          return l;
        }
      }
    }
    return null;
  }

  /** Closes one idle connection counted for {@code backend}, if this loop holds one. */
  private void evictIdleOf(BackendLimits.Backend backend) {
    for (ArrayDeque<Lease> q : idle.values()) {
      for (Iterator<Lease> it = q.iterator(); it.hasNext(); ) {
        Lease l = it.next();
        if (l.backend == backend && !l.closed) {
          it.remove();
          l.connection.close(); // its close hands the slot to the first waiter
          return;
        }
      }
    }
  }

  /**
   * Opens a connection, which starts with {@code header} when there is one; {@code backend}'s slot
   * (already taken) is given back when it closes.
   */
  private Future<Lease> open(
      Endpoint endpoint,
      long connectTimeoutMs,
      BackendLimits.@Nullable Backend backend,
      @Nullable ProxyHeader header) {
    String key = keyOf(endpoint, header);
    HttpConnectOptions options =
        new HttpConnectOptions().setPort(endpoint.port()).setConnectTimeout(connectTimeoutMs);
    if (serverName == null) {
      options.setHost(endpoint.host());
    } else {
      options
          .setServer(SocketAddress.inetSocketAddress(endpoint.port(), endpoint.host()))
          .setHost(serverName);
    }
    Future<HttpClientConnection> connected = client.connect(options);
    if (backend != null) {
      connected.onFailure(t -> backend.connectionClosed());
    }
    return connected.compose(
        c -> {
          Lease l = new Lease(this, c, key, backend);
          open.add(c);
          c.closeHandler(
              v -> {
                l.closed = true;
                open.remove(c);
                if (backend != null) {
                  backend.connectionClosed();
                }
              });
          if (header != null && !writeFirst(c, header.encode())) {
            l.closed = true;
            c.close();
            return Future.failedFuture(NO_HEADER);
          }
          return Future.succeededFuture(l);
        });
  }

  /** A connection whose PROXY header could not be written: it was closed unused. */
  static final IllegalStateException NO_HEADER =
      new IllegalStateException("cannot write the PROXY protocol header on this connection", null);

  /**
   * Writes {@code header} on a connection nothing was written on yet, from the head of its
   * pipeline: past Vert.x's HTTP codec, which takes only HTTP messages. Vert.x writes the request
   * later on the same channel, so the header goes first.
   */
  private static boolean writeFirst(HttpClientConnection connection, ByteBuf header) {
    Channel channel = VertxChannels.channel(connection);
    ChannelHandlerContext first = channel == null ? null : channel.pipeline().firstContext();
    if (first == null) {
      header.release();
      return false;
    }
    first.writeAndFlush(header);
    return true;
  }

  /**
   * Writes {@code header} (a PROXY header's bytes) first on a new HTTP/1.1 {@code connection}, as
   * the cache does for its own: for a health probe's connection. False when the connection's
   * channel cannot be reached: then nothing was written, and the caller must not use it.
   */
  public static boolean writeFirst(HttpClientConnection connection, byte[] header) {
    return writeFirst(connection, Unpooled.wrappedBuffer(header));
  }

  private String keyOf(Endpoint endpoint, @Nullable ProxyHeader header) {
    return header == null ? keyOf(endpoint) : keyOf(endpoint) + ' ' + header.key();
  }

  private String keyOf(Endpoint endpoint) {
    String key = keys.get(endpoint);
    if (key == null) {
      if (keys.size() >= MAX_KEYS) {
        keys.clear();
      }
      key = endpoint.authority();
      keys.put(endpoint, key);
    }
    return key;
  }

  /**
   * Returns a connection after its exchange. One that is not reusable came from an exchange that
   * failed or was given up (reset, timed out, answered locally, its client gone). It is closed with
   * a FIN when nothing is queued on it, as nginx closes an upstream connection whose client left,
   * so the upstream sees an ordinary close; with bytes queued it is reset at once ({@link
   * AbortiveClose}), since a graceful close would wait behind request bytes an upstream that reads
   * nothing never takes, and nothing on it is worth delivering.
   */
  public void release(Lease lease, boolean reusable) {
    if (lease.closed) {
      return;
    }
    if (!reusable || lease.exclusive) {
      lease.closed = true;
      if (!AbortiveClose.ifStuck(lease.connection)) {
        lease.connection.close();
      }
      return;
    }
    if (closed) {
      lease.connection.close();
      return;
    }
    BackendLimits.Backend backend = lease.backend;
    if (backend != null && !backend.waiters.isEmpty()) {
      // Requests wait for a slot of this backend: the first gets this connection when it waits
      // on this loop for this endpoint, else the close hands the slot to it.
      Waiter first = backend.waiters.peek();
      if (first == null
          || first.cache != this
          || !first.key.equals(lease.key)
          || !first.take(lease)) {
        lease.connection.close();
      }
      return;
    }
    ArrayDeque<Lease> q = idle.computeIfAbsent(lease.key, k -> new ArrayDeque<>());
    if (q.size() >= maxIdle) {
      lease.connection.close();
      return;
    }
    lease.idleSince = System.nanoTime();
    q.addLast(lease);
  }

  /** Closes connections idle for longer than the idle timeout and forgets closed ones. */
  public void sweep(long now) {
    for (Iterator<ArrayDeque<Lease>> it = idle.values().iterator(); it.hasNext(); ) {
      ArrayDeque<Lease> q = it.next();
      // Oldest first: stop at the first connection still within its idle time.
      Lease l;
      while ((l = q.peekFirst()) != null && (l.closed || now - l.idleSince >= idleTimeoutNanos)) {
        q.pollFirst();
        if (!l.closed) {
          l.connection.close();
        }
      }
      if (q.isEmpty()) {
        it.remove();
      }
    }
  }

  /** Resets the open connections whose peer has not taken what was written; returns how many. */
  public int resetStuck() {
    int n = 0;
    for (HttpClientConnection c : open.toArray(new HttpClientConnection[0])) {
      if (AbortiveClose.ifStuck(c)) {
        n++;
      }
    }
    return n;
  }

  /** Closes the idle connections; connections on loan are closed when they come back. */
  public void closeAll() {
    closed = true;
    for (ArrayDeque<Lease> q : idle.values()) {
      for (Lease l : q) {
        l.connection.close();
      }
    }
    idle.clear();
  }
}
