package io.gatehouse.k8s.watch;

import io.gatehouse.endpoint.EndpointIndex;
import io.gatehouse.endpoint.EndpointsKey;
import io.gatehouse.k8s.translate.ServiceEndpoints;
import io.gatehouse.model.Endpoint;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Service;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the node's {@link EndpointIndex} with the endpoints of Kubernetes Service ports, from this
 * node's own informer caches: no leader, no translation and no table write, so an EndpointSlice
 * change costs O(slices of that Service) on each node, however many Ingresses use the Service
 * (issue #12; design in docs/design/route-model-v2-endpoints.md §3).
 *
 * <p>Which keys. The compiler retains a {@link EndpointsKey.Service} key for each Service port a
 * route refers to; a key nobody fed yet is resolved by this feed from the cache (the index calls
 * {@link #resolve}) and remembered, and from then on every change of its Service is recomputed.
 * Keys are forgotten when their Service is deleted and the index no longer holds them.
 *
 * <p>Threading. Informer callbacks only add {@code namespace/name} to a dirty set ({@link
 * #serviceChanged}); the feed's own thread drains it with no timer, so a burst of events for one
 * Service coalesces into one computation while a single event is handled at once. The resolver runs
 * on the compile thread and reads the same caches.
 *
 * <p>Consistency: per node and eventual, as kube-proxy's (see the design's §4); nothing here takes
 * the table's lock or waits for another node.
 */
public final class KubernetesEndpointFeed implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KubernetesEndpointFeed.class);

  /** The informer caches the feed reads; the watcher implements it over its indexers. */
  public interface Source {
    /** The Service, or null when the cache has none (deleted or never seen). */
    @Nullable V1Service service(String namespace, String name);

    /** The Service's EndpointSlices (label {@code kubernetes.io/service-name}), possibly none. */
    List<V1EndpointSlice> slices(String namespace, String service);

    /** Whether every informer the feed reads has listed once. */
    boolean synced();
  }

  /** A Service by namespace and name. */
  public record ServiceRef(String namespace, String name) {
    public ServiceRef {
      Objects.requireNonNull(namespace, "namespace");
      Objects.requireNonNull(name, "name");
    }

    @Override
    public String toString() {
      return namespace + "/" + name;
    }
  }

  private final EndpointIndex index;
  private final ServiceEndpoints rules;
  private final UnaryOperator<Endpoint> mapper;
  private final Source source;
  private final Consumer<ServiceRef> refusalsChanged;

  private final Map<ServiceRef, Set<EndpointsKey.Service>> keys = new ConcurrentHashMap<>();
  private final Map<ServiceRef, Map<String, String>> lastRefused = new ConcurrentHashMap<>();

  private final Object lock = new Object();
  // Guarded by lock: Service -> System.nanoTime() of its first event since the last drain.
  private final LinkedHashMap<ServiceRef, Long> dirty = new LinkedHashMap<>();
  private boolean closed;
  private boolean resyncRequested;

  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private final Thread thread;

  /**
   * @param index the node's endpoint index; the feed registers itself as its resolver for Service
   *     keys
   * @param rules the translator's endpoint rules and address policies, so both agree
   * @param mapper applied to every endpoint computed (a test seam; identity in production)
   * @param source the informer caches
   * @param refusalsChanged called on the feed's thread when the set of slice addresses the policy
   *     refuses for a Service changed, so the node can log it (the leader's warnings come from its
   *     watcher, which re-translates when a slice changes what its last translation refused)
   */
  public KubernetesEndpointFeed(
      EndpointIndex index,
      ServiceEndpoints rules,
      UnaryOperator<Endpoint> mapper,
      Source source,
      Consumer<ServiceRef> refusalsChanged) {
    this.index = Objects.requireNonNull(index, "index");
    this.rules = Objects.requireNonNull(rules, "rules");
    this.mapper = Objects.requireNonNull(mapper, "mapper");
    this.source = Objects.requireNonNull(source, "source");
    this.refusalsChanged = Objects.requireNonNull(refusalsChanged, "refusalsChanged");
    this.thread = new Thread(this::run, "gatehouse-k8s-endpoints");
    this.thread.setDaemon(true);
    index.resolver(EndpointsKey.Service.class, k -> resolve((EndpointsKey.Service) k));
    // Keys the compiler retained before this feed existed (a node's routes compile before its
    // Kubernetes watch starts) asked no resolver: learn them, so the first sync computes them.
    // After the resolver is registered, so a retain from now on is seen by one or the other.
    for (EndpointsKey.Service key : index.keys(EndpointsKey.Service.class)) {
      remember(key);
    }
  }

  private void remember(EndpointsKey.Service key) {
    keys.computeIfAbsent(
            new ServiceRef(key.namespace(), key.service()), s -> ConcurrentHashMap.newKeySet())
        .add(key);
  }

  /** Starts the feed's thread. */
  public KubernetesEndpointFeed start() {
    thread.start();
    return this;
  }

  /**
   * Completes once the caches have synced and every key known then has been computed from them:
   * until then a node may serve a route with endpoints from a half-listed cache.
   */
  public CompletableFuture<Void> ready() {
    return ready;
  }

  /**
   * Informer callback for a Service, or for an EndpointSlice with the Service it names (its {@code
   * kubernetes.io/service-name} label): marks the Service for recomputation. Cheap, never blocks on
   * the index.
   */
  public void serviceChanged(@Nullable String namespace, @Nullable String name) {
    if (namespace == null || name == null) {
      return; // a slice without the label belongs to no Service
    }
    ServiceRef ref = new ServiceRef(namespace, name);
    if (!keys.containsKey(ref)) {
      return; // no route refers to it; the resolver reads the cache when one does
    }
    synchronized (lock) {
      dirty.putIfAbsent(ref, System.nanoTime());
      lock.notifyAll();
    }
  }

  /**
   * The caches listed once (or relisted): recompute every known key, then complete {@link
   * #ready()}.
   */
  public void synced() {
    synchronized (lock) {
      resyncRequested = true;
      lock.notifyAll();
    }
  }

  /** The keys the feed keeps up to date, per Service (explain, tests). */
  public Set<EndpointsKey.Service> keysOf(String namespace, String name) {
    return Set.copyOf(keys.getOrDefault(new ServiceRef(namespace, name), Set.of()));
  }

  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      lock.notifyAll();
    }
    ready.completeExceptionally(new IllegalStateException("endpoint feed closed"));
  }

  /**
   * The index's resolver (compile thread): remembers the key first, so an event arriving while it
   * reads the cache is recomputed after, then answers from the cache, or null while the caches have
   * not listed yet (the key stays unknown until {@link #synced}).
   */
  private @Nullable List<Endpoint> resolve(EndpointsKey.Service key) {
    remember(key);
    if (!source.synced()) {
      return null;
    }
    return endpointsOf(key);
  }

  private void run() {
    while (true) {
      Map<ServiceRef, Long> batch;
      boolean resync;
      synchronized (lock) {
        while (!closed && dirty.isEmpty() && !resyncRequested) {
          try {
            lock.wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
        if (closed) {
          return;
        }
        resync = resyncRequested;
        resyncRequested = false;
        batch = new LinkedHashMap<>(dirty);
        dirty.clear();
      }
      try {
        if (resync) {
          for (ServiceRef s : List.copyOf(keys.keySet())) {
            batch.putIfAbsent(s, System.nanoTime());
          }
        }
        for (Map.Entry<ServiceRef, Long> e : batch.entrySet()) {
          recompute(e.getKey(), e.getValue());
        }
        if (resync && source.synced()) {
          ready.complete(null);
        }
      } catch (RuntimeException e) {
        // a bug in one Service's data must not stop the feed for every other Service
        LOG.atError()
            .setMessage("endpoint feed failed; the services stay as they were")
            .setCause(e)
            .log();
      }
    }
  }

  private void recompute(ServiceRef ref, long firstEventNanos) {
    Set<EndpointsKey.Service> known = keys.get(ref);
    if (known == null) {
      return;
    }
    V1Service cached = source.service(ref.namespace(), ref.name());
    V1Service service = cached == null || cached.getSpec() == null ? null : cached; // null: gone
    boolean gone = service == null;
    List<V1EndpointSlice> slices = gone ? List.of() : source.slices(ref.namespace(), ref.name());
    int changed = 0;
    Map<String, String> refused = new LinkedHashMap<>();
    for (EndpointsKey.Service key : List.copyOf(known)) {
      if (service == null) { // gone
        index.remove(key);
        if (index.get(key).revision() == 0) {
          known.remove(key); // nobody retains it: forget it until a route refers to it again
        }
        changed++;
        continue;
      }
      ServiceEndpoints.Result result = compute(service, key, slices);
      if (result instanceof ServiceEndpoints.Endpoints found) {
        refused.putAll(found.refused());
      }
      if (index.put(key, endpoints(result))) {
        changed++;
      }
    }
    if (known.isEmpty()) {
      keys.remove(ref, known);
    }
    Map<String, String> before = gone ? lastRefused.remove(ref) : lastRefused.put(ref, refused);
    if (!Objects.equals(before == null ? Map.of() : before, refused)) {
      refusalsChanged.accept(ref);
    }
    if (changed > 0 && LOG.isDebugEnabled()) {
      LOG.atDebug()
          .setMessage("endpoints published")
          .addKeyValue("service", ref)
          .addKeyValue("keys", changed)
          .addKeyValue("eventToPutMs", (System.nanoTime() - firstEventNanos) / 1_000_000.0)
          .log();
    }
  }

  private List<Endpoint> endpointsOf(EndpointsKey.Service key) {
    V1Service service = source.service(key.namespace(), key.service());
    if (service == null || service.getSpec() == null) {
      return List.of();
    }
    return endpoints(compute(service, key, source.slices(key.namespace(), key.service())));
  }

  private ServiceEndpoints.Result compute(
      V1Service service, EndpointsKey.Service key, List<V1EndpointSlice> slices) {
    Integer number = key.portName() == null ? key.port() : null;
    return rules.compute(service, number, key.portName(), slices);
  }

  /**
   * A port the Service lacks or a refused ExternalName has no endpoints (the route answers 503).
   */
  private List<Endpoint> endpoints(ServiceEndpoints.Result result) {
    if (!(result instanceof ServiceEndpoints.Endpoints found)) {
      return List.of();
    }
    if (mapper == UnaryOperator.<Endpoint>identity()) {
      return found.endpoints();
    }
    List<Endpoint> mapped = new ArrayList<>(found.endpoints().size());
    for (Endpoint e : found.endpoints()) {
      mapped.add(mapper.apply(e));
    }
    return mapped;
  }
}
