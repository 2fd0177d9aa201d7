package io.gatehouse.snapshot;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.gatehouse.endpoint.EndpointIndex;
import io.gatehouse.endpoint.EndpointSet;
import io.gatehouse.endpoint.EndpointsKey;
import io.gatehouse.model.BackendKey;
import io.gatehouse.model.BackendObject;
import io.gatehouse.model.BackendRef;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.CanaryRule;
import io.gatehouse.model.HeaderMatch;
import io.gatehouse.model.ListenerKey;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.QueryMatch;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.UpstreamTls;
import io.gatehouse.model.ValueMatchType;
import io.gatehouse.model.backend.BackendPolicy;
import io.gatehouse.model.policy.ErrorPages;
import io.gatehouse.model.policy.PolicySpec;
import io.gatehouse.model.policy.RequestMirror;
import io.gatehouse.model.policy.SessionPersistence;
import io.gatehouse.policy.ClientCertificateCheck;
import io.gatehouse.policy.PolicyCompiler;
import io.gatehouse.policy.PolicyServices;
import io.gatehouse.snapshot.RouteMatcher.ValueCondition;
import io.gatehouse.table.TableDelta;
import io.gatehouse.table.TableView;
import io.gatehouse.validate.Hostnames;
import io.gatehouse.validate.Validated;
import io.gatehouse.validate.Violation;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Compiles a table view into an immutable {@link RouteSnapshot}. Deterministic (routes are taken in
 * {@code RouteKey} order); meant to run off the event loop, on one thread.
 *
 * <p>The table holds validated routes, but the compiler trusts nothing it cannot use: a host, path
 * or condition it cannot compile becomes a {@link RouteProblem} and the rest ships. A bad host or
 * path only drops that host or path (the route narrows); a bad condition, or a route left without
 * hosts or paths, drops the whole route (it must never widen).
 *
 * <p>Endpoints go to the node's {@link EndpointIndex}, not into the snapshot: each compiled route's
 * {@link Target} (one per backend) holds the slot of {@code EndpointsKey.Inline(route, i)}, which
 * the compiler puts (before the snapshot is published, so a new route never meets an absent key)
 * and retains. A change that only touches a route's endpoints is one {@code put} and recompiles
 * nothing (Contour keeps endpoints out of its DAG rebuild); a change of a backend's protocol or
 * upstream TLS setting is never endpoint-only. Slots the previous snapshot held and the new one
 * does not are released by {@link #afterPublish}, once no published snapshot uses them.
 *
 * <p>A route whose backend is a Kubernetes Service port ({@link BackendRef.ServicePort}) holds the
 * slot of {@code EndpointsKey.Service(its tenant, which is its namespace, service, port,
 * portName)}: retained, never put, and never removed here, because the node's endpoint feed owns
 * those keys (a key nobody fed yet is resolved by the feed, else it is empty and the route answers
 * 503).
 *
 * <p>A route that names a backend object of its tenant ({@link BackendRef.Named}) holds the slot of
 * {@code EndpointsKey.Named(backend, variant)}, which the compiler puts from the view's backend
 * objects (before the publish too). An endpoint-only change of a backend object is one {@code put}
 * and recompiles nothing; a change of its protocol or upstream TLS, or its creation or deletion,
 * moves it to the other key variant and recompiles exactly the routes naming it, found through a
 * reverse map. A route naming a backend its tenant does not have is compiled all the same, with an
 * empty target (its share answers 503) and a problem saying so: sources may create the route before
 * the backend, as Kubernetes references allow.
 *
 * <p>A backend that answers a fixed status ({@link BackendRef.Unresolved}) holds the slot of its
 * {@code EndpointsKey.Inline}, put empty, and its {@link Target} carries the status: the exchange
 * answers it without an upstream attempt, and a split counts it as a live target, so exactly its
 * share of the requests gets the status.
 *
 * <p>A route with several backends, or one at weight 0, also gets a {@link Split}: its weights and
 * a slot for each event loop's rotation state, kept while the route's weights stay equal.
 *
 * <p>Incremental compile ({@link #update}): the two views are diffed by key, and only the host
 * levels (exact host, wildcard suffix, catch-all) that an added, removed or changed route lists are
 * rebuilt, from the kept entries of the old level plus the new routes; every other level and
 * compiled route is shared with the previous snapshot. The result serves what a full compile of the
 * new view serves.
 *
 * <p>Both compiles make a route through the same step ({@code RouteParts}), client-certificate
 * check, policy chain and target included; the hosts that ask for client certificates and the
 * upstream TLS settings are counted per route, so an incremental compile updates them from the
 * changed routes alone.
 *
 * <p>Not thread-safe: one instance per publisher.
 */
public final class SnapshotCompiler {
  private final EndpointIndex endpoints;

  /** The last snapshot built: its targets' slots are retained. Null before the first compile. */
  private @Nullable RouteSnapshot held;

  /** The base of the next incremental compile; null after a failure, so the next is full. */
  private @Nullable RouteSnapshot last;

  /** The view {@link #last} was compiled from; null exactly when it is. */
  private @Nullable TableView lastView;

  /** Targets retained by the compile in progress: given back if it fails. */
  private final List<Target> retainedNow = new ArrayList<>();

  /** Targets of earlier snapshots to release once the snapshot built since is published. */
  private final List<Target> releaseAfterPublish = new ArrayList<>();

  /**
   * The split slot of each route compiled with a split. A slot is given back as soon as its route
   * has no split any more: a loop that still serves the old snapshot meets another {@link Split}
   * object there and only restarts that rotation, which is harmless.
   */
  private final Map<RouteKey, Integer> splitSlots = new HashMap<>();

  private final BitSet usedSplitSlots = new BitSet();

  /** The named backends as last put into the index, by key. */
  private final Map<BackendKey, BackendObject> fedBackends = new HashMap<>();

  /** What the compiled filters borrow from the node ({@link PolicyServices#NONE} without one). */
  private volatile PolicyServices policyServices = PolicyServices.NONE;

  /** The HMAC key of the sticky cookies' values; never in an answer or a log line. */
  private final byte[] stickyKey;

  /** The key variant each named backend is served under (kept while routes name it). */
  private final Map<BackendKey, Integer> namedVariants = new HashMap<>();

  /** The compiled routes naming each backend: recompiled when its protocol or TLS changes. */
  private final Map<BackendKey, Set<RouteKey>> naming = new HashMap<>();

  /**
   * The slot of every listener the table has held (1 and up): never reused, so a socket of a
   * removed listener still draining never reads another listener's routes.
   */
  private final Map<ListenerKey, Integer> listenerSlots = new HashMap<>();

  /** An immutable copy of {@link #listenerSlots}, made again only when a listener is new. */
  private Map<ListenerKey, Integer> listenerSlotsCopy = Map.of();

  /** Variants of named backends left behind: removed from the index after the next publish. */
  private final List<EndpointsKey.Named> namedToRemove = new ArrayList<>();

  /**
   * A compiler feeding {@code endpoints} (the node's index); its first update is a full compile.
   */
  public SnapshotCompiler(EndpointIndex endpoints) {
    this(endpoints, randomStickyKey());
  }

  /**
   * As {@link #SnapshotCompiler(EndpointIndex)}, with the key of the sticky cookies' values ({@link
   * StickyCookies}): nodes that share it honour each other's cookies.
   */
  public SnapshotCompiler(EndpointIndex endpoints, byte[] stickyKey) {
    this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
    if (stickyKey.length < MIN_STICKY_KEY_BYTES) {
      throw new IllegalArgumentException(
          "sticky key: " + stickyKey.length + " bytes (expected: " + MIN_STICKY_KEY_BYTES + "+)");
    }
    this.stickyKey = stickyKey.clone();
  }

  /**
   * The node's services for the filters it compiles from now on; set once, before the first compile
   * (the node wires it).
   */
  public void policyServices(PolicyServices services) {
    this.policyServices = Objects.requireNonNull(services, "services");
  }

  /** The shortest key of the sticky cookies' HMAC. */
  public static final int MIN_STICKY_KEY_BYTES = 16;

  /** A fresh random sticky key (a node without {@code proxy.stickyKeyFile}, tests). */
  public static byte[] randomStickyKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return key;
  }

  /** A compiler with an index of its own (tests, benchmarks). */
  public SnapshotCompiler() {
    this(new EndpointIndex());
  }

  /** The index the compiled routes' slots point into. */
  public EndpointIndex endpoints() {
    return endpoints;
  }

  /** A full compile into an index of its own; for tests and benchmarks that read no endpoints. */
  public static RouteSnapshot compile(TableView view) {
    return new SnapshotCompiler().rebuild(view);
  }

  /**
   * Compiles {@code next} incrementally from the last snapshot this compiler built, or in full when
   * there is none. If it throws, the compiler gives back what it retained and forgets its base, so
   * the caller's fallback is {@link #rebuild}.
   */
  public RouteSnapshot update(TableView next) {
    if (last == null || lastView == null) {
      return rebuild(next);
    }
    RouteSnapshot previous = last;
    TableView previousView = lastView;
    last = null; // a failure below must not leave a half-updated base for the next call
    lastView = null;
    int pending = releaseAfterPublish.size();
    RouteSnapshot s;
    try {
      s = incremental(previous, previousView, next);
    } catch (RuntimeException | Error e) {
      undo(pending);
      throw e;
    }
    remember(s, next);
    return s;
  }

  /** A full compile of {@code next} that the next {@link #update} starts from. */
  public RouteSnapshot rebuild(TableView next) {
    last = null;
    lastView = null;
    int pending = releaseAfterPublish.size();
    RouteSnapshot s;
    try {
      s = full(next);
    } catch (RuntimeException | Error e) {
      undo(pending);
      throw e;
    }
    if (held != null) {
      releaseAfterPublish.addAll(targets(held.routeArray()));
    }
    remember(s, next);
    return s;
  }

  /**
   * The snapshot last built is published: releases the slots only older snapshots used, and forgets
   * the keys no compiled route uses any more. Call it after every publish, on the compile thread; a
   * slot must never be released while a published snapshot still reads it.
   */
  public void afterPublish() {
    for (Target t : releaseAfterPublish) {
      drop(t);
    }
    releaseAfterPublish.clear();
    for (EndpointsKey.Named n : namedToRemove) {
      Integer now = namedVariants.get(n.backend());
      if (now == null || now != n.variant()) {
        endpoints.remove(n);
      }
    }
    namedToRemove.clear();
  }

  private void remember(RouteSnapshot s, TableView view) {
    retainedNow.clear();
    held = s;
    last = s;
    lastView = view;
  }

  /** Gives back what a failed compile retained or meant to release. */
  private void undo(int pending) {
    releaseAfterPublish.subList(pending, releaseAfterPublish.size()).clear();
    for (Target t : retainedNow) {
      drop(t);
    }
    retainedNow.clear();
  }

  /**
   * Releases one hold of {@code t}'s slot; an inline key no route of {@link #held} uses is
   * forgotten. Other keys belong to their feeder, which removes them.
   */
  private void drop(Target t) {
    endpoints.release(t.slot());
    if (!(t.key() instanceof EndpointsKey.Inline inline)) {
      return;
    }
    CompiledRoute now = held == null ? null : held.route(inline.route());
    if (now == null || !now.allTargets().stream().anyMatch(x -> x.key().equals(t.key()))) {
      endpoints.remove(t.key());
    }
  }

  private static List<Target> targets(CompiledRoute[] routes) {
    List<Target> out = new ArrayList<>(routes.length);
    for (CompiledRoute r : routes) {
      out.addAll(r.allTargets());
    }
    return out;
  }

  /**
   * The targets of {@code spec}'s backends, in its order: static endpoints put (a no-op when
   * unchanged) and every slot retained, before the snapshot that uses them is published.
   */
  private Targets targets(RouteSpec spec, List<RouteProblem> problems) {
    List<RouteBackend> backends = spec.backends();
    int variant = variant(spec);
    List<Target> out = new ArrayList<>(backends.size());
    for (int i = 0; i < backends.size(); i++) {
      RouteBackend b = backends.get(i);
      if (b.ref() instanceof BackendRef.ServicePort p) {
        out.add(serviceTarget(spec.key(), p, b.weight()));
        continue;
      }
      if (b.ref() instanceof BackendRef.Named n) {
        out.add(namedTarget(spec.key(), "backends[" + i + "]", n, b.weight(), problems));
        continue;
      }
      if (b.ref() instanceof BackendRef.Unresolved u) {
        out.add(unresolvedTarget(new EndpointsKey.Inline(spec.key(), i, variant), u, b.weight()));
        continue;
      }
      BackendSpec backend = (BackendSpec) b.ref();
      EndpointsKey key = new EndpointsKey.Inline(spec.key(), i, variant);
      endpoints.put(key, backend.endpoints());
      int slot = endpoints.retain(key);
      Target t = Target.of(key, slot, backend, b.weight());
      retainedNow.add(t);
      out.add(t);
    }
    return new Targets(out, mirrors(spec, variant, problems));
  }

  /** A route's targets and its compiled mirrors, made by one {@link #targets} call. */
  private record Targets(List<Target> primary, List<Mirror> mirrors) {}

  /**
   * The index of a mirror's static endpoints in its route's {@code EndpointsKey.Inline}: past any
   * backend position, so a mirror's endpoints and a backend's never share a key.
   */
  static final int MIRROR_BASE = 1 << 16;

  /**
   * The route's mirrors, in policy order, each with a retained target as a backend's is (static
   * endpoints put under {@code Inline(route, MIRROR_BASE + j)}; a Service port or named backend by
   * its own key). The compiled mirror of the route as held is kept when its policy and target are
   * equal, with its in-flight count and outcomes.
   */
  private List<Mirror> mirrors(RouteSpec spec, int variant, List<RouteProblem> problems) {
    List<Mirror> out = null;
    CompiledRoute before = held == null ? null : held.route(spec.key());
    int j = 0;
    List<PolicySpec> policies = spec.policies();
    for (int i = 0; i < policies.size(); i++) {
      if (!(policies.get(i) instanceof RequestMirror m)) {
        continue;
      }
      Target t;
      BackendRef ref = m.backendRef();
      if (ref instanceof BackendRef.ServicePort p) {
        t = serviceTarget(spec.key(), p, 0);
      } else if (ref instanceof BackendRef.Named n) {
        t = namedTarget(spec.key(), "policies[" + i + "].backendRef", n, 0, problems);
      } else if (ref instanceof BackendRef.Unresolved u) {
        // refused by validation; were it there, its copies would find no endpoint
        t = unresolvedTarget(new EndpointsKey.Inline(spec.key(), MIRROR_BASE + j, variant), u, 0);
      } else {
        BackendSpec backend = (BackendSpec) ref;
        EndpointsKey key = new EndpointsKey.Inline(spec.key(), MIRROR_BASE + j, variant);
        endpoints.put(key, backend.endpoints());
        int slot = endpoints.retain(key);
        t = Target.of(key, slot, backend, 0);
        retainedNow.add(t);
      }
      Mirror old = before == null || j >= before.mirrors().size() ? null : before.mirrors().get(j);
      if (out == null) {
        out = new ArrayList<>(2);
      }
      out.add(
          old != null && old.spec().equals(m) && old.target().equals(t) ? old : new Mirror(m, t));
      j++;
    }
    return out == null ? List.of() : out;
  }

  /**
   * The inline key index of a route's first error backend: past every backend index ({@link
   * io.gatehouse.validate.RouteValidator#MAX_BACKENDS}) and every mirror's ({@link #MIRROR_BASE}),
   * so no two share a key.
   */
  static final int ERROR_BACKEND_INDEX = 1 << 17;

  /**
   * The targets of {@code spec}'s error backends (one per error pages policy with a backend, in
   * policy order), retained as a route's backends are; empty for a route without one, the usual
   * case, which allocates nothing.
   */
  private List<Target> errorTargets(RouteSpec spec, List<RouteProblem> problems) {
    List<Target> out = null;
    List<PolicySpec> policies = spec.policies();
    for (int i = 0; i < policies.size(); i++) {
      if (!(policies.get(i) instanceof ErrorPages e) || e.backend() == null) {
        continue;
      }
      if (out == null) {
        out = new ArrayList<>(1);
      }
      BackendRef ref = e.backend();
      if (ref instanceof BackendRef.ServicePort p) {
        out.add(serviceTarget(spec.key(), p, 1));
      } else if (ref instanceof BackendRef.Named n) {
        out.add(namedTarget(spec.key(), "policies[" + i + "].backend", n, 1, problems));
      } else if (ref instanceof BackendRef.Unresolved u) {
        // refused by validation; were it there, Gatehouse's own page would be sent
        out.add(
            unresolvedTarget(
                new EndpointsKey.Inline(
                    spec.key(), ERROR_BACKEND_INDEX + out.size(), variant(spec)),
                u,
                1));
      } else {
        BackendSpec backend = (BackendSpec) ref;
        EndpointsKey key =
            new EndpointsKey.Inline(spec.key(), ERROR_BACKEND_INDEX + out.size(), variant(spec));
        endpoints.put(key, backend.endpoints());
        int slot = endpoints.retain(key);
        Target t = Target.of(key, slot, backend, 1);
        retainedNow.add(t);
        out.add(t);
      }
    }
    return out == null ? List.of() : out;
  }

  /**
   * The split of a route compiled with {@code targets}, or null for one target above weight 0 (the
   * fast path). The route's split as held is kept when its weights are equal, so every event loop
   * keeps its rotation across the recompile.
   */
  private @Nullable Split split(RouteKey route, List<Target> targets, RouteSpec spec) {
    if (targets.size() == 1 && targets.get(0).weight() > 0) {
      return null;
    }
    List<RouteBackend> backends = spec.backends();
    StickyCookies sticky = null;
    for (PolicySpec p : spec.policies()) {
      if (p instanceof SessionPersistence s) {
        sticky = StickyCookies.compile(s, route, targets, stickyKey);
      }
    }
    int[] weights = new int[targets.size()];
    int canaryIndex = -1;
    CanaryRule rule = null;
    for (int i = 0; i < weights.length; i++) {
      weights[i] = targets.get(i).weight();
      if (i < backends.size() && backends.get(i).canary() != null && canaryIndex < 0) {
        canaryIndex = i;
        rule = backends.get(i).canary();
      }
    }
    CompiledRoute before = held == null ? null : held.route(route);
    Split old = before == null ? null : before.split();
    Integer slot = splitSlots.get(route);
    if (old != null
        && slot != null
        && old.slot() == slot
        && old.sameWeights(weights)
        && old.sameCanary(canaryIndex, rule)
        && old.sameSticky(sticky)) {
      return old;
    }
    if (slot == null) {
      slot = usedSplitSlots.nextClearBit(0);
      usedSplitSlots.set(slot);
      splitSlots.put(route, slot);
    }
    return new Split(
        slot, weights, canaryIndex, rule == null ? null : new CanaryMatcher(rule), sticky);
  }

  /**
   * Gives back the split slot of {@code route} when it was compiled to {@code now} (or dropped).
   */
  private void keepSplitSlot(RouteKey route, @Nullable CompiledRoute now) {
    if (now == null || now.split() == null) {
      Integer slot = splitSlots.remove(route);
      if (slot != null) {
        usedSplitSlots.clear(slot);
      }
    }
  }

  /**
   * The target of a backend that answers {@code u.status()} itself: its key holds no endpoints (put
   * empty and retained as a static backend's, so explain and the balancers see an ordinary slot),
   * and the exchange answers it without an upstream attempt.
   */
  private Target unresolvedTarget(EndpointsKey key, BackendRef.Unresolved u, int weight) {
    endpoints.put(key, List.of());
    int slot = endpoints.retain(key);
    Target t =
        new Target(
            key, slot, UpstreamProtocol.HTTP1, null, weight, BackendPolicy.DEFAULT, u.status());
    retainedNow.add(t);
    return t;
  }

  /**
   * The target of a Service port in the route's namespace (its tenant, as the translators key
   * routes), or in the namespace the reference names (a Gateway API route's, with a
   * ReferenceGrant): retained only; the endpoint feed puts it, or resolves it on this retain.
   */
  private Target serviceTarget(RouteKey route, BackendRef.ServicePort p, int weight) {
    String namespace = p.namespace() != null ? p.namespace() : route.tenant().value();
    EndpointsKey key = new EndpointsKey.Service(namespace, p.service(), p.port(), p.portName());
    int slot = endpoints.retain(key);
    Target t =
        new Target(key, slot, p.protocol(), p.tls(), weight, BackendPolicy.orDefault(p.policy()));
    retainedNow.add(t);
    return t;
  }

  /**
   * The target of a backend object of the route's tenant: retained only; {@link #feedBackends} puts
   * its endpoints. An absent object leaves the target empty, and the route reports it.
   */
  private Target namedTarget(
      RouteKey route, String field, BackendRef.Named n, int weight, List<RouteProblem> problems) {
    BackendKey backend = new BackendKey(route.tenant(), n.name());
    EndpointsKey key = namedKey(backend);
    BackendObject object = fedBackends.get(backend);
    if (object == null) {
      problems.add(
          new RouteProblem(
              route,
              field
                  + ": backend \""
                  + n.name()
                  + "\" does not exist in tenant "
                  + route.tenant()
                  + (field.startsWith("policies")
                      ? " (Gatehouse's own error pages are sent until it does)"
                      : " (its share answers 503 until it does)")));
    }
    int slot = endpoints.retain(key);
    Target t =
        object == null
            ? new Target(key, slot, UpstreamProtocol.HTTP1, null, weight, BackendPolicy.DEFAULT)
            : Target.of(key, slot, object.spec(), weight);
    retainedNow.add(t);
    return t;
  }

  private EndpointsKey.Named namedKey(BackendKey backend) {
    return new EndpointsKey.Named(backend, namedVariants.getOrDefault(backend, 0));
  }

  /**
   * Puts the endpoints of the named backends among {@code candidates} that changed since the last
   * compile, before the snapshot is published. Returns the backends whose protocol or upstream TLS
   * changed, or that appeared or went: the routes naming them must be compiled again, against a
   * fresh key variant (the routes still published keep the old one until the publish).
   */
  private Set<BackendKey> feedBackends(TableView next, Iterable<BackendKey> candidates) {
    Set<BackendKey> changedHow = new HashSet<>();
    for (BackendKey k : candidates) {
      BackendObject old = fedBackends.get(k);
      BackendObject now = next.backends().get(k);
      if (Objects.equals(old, now)) {
        continue;
      }
      if (old != null && now != null && sameHow(old.spec(), now.spec())) {
        endpoints.put(namedKey(k), now.spec().endpoints());
        fedBackends.put(k, now);
        continue;
      }
      Integer was = namedVariants.get(k);
      if (was != null) {
        namedToRemove.add(new EndpointsKey.Named(k, was));
      }
      if (now == null) {
        fedBackends.remove(k);
        if (naming.getOrDefault(k, Set.of()).isEmpty()) {
          namedVariants.remove(k);
        } else {
          // old != null (it differs from now), and a fed backend always has its variant
          namedVariants.put(k, Objects.requireNonNull(was, "variant") ^ 1);
        }
      } else {
        int variant = was == null ? 0 : was ^ 1;
        namedVariants.put(k, variant);
        fedBackends.put(k, now);
        endpoints.put(new EndpointsKey.Named(k, variant), now.spec().endpoints());
      }
      changedHow.add(k);
    }
    return changedHow;
  }

  private static boolean sameHow(BackendSpec a, BackendSpec b) {
    return a.protocol() == b.protocol()
        && Objects.equals(a.tls(), b.tls())
        && a.proxyProtocol() == b.proxyProtocol()
        && a.effectivePolicy().equals(b.effectivePolicy());
  }

  /** Records which backends {@code route} names, in place of what {@code before} named. */
  private void noteNaming(
      RouteKey route, @Nullable CompiledRoute before, @Nullable CompiledRoute now) {
    if (before != null) {
      for (Target t : before.allTargets()) {
        if (t.key() instanceof EndpointsKey.Named n) {
          Set<RouteKey> routes = naming.get(n.backend());
          if (routes != null && routes.remove(route) && routes.isEmpty()) {
            naming.remove(n.backend());
          }
        }
      }
    }
    if (now != null) {
      for (Target t : now.allTargets()) {
        if (t.key() instanceof EndpointsKey.Named n) {
          naming.computeIfAbsent(n.backend(), b -> new HashSet<>()).add(route);
        }
      }
    }
  }

  /**
   * The key variant for a (re)compiled route: its previous one, flipped when its endpoints change
   * too. The previous compiled route stays published until the new snapshot is, and the put happens
   * before that publish; on the same key the old route (its old protocol, upstream TLS or paths)
   * would meanwhile send to the new endpoints. On a fresh key it keeps its own.
   */
  private int variant(RouteSpec spec) {
    CompiledRoute before = held == null ? null : held.route(spec.key());
    if (before == null) {
      return 0;
    }
    int variant = -1;
    boolean same = true;
    List<RouteBackend> now = spec.backends();
    List<RequestMirror> mirrors = null;
    for (Target t : before.allTargets()) {
      if (!(t.key() instanceof EndpointsKey.Inline old)) {
        continue;
      }
      variant = old.variant();
      int i = old.backend();
      BackendRef ref;
      if (i >= MIRROR_BASE) {
        if (mirrors == null) {
          mirrors = mirrorsOf(spec);
        }
        ref = i - MIRROR_BASE < mirrors.size() ? mirrors.get(i - MIRROR_BASE).backendRef() : null;
      } else {
        ref = i < now.size() ? now.get(i).ref() : null;
      }
      same &=
          ref instanceof BackendSpec b
                  && endpoints.get(t.slot()).endpoints().equals(EndpointSet.sorted(b.endpoints()))
              || ref instanceof BackendRef.Unresolved
                  && endpoints.get(t.slot()).endpoints().isEmpty();
    }
    if (variant < 0) {
      return 0;
    }
    return same ? variant : variant ^ 1;
  }

  private static List<RequestMirror> mirrorsOf(RouteSpec spec) {
    List<RequestMirror> out = new ArrayList<>(1);
    for (PolicySpec p : spec.policies()) {
      if (p instanceof RequestMirror m) {
        out.add(m);
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- full

  private RouteSnapshot full(TableView view) {
    Set<BackendKey> backendKeys = new HashSet<>(fedBackends.keySet());
    backendKeys.addAll(view.backends().keySet());
    feedBackends(view, backendKeys);
    naming.clear();
    List<RouteSpec> specs = new ArrayList<>(view.routes().values());
    specs.sort((a, b) -> a.key().compareTo(b.key()));

    List<CompiledRoute> routes = new ArrayList<>(specs.size());
    List<RouteProblem> problems = new ArrayList<>();
    Map<Level, PathIndex.Builder> levels = new HashMap<>();
    for (RouteSpec spec : specs) {
      RouteParts parts = RouteParts.of(spec, problems);
      if (parts == null) {
        continue;
      }
      CompiledRoute route =
          parts.compile(spec, targets(spec, problems), errorTargets(spec, problems), this);
      noteNaming(spec.key(), null, route);
      routes.add(route);
      parts.addTo(levels, route, l -> new PathIndex.Builder());
    }
    Set<RouteKey> withSplit = new HashSet<>();
    for (CompiledRoute r : routes) {
      if (r.split() != null) {
        withSplit.add(r.spec().key());
      }
    }
    for (RouteKey k : new ArrayList<>(splitSlots.keySet())) {
      if (!withSplit.contains(k)) {
        keepSplitSlot(k, null);
      }
    }

    // One set of levels per listener (null: the node's own).
    Map<@Nullable ListenerKey, LevelChanges> byListener = new HashMap<>();
    for (Map.Entry<Level, PathIndex.Builder> e : levels.entrySet()) {
      Level l = e.getKey();
      byListener.computeIfAbsent(l.listener, k -> new LevelChanges(null)).put(l, e.getValue());
    }
    LevelChanges own = byListener.remove(null);
    Map<ListenerKey, HostIndex> listenerHosts = new HashMap<>();
    byListener.forEach((k, c) -> listenerHosts.put(Objects.requireNonNull(k), c.apply(null)));
    return new RouteSnapshot(
        view.generation(),
        routes.toArray(new CompiledRoute[0]),
        problems,
        own == null ? HostIndex.EMPTY : own.apply(null),
        RouteSnapshot.ClientCertificateHosts.NONE.with(List.of(), routes),
        upstreamTlsUse(routes),
        PassthroughHosts.NONE.with(null, List.of(), routes),
        listenerIndexes(
            view, listenerHosts, PassthroughHosts.byListener(Map.of(), List.of(), routes)));
  }

  /**
   * The changes to one listener's host levels: each touched level's builder, empty ones removed.
   * Applied to the listener's index before (null for none) they give its index after.
   */
  private static final class LevelChanges {
    private final Map<String, @Nullable PathIndex> exact = new HashMap<>();
    private final Map<String, @Nullable PathIndex> wildcards = new HashMap<>();
    private final Map<String, @Nullable PathIndex> anyDepth = new HashMap<>();
    private @Nullable PathIndex catchAll;
    private boolean catchAllTouched;

    LevelChanges(@Nullable HostIndex before) {
      catchAll = before == null ? null : before.catchAll();
    }

    void put(Level l, PathIndex.Builder builder) {
      PathIndex built = builder.isEmpty() ? null : builder.build();
      switch (l.kind) {
        case EXACT_HOST -> exact.put(l.name, built);
        case WILDCARD -> wildcards.put(l.name, built);
        case ANY_DEPTH_WILDCARD -> anyDepth.put(l.name, built);
        case CATCH_ALL -> {
          catchAll = built;
          catchAllTouched = true;
        }
      }
    }

    HostIndex apply(@Nullable HostIndex before) {
      if (before != null) {
        return before.with(exact, wildcards, anyDepth, catchAll);
      }
      return new HostIndex(
          present(exact), present(wildcards), present(anyDepth), catchAllTouched ? catchAll : null);
    }

    private static Map<String, PathIndex> present(Map<String, @Nullable PathIndex> levels) {
      Map<String, PathIndex> out = new HashMap<>();
      levels.forEach(
          (k, v) -> {
            if (v != null) {
              out.put(k, v);
            }
          });
      return out;
    }
  }

  /**
   * The table's listeners, the host index and passthrough names of each listener routes name and
   * the slots, a new slot for a listener first seen.
   */
  private ListenerIndexes listenerIndexes(
      TableView view,
      Map<ListenerKey, HostIndex> listenerHosts,
      Map<ListenerKey, PassthroughHosts> listenerPassthrough) {
    if (view.listeners().isEmpty() && listenerHosts.isEmpty() && listenerPassthrough.isEmpty()) {
      return ListenerIndexes.NONE;
    }
    boolean added = false;
    for (ListenerKey k : view.listeners().keySet()) {
      if (!listenerSlots.containsKey(k)) {
        listenerSlots.put(k, listenerSlots.size() + 1);
        added = true;
      }
    }
    if (added) {
      listenerSlotsCopy = Map.copyOf(listenerSlots);
    }
    return new ListenerIndexes(
        listenerHosts, view.listeners(), listenerSlotsCopy, listenerPassthrough);
  }

  /** The TLS use of a full compile, sharing the set of the snapshot before when it is equal. */
  private RouteSnapshot.UpstreamTlsUse upstreamTlsUse(List<CompiledRoute> routes) {
    RouteSnapshot.UpstreamTlsUse use = RouteSnapshot.UpstreamTlsUse.NONE.with(List.of(), routes);
    Set<UpstreamTls> before = held == null ? null : held.upstreamTlsSettings();
    return before != null && before != use.settings() && before.equals(use.settings())
        ? new RouteSnapshot.UpstreamTlsUse(use.counts(), before)
        : use;
  }

  // ---------------------------------------------------------------- incremental

  private RouteSnapshot incremental(RouteSnapshot prev, TableView prevView, TableView next) {
    Map<RouteKey, RouteSpec> before = prevView.routes();
    Map<RouteKey, RouteSpec> after = next.routes();

    // Routes to compile again (value null: removed); endpoint-only changes go to the index. The
    // table names the keys it changed; without that (views from elsewhere, a reload between them)
    // every key of both views is compared.
    TreeMap<RouteKey, @Nullable RouteSpec> recompile = new TreeMap<>();
    TableDelta delta = next.changesSince(prevView);
    Iterable<RouteKey> candidates = delta != null ? delta.routes() : after.keySet();
    Set<BackendKey> changedHow;
    if (delta != null) {
      changedHow = feedBackends(next, delta.backends());
    } else {
      Set<BackendKey> backendKeys = new HashSet<>(fedBackends.keySet());
      backendKeys.addAll(next.backends().keySet());
      changedHow = feedBackends(next, backendKeys);
    }
    int added = 0;
    for (RouteKey k : candidates) {
      RouteSpec old = before.get(k);
      RouteSpec now = after.get(k);
      if (old == now || (now != null && now.equals(old))) {
        continue;
      }
      if (old == null) {
        added++;
      }
      if (now == null) {
        recompile.put(k, null);
        continue;
      }
      if (old != null && endpointsOnly(old, now)) {
        CompiledRoute c = prev.route(k);
        if (c != null) {
          for (int i = 0; i < c.targets().size(); i++) {
            endpoints.put(
                c.targets().get(i).key(), ((BackendSpec) now.backends().get(i).ref()).endpoints());
          }
        }
        // A dropped route stays dropped with the same problems: they never depend on a backend.
        continue;
      }
      recompile.put(k, now);
    }
    if (delta == null && before.size() + added > after.size()) {
      for (RouteKey k : before.keySet()) { // some key was removed
        if (!after.containsKey(k)) {
          recompile.put(k, null);
        }
      }
    }
    for (BackendKey b : changedHow) { // how a named backend is spoken to changed: its routes
      for (RouteKey k : naming.getOrDefault(b, Set.of())) {
        recompile.putIfAbsent(k, after.get(k));
      }
    }

    if (recompile.isEmpty()) {
      return new RouteSnapshot(
          next.generation(),
          prev.routeArray(),
          prev.compiledProblems(),
          prev.hostIndex(),
          prev.clientCertificateHosts(),
          prev.upstreamTlsUse(),
          prev.passthrough(),
          listenerIndexes(
              next, prev.listenerIndexes().hosts(), prev.listenerIndexes().passthrough()));
    }

    Map<RouteKey, CompiledRoute> oldCompiled = new HashMap<>();
    for (RouteKey k : recompile.keySet()) {
      CompiledRoute c = prev.route(k);
      if (c != null) {
        oldCompiled.put(k, c);
      }
    }

    // Every level a recompiled route was in starts from its kept entries; the others are shared.
    Set<RouteKey> gone = new HashSet<>(recompile.keySet());
    Predicate<RouteMatcher> keep = m -> !gone.contains(m.key);
    Map<Level, PathIndex.Builder> touched = new HashMap<>();
    Function<Level, PathIndex.Builder> thaw =
        l -> {
          HostIndex in = hostsOf(prev, l.listener);
          PathIndex old = in == null ? null : l.in(in);
          return old == null ? new PathIndex.Builder() : new PathIndex.Builder(old, keep);
        };
    List<String> scratch = new ArrayList<>(0);
    for (CompiledRoute c : oldCompiled.values()) {
      for (Level l : Level.of(hosts(c.spec(), scratch), c.spec())) {
        touched.computeIfAbsent(l, thaw);
      }
    }

    List<RouteProblem> problems = new ArrayList<>();
    for (RouteProblem p : prev.compiledProblems()) {
      if (!gone.contains(p.key())) {
        problems.add(p);
      }
    }
    TreeMap<RouteKey, @Nullable CompiledRoute> compiled = new TreeMap<>();
    for (Map.Entry<RouteKey, @Nullable RouteSpec> e : recompile.entrySet()) {
      RouteSpec spec = e.getValue();
      RouteParts parts = spec == null ? null : RouteParts.of(spec, problems);
      if (spec == null || parts == null) { // removed, or dropped by the compiler
        compiled.put(e.getKey(), null);
        keepSplitSlot(e.getKey(), null);
        noteNaming(e.getKey(), oldCompiled.get(e.getKey()), null);
        continue;
      }
      CompiledRoute route =
          parts.compile(spec, targets(spec, problems), errorTargets(spec, problems), this);
      noteNaming(e.getKey(), oldCompiled.get(e.getKey()), route);
      compiled.put(e.getKey(), route);
      keepSplitSlot(e.getKey(), route);
      parts.addTo(touched, route, thaw);
    }
    problems.sort((a, b) -> a.key().compareTo(b.key())); // stable: a route's own order is kept

    Map<@Nullable ListenerKey, LevelChanges> byListener = new HashMap<>();
    for (Map.Entry<Level, PathIndex.Builder> e : touched.entrySet()) {
      Level l = e.getKey();
      byListener
          .computeIfAbsent(l.listener, k -> new LevelChanges(hostsOf(prev, k)))
          .put(l, e.getValue());
    }
    LevelChanges own = byListener.remove(null);
    HostIndex hosts = own == null ? prev.hostIndex() : own.apply(prev.hostIndex());
    Map<ListenerKey, HostIndex> listenerHosts = new HashMap<>(prev.listenerIndexes().hosts());
    byListener.forEach(
        (k, c) -> {
          ListenerKey key = Objects.requireNonNull(k);
          HostIndex index = c.apply(listenerHosts.get(key));
          if (index.exactHostCount() == 0
              && index.wildcardCount() == 0
              && index.anyDepthWildcardCount() == 0
              && index.catchAll() == null) {
            listenerHosts.remove(key);
          } else {
            listenerHosts.put(key, index);
          }
        });
    RouteSnapshot s =
        new RouteSnapshot(
            next.generation(),
            merge(prev.routeArray(), compiled),
            problems,
            hosts,
            prev.clientCertificateHosts().with(oldCompiled.values(), compiled.values()),
            prev.upstreamTlsUse().with(oldCompiled.values(), compiled.values()),
            prev.passthrough().with(null, oldCompiled.values(), compiled.values()),
            listenerIndexes(
                next,
                listenerHosts,
                PassthroughHosts.byListener(
                    prev.listenerIndexes().passthrough(),
                    oldCompiled.values(),
                    compiled.values())));
    for (CompiledRoute c : oldCompiled.values()) {
      releaseAfterPublish.addAll(c.allTargets());
    }
    return s;
  }

  /**
   * True when the two specs differ in their endpoints alone (the same backends in the same order,
   * each listing its endpoints, with the same weight, canary rule, protocol and upstream TLS
   * setting, and the same everything else, the route's own TLS included). A change of the upstream
   * TLS setting is not endpoint-only: it moves the backend to other upstream clients.
   */
  private static boolean endpointsOnly(RouteSpec old, RouteSpec now) {
    List<RouteBackend> a = old.backends();
    List<RouteBackend> b = now.backends();
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!(a.get(i).ref() instanceof BackendSpec x)
          || !(b.get(i).ref() instanceof BackendSpec y)
          || a.get(i).weight() != b.get(i).weight()
          || !Objects.equals(a.get(i).canary(), b.get(i).canary())
          || !a.get(i).filters().equals(b.get(i).filters())
          || x.protocol() != y.protocol()
          || !Objects.equals(x.tls(), y.tls())
          || x.proxyProtocol() != y.proxyProtocol()
          || !x.effectivePolicy().equals(y.effectivePolicy())) {
        return false;
      }
    }
    return old.withBackends(b).equals(now);
  }

  /**
   * The sorted routes with {@code changes} applied (a null value removes the key): runs between
   * changed keys are copied, so the cost is a copy plus a binary search per change.
   */
  private static CompiledRoute[] merge(
      CompiledRoute[] old, TreeMap<RouteKey, @Nullable CompiledRoute> changes) {
    int size = old.length;
    for (Map.Entry<RouteKey, @Nullable CompiledRoute> e : changes.entrySet()) {
      boolean present = RouteSnapshot.indexOf(old, e.getKey()) >= 0;
      size += (e.getValue() != null ? 1 : 0) - (present ? 1 : 0);
    }
    CompiledRoute[] out = new CompiledRoute[size];
    int from = 0;
    int to = 0;
    for (Map.Entry<RouteKey, @Nullable CompiledRoute> e : changes.entrySet()) {
      int i = RouteSnapshot.indexOf(old, e.getKey());
      int at = i >= 0 ? i : -i - 1;
      System.arraycopy(old, from, out, to, at - from);
      to += at - from;
      if (e.getValue() != null) {
        out[to++] = e.getValue();
      }
      from = i >= 0 ? i + 1 : at;
    }
    System.arraycopy(old, from, out, to, old.length - from);
    return out;
  }

  // ---------------------------------------------------------------- one route

  /** The host index of {@code listener} (null: the node's own) in {@code s}, or null for none. */
  private static @Nullable HostIndex hostsOf(RouteSnapshot s, @Nullable ListenerKey listener) {
    return listener == null ? s.hostIndex() : s.listenerIndexes().hosts().get(listener);
  }

  /**
   * One host level of the snapshot: an exact host, a wildcard suffix (of one label, or of any
   * depth), or the catch-all, of the node's own listeners ({@code listener} null) or of one Gateway
   * listener.
   */
  private record Level(LevelKind kind, String name, @Nullable ListenerKey listener) {
    /** The levels of {@code spec}'s (normalised) {@code hosts}. */
    static List<Level> of(Set<String> hosts, RouteSpec spec) {
      ListenerKey listener = spec.listener();
      if (hosts.isEmpty()) {
        return List.of(new Level(LevelKind.CATCH_ALL, "", listener));
      }
      LevelKind wildcard =
          spec.wildcardsAnyDepth() ? LevelKind.ANY_DEPTH_WILDCARD : LevelKind.WILDCARD;
      List<Level> out = new ArrayList<>(hosts.size());
      for (String h : hosts) {
        out.add(
            h.startsWith("*.")
                ? new Level(wildcard, h.substring(2), listener)
                : new Level(LevelKind.EXACT_HOST, h, listener));
      }
      return out;
    }

    @Nullable PathIndex in(HostIndex index) {
      return switch (kind) {
        case EXACT_HOST -> index.exact(name);
        case WILDCARD -> index.wildcard(name);
        case ANY_DEPTH_WILDCARD -> index.anyDepthWildcard(name);
        case CATCH_ALL -> index.catchAll();
      };
    }
  }

  private enum LevelKind {
    EXACT_HOST,
    WILDCARD,
    ANY_DEPTH_WILDCARD,
    CATCH_ALL
  }

  /** What one route compiles to before it has a target. */
  private record RouteParts(
      Set<String> hosts,
      List<CompiledPath> paths,
      String[] methods,
      ValueCondition[] headers,
      ValueCondition[] queries,
      @Nullable ClientCertificateCheck clientCertificates) {

    /** The parts of {@code spec}, or null when it is dropped; its problems go to {@code out}. */
    static @Nullable RouteParts of(RouteSpec spec, List<RouteProblem> out) {
      List<String> issues = new ArrayList<>(0);
      Set<String> hosts = SnapshotCompiler.hosts(spec, issues);
      ValueCondition[] headers = SnapshotCompiler.headers(spec.headers(), issues);
      ValueCondition[] queries = SnapshotCompiler.queries(spec.queries(), issues);
      boolean conditionsOk = headers != null && queries != null;
      List<CompiledPath> paths = SnapshotCompiler.paths(spec.paths(), issues);
      ClientCertificateCheck clientCertificates = null;
      String fatal = null;
      if (spec.tls() != null && spec.tls().clientAuth().enabled()) {
        Validated<ClientCertificateCheck> check =
            ClientCertificateCheck.of(spec.tls().clientAuth());
        if (check.isValid()) {
          clientCertificates = check.value();
        } else {
          for (Violation violation : check.violations()) {
            issues.add(violation.message());
          }
          // Never serve a host that asks for client certificates without its CAs.
          fatal = "route dropped: its client CA bundle cannot be used";
        }
      }
      if (fatal != null) {
        // The client CA bundle decided it.
      } else if (!servable(spec)) {
        // A later release's shape (more backends than a split takes).
        fatal = "route dropped: this release serves up to " + Split.MAX_TARGETS + " backends";
      } else if (!conditionsOk) {
        fatal = "route dropped: a condition cannot be compiled";
      } else if (!spec.hosts().isEmpty() && hosts.isEmpty()) {
        fatal = "route dropped: none of its hosts can be used";
      } else if (paths.isEmpty()) {
        fatal = "route dropped: none of its paths can be used";
      }
      for (String issue : issues) {
        out.add(new RouteProblem(spec.key(), issue));
      }
      if (fatal != null) {
        out.add(new RouteProblem(spec.key(), fatal));
        return null;
      }
      return new RouteParts(
          hosts,
          paths,
          SnapshotCompiler.methods(spec.methods()),
          Objects.requireNonNull(headers, "headers"), // conditionsOk, or it would be fatal
          Objects.requireNonNull(queries, "queries"),
          clientCertificates);
    }

    /** As many backends as a split takes (each kind of ref is served). */
    private static boolean servable(RouteSpec spec) {
      return spec.backends().size() <= Split.MAX_TARGETS && !spec.backends().isEmpty();
    }

    /**
     * The compiled route: the one place a {@link CompiledRoute} is made, so a full and an
     * incremental compile give a route the same fields.
     */
    CompiledRoute compile(
        RouteSpec spec, Targets targets, List<Target> errorTargets, SnapshotCompiler compiler) {
      List<Target> primary = withBackendFilters(spec, targets.primary());
      return new CompiledRoute(
          spec,
          spec.key().toString(),
          primary,
          clientCertificates,
          compiler.split(spec.key(), primary, spec),
          PolicyCompiler.compile(spec, clientCertificates, compiler.policyServices),
          targets.mirrors(),
          errorTargets);
    }

    /** {@code targets} (one per backend, in order) with each backend's own filters compiled. */
    private static List<Target> withBackendFilters(RouteSpec spec, List<Target> targets) {
      List<RouteBackend> backends = spec.backends();
      if (backends.stream().allMatch(b -> b.filters().isEmpty())) {
        return targets;
      }
      List<Target> out = new ArrayList<>(targets.size());
      for (int i = 0; i < targets.size(); i++) {
        List<PolicySpec> filters = i < backends.size() ? backends.get(i).filters() : List.of();
        out.add(
            filters.isEmpty()
                ? targets.get(i)
                : targets.get(i).withFilters(PolicyCompiler.compileBackend(spec, filters)));
      }
      return out;
    }

    /** Adds the route's paths to each of its levels, one matcher shared by all of them. */
    void addTo(
        Map<Level, PathIndex.Builder> levels,
        CompiledRoute route,
        Function<Level, PathIndex.Builder> create) {
      if (PassthroughHosts.passesThrough(route)) {
        return; // served by SNI name on its TLS socket alone (PassthroughHosts), never as HTTP
      }
      RouteMatcher matcher = new RouteMatcher(route, methods, headers, queries);
      for (Level l : Level.of(hosts, route.spec())) {
        PathIndex.Builder level = levels.computeIfAbsent(l, create);
        for (CompiledPath p : paths) {
          switch (p.kind) {
            case EXACT -> level.addExact(p.value, matcher);
            case PREFIX -> level.addPrefix(p.value, matcher);
            case REGEX ->
                level.addRegex(p.value, Objects.requireNonNull(p.pattern, "pattern"), matcher);
          }
        }
      }
    }
  }

  private static Set<String> hosts(RouteSpec spec, List<String> issues) {
    Set<String> out = new LinkedHashSet<>();
    List<String> raw = spec.hosts();
    for (int i = 0; i < raw.size(); i++) {
      String h = raw.get(i);
      if (h != null && isNormalisedHost(h, spec.wildcardsAnyDepth())) {
        out.add(h);
        continue;
      }
      Validated<String> v =
          spec.wildcardsAnyDepth()
              ? Hostnames.normalizeGatewayHostname("hosts[" + i + "]", h)
              : Hostnames.normalizeConfigured("hosts[" + i + "]", h);
      if (v.isValid()) {
        out.add(v.value());
      } else {
        for (Violation violation : v.violations()) {
          issues.add(violation.message() + "; host dropped");
        }
      }
    }
    return out;
  }

  /**
   * The cheap check for what the validator produces: [a-z0-9.-] labels, optional "*." first (over
   * one label too for Gateway API hostnames, {@code gateway}).
   */
  private static boolean isNormalisedHost(String h, boolean gateway) {
    int start = h.startsWith("*.") ? 2 : 0;
    if (start >= h.length() || h.length() > Hostnames.MAX_LENGTH) {
      return false;
    }
    char prev = '.';
    for (int i = start; i < h.length(); i++) {
      char c = h.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
      if (!ok || (c == '.' && prev == '.')) {
        return false;
      }
      prev = c;
    }
    return prev != '.' && (start == 0 || gateway || h.indexOf('.', start) > 0);
  }

  private enum Kind {
    EXACT,
    PREFIX,
    REGEX
  }

  /** A path ready to index; {@code pattern} is set for {@link Kind#REGEX} only. */
  private record CompiledPath(Kind kind, String value, @Nullable Pattern pattern) {}

  private static List<CompiledPath> paths(List<PathMatch> raw, List<String> issues) {
    if (raw.isEmpty()) {
      return List.of(new CompiledPath(Kind.PREFIX, "/", null));
    }
    List<CompiledPath> out = new ArrayList<>(raw.size());
    for (int i = 0; i < raw.size(); i++) {
      PathMatch p = raw.get(i);
      String field = "paths[" + i + "].value";
      String v = p.value();
      switch (p.type()) {
        case REGULAR_EXPRESSION -> {
          Pattern pattern = compileRegex(field, v, issues, "; path dropped");
          if (pattern != null) {
            out.add(new CompiledPath(Kind.REGEX, v, pattern));
          }
        }
        case EXACT -> {
          if (checkPath(field, v, issues)) {
            out.add(new CompiledPath(Kind.EXACT, v, null));
          }
        }
        case PREFIX, IMPLEMENTATION_SPECIFIC -> {
          if (checkPath(field, v, issues)) {
            String prefix = v.length() > 1 && v.endsWith("/") ? v.substring(0, v.length() - 1) : v;
            out.add(new CompiledPath(Kind.PREFIX, prefix, null));
          }
        }
      }
    }
    return out;
  }

  private static boolean checkPath(String field, String v, List<String> issues) {
    String rule = null;
    if (v.isEmpty() || v.charAt(0) != '/') {
      rule = "starts with '/'";
    } else if (v.contains("//")) {
      rule = "no empty segments ('//')";
    }
    if (rule != null) {
      issues.add(new Violation(field, v, rule).message() + "; path dropped");
      return false;
    }
    return true;
  }

  private static @Nullable Pattern compileRegex(
      String field, String v, List<String> issues, String what) {
    try {
      return Pattern.compile(v);
    } catch (PatternSyntaxException e) {
      issues.add(
          new Violation(field, v, "an RE2 regular expression (" + e.getDescription() + ")")
                  .message()
              + what);
      return null;
    }
  }

  private static String[] methods(Set<String> methods) {
    String[] out = new String[methods.size()];
    int i = 0;
    for (String m : new java.util.TreeSet<>(methods)) {
      out[i++] = m.toUpperCase(Locale.ROOT);
    }
    return out;
  }

  /** Null when a condition cannot be compiled (the issue is recorded). */
  private static ValueCondition @Nullable [] headers(List<HeaderMatch> raw, List<String> issues) {
    ValueCondition[] out = new ValueCondition[raw.size()];
    boolean ok = true;
    for (int i = 0; i < raw.size(); i++) {
      HeaderMatch h = raw.get(i);
      out[i] =
          condition(
              "headers[" + i + "]", h.name().toLowerCase(Locale.ROOT), h.type(), h.value(), issues);
      ok &= out[i] != null;
    }
    return ok ? out : null;
  }

  private static ValueCondition @Nullable [] queries(List<QueryMatch> raw, List<String> issues) {
    ValueCondition[] out = new ValueCondition[raw.size()];
    boolean ok = true;
    for (int i = 0; i < raw.size(); i++) {
      QueryMatch q = raw.get(i);
      out[i] = condition("queries[" + i + "]", q.name(), q.type(), q.value(), issues);
      ok &= out[i] != null;
    }
    return ok ? out : null;
  }

  private static @Nullable ValueCondition condition(
      String field, String name, ValueMatchType type, String value, List<String> issues) {
    return switch (type) {
      case EXACT -> new ValueCondition(name, ValueCondition.EXACT, value, null);
      case PRESENT -> new ValueCondition(name, ValueCondition.PRESENT, value, null);
      case REGULAR_EXPRESSION -> {
        Pattern p = compileRegex(field + ".value", value, issues, "");
        yield p == null ? null : new ValueCondition(name, ValueCondition.REGEX, value, p);
      }
    };
  }
}
