package io.gatehouse.snapshot;

import io.gatehouse.model.ListenerKey;
import io.gatehouse.model.ListenerProtocol;
import io.gatehouse.model.ListenerSpec;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.model.UpstreamTls;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * One immutable routing state: the compiled routes with their targets, the problems the compiler
 * found, the upstream TLS settings in use, and the host and path indexes already built. Readers on
 * the event loop call {@link #match} without locks or allocation (regular-expression routes aside).
 *
 * <p>Lookup: the host picks exactly one level (exact host, else {@code *.suffix} wildcard covering
 * one label, else the routes without hosts); within it, Exact paths, then the longest matching
 * Prefix/ImplementationSpecific path (falling back to shorter ones), then RE2 regular expressions.
 * See {@link PathIndex} for the order between candidates.
 *
 * <p>Endpoints are not in the snapshot: a route's {@link Target} names a slot of the node's
 * endpoint index, which changes without a new snapshot.
 *
 * <p>Gateway listeners (issue #17): a route that names a listener ({@code RouteSpec.listener}) is
 * in that listener's host index alone, and a request is matched in the index of the listener whose
 * socket accepted it ({@link #match(int, String, String, RequestView)}, by the listener's slot: one
 * array read). The node's own listeners (slot {@link #OWN_LISTENERS}) see only the routes that name
 * none. A route naming a listener the table does not hold is served nowhere, and reported. TLS
 * passthrough names are kept per socket too ({@link #passthrough(int)}): a TLSRoute attached to a
 * Gateway's socket passes through there alone.
 *
 * <p>An incremental compile shares every unchanged level and compiled route with the snapshot it
 * started from; nothing a reader can reach is ever modified.
 */
public final class RouteSnapshot {
  /** The slot of the node's own HTTP and HTTPS listeners. */
  public static final int OWN_LISTENERS = 0;

  private static final RouteSnapshot EMPTY =
      new RouteSnapshot(
          0,
          new CompiledRoute[0],
          List.of(),
          HostIndex.EMPTY,
          ClientCertificateHosts.NONE,
          UpstreamTlsUse.NONE,
          PassthroughHosts.NONE,
          ListenerIndexes.NONE);

  /**
   * The hosts on which a route asks for client certificates: exact names and the suffixes of {@code
   * *.suffix} wildcards, each with how many compiled routes ask on it (so an incremental compile
   * can add and remove routes without looking at the others). Immutable.
   */
  record ClientCertificateHosts(Map<String, Integer> exact, Map<String, Integer> wildcardSuffixes) {
    static final ClientCertificateHosts NONE = new ClientCertificateHosts(Map.of(), Map.of());

    ClientCertificateHosts {
      exact = Map.copyOf(exact);
      wildcardSuffixes = Map.copyOf(wildcardSuffixes);
    }

    boolean isEmpty() {
      return exact.isEmpty() && wildcardSuffixes.isEmpty();
    }

    /**
     * These hosts without those of {@code removed} and with those of {@code added} (compiled routes
     * of this snapshot and of the next one; a route without a client-certificate check counts for
     * nothing). Returns this instance when neither side asks for client certificates.
     */
    ClientCertificateHosts with(
        Collection<@Nullable CompiledRoute> removed, Collection<@Nullable CompiledRoute> added) {
      Map<String, Integer> e = null;
      Map<String, Integer> w = null;
      for (int sign = -1; sign <= 1; sign += 2) {
        for (CompiledRoute r : sign < 0 ? removed : added) {
          if (r == null || r.clientCertificates() == null) {
            continue;
          }
          if (e == null || w == null) { // both null until a route asks, then both set
            e = new HashMap<>(exact);
            w = new HashMap<>(wildcardSuffixes);
          }
          // A route with a client-certificate check has TLS settings; the check is that fact.
          TlsSpec tls = Objects.requireNonNull(r.spec().tls(), "tls");
          for (String h : tls.hosts()) {
            boolean wildcard = h.startsWith("*.");
            Map<String, Integer> target = wildcard ? w : e;
            String k = wildcard ? h.substring(2) : h;
            int count = target.getOrDefault(k, 0) + sign;
            if (count < 0) {
              // Only a route of this snapshot is ever removed; the caller falls back to a full
              // compile.
              throw new IllegalStateException("client-certificate host counted below zero: " + k);
            }
            if (count == 0) {
              target.remove(k);
            } else {
              target.put(k, count);
            }
          }
        }
      }
      return e == null || w == null ? this : new ClientCertificateHosts(e, w);
    }
  }

  /**
   * The upstream TLS settings the compiled routes' targets use, each with how many targets use it,
   * so an incremental compile updates it from the changed routes alone. {@link #settings} keeps its
   * identity while the set of settings is unchanged: the routers compare it by identity and retire
   * the clients of settings no longer used only when it changes. Immutable.
   */
  record UpstreamTlsUse(Map<UpstreamTls, Integer> counts, Set<UpstreamTls> settings) {
    static final UpstreamTlsUse NONE = new UpstreamTlsUse(Map.of(), Set.of());

    /**
     * This use without the targets of {@code removed} and with those of {@code added}; this
     * instance when no target on either side has a TLS setting.
     */
    UpstreamTlsUse with(
        Collection<@Nullable CompiledRoute> removed, Collection<@Nullable CompiledRoute> added) {
      Map<UpstreamTls, Integer> c = null;
      for (int sign = -1; sign <= 1; sign += 2) {
        for (CompiledRoute r : sign < 0 ? removed : added) {
          if (r == null) {
            continue;
          }
          for (Target t : r.allTargets()) {
            if (t.tls() == null) {
              continue;
            }
            if (c == null) {
              c = new HashMap<>(counts);
            }
            int count = c.getOrDefault(t.tls(), 0) + sign;
            if (count < 0) {
              throw new IllegalStateException("upstream TLS setting counted below zero");
            }
            if (count == 0) {
              c.remove(t.tls());
            } else {
              c.put(t.tls(), count);
            }
          }
        }
      }
      if (c == null) {
        return this;
      }
      Set<UpstreamTls> s = c.keySet().equals(settings) ? settings : Set.copyOf(c.keySet());
      return new UpstreamTlsUse(Map.copyOf(c), s);
    }
  }

  private final long generation;
  private final CompiledRoute[] routes;
  private final List<CompiledRoute> routeList;
  private final List<RouteProblem> problems;

  /** {@link #problems} with the passthrough conflicts, which depend on other routes. */
  private final List<RouteProblem> allProblems;

  private final HostIndex hosts;
  private final ClientCertificateHosts clientCertificateHosts;
  private final UpstreamTlsUse upstreamTls;
  private final PassthroughHosts passthrough;
  private final ListenerIndexes listeners;

  /** The host index of each listener slot; {@link #hosts} at {@link #OWN_LISTENERS}. */
  private final HostIndex[] hostsBySlot;

  /** The passthrough names of each listener slot; {@link #passthrough} at the node's own. */
  private final PassthroughHosts[] passthroughBySlot;

  /** The Gateway listener hostnames of each slot's socket (421). */
  private final ListenerHostnames[] hostnamesBySlot;

  /** {@code upstreamTls.settings()}, held apart: the routers read it on every request. */
  private final Set<UpstreamTls> upstreamTlsSettings;

  /**
   * @param routes sorted by key, not copied
   */
  RouteSnapshot(
      long generation,
      CompiledRoute[] routes,
      List<RouteProblem> problems,
      HostIndex hosts,
      ClientCertificateHosts clientCertificateHosts,
      UpstreamTlsUse upstreamTls,
      PassthroughHosts passthrough,
      ListenerIndexes listeners) {
    this.passthrough = passthrough;
    this.listeners = listeners;
    this.hostsBySlot = listeners.bySlot(hosts);
    this.passthroughBySlot = listeners.passthroughBySlot(passthrough);
    this.hostnamesBySlot = listeners.hostnamesBySlot();
    this.generation = generation;
    this.routes = routes;
    this.routeList = Collections.unmodifiableList(Arrays.asList(routes));
    this.problems = List.copyOf(problems);
    this.hosts = hosts;
    this.clientCertificateHosts = clientCertificateHosts;
    this.upstreamTls = upstreamTls;
    this.upstreamTlsSettings = upstreamTls.settings();
    this.allProblems =
        withoutListener(
            passthrough.isEmpty() && listeners.passthrough().isEmpty()
                ? this.problems
                : withConflicts(this.problems));
  }

  /**
   * The problems with one for each route that names a listener the table does not hold (a scan of
   * the routes only while some listener with routes is missing).
   */
  private List<RouteProblem> withoutListener(List<RouteProblem> compiled) {
    Set<ListenerKey> held = listeners.specs().keySet();
    if (held.containsAll(listeners.hosts().keySet())
        && held.containsAll(listeners.passthrough().keySet())) {
      return compiled;
    }
    List<RouteProblem> out = new ArrayList<>(compiled);
    for (CompiledRoute r : routes) {
      ListenerKey l = r.spec().listener();
      if (l != null && !listeners.specs().containsKey(l)) {
        out.add(
            new RouteProblem(
                r.spec().key(),
                "listener "
                    + l
                    + " does not exist: the route is not served (never on the node's own"
                    + " listeners)"));
      }
    }
    out.sort((a, b) -> a.key().compareTo(b.key()));
    return List.copyOf(out);
  }

  /** The Gateway listeners the table holds, which the node binds (those its settings allow). */
  public Map<ListenerKey, ListenerSpec> listeners() {
    return listeners.specs();
  }

  /**
   * The slot a socket of {@code key} passes to {@link #match(int, String, String, RequestView)},
   * the same in every later snapshot of this compiler; -1 for a listener the table does not hold.
   */
  public int listenerSlot(ListenerKey key) {
    Integer s = listeners.specs().containsKey(key) ? listeners.slots().get(key) : null;
    return s == null ? -1 : s;
  }

  ListenerIndexes listenerIndexes() {
    return listeners;
  }

  /** Whether a route for this SNI name asks for client certificates (exact or wildcard). */
  public boolean asksForClientCertificate(@Nullable String sniName) {
    if (sniName == null || sniName.isEmpty()) {
      return false;
    }
    ClientCertificateHosts c = clientCertificateHosts;
    if (c.isEmpty()) {
      return false;
    }
    String name = PassthroughHosts.name(sniName);
    if (c.exact().containsKey(name)) {
      return true;
    }
    int dot = name.indexOf('.');
    return dot > 0 && c.wildcardSuffixes().containsKey(name.substring(dot + 1));
  }

  /** Whether the name matched only a wildcard (each such name costs Vert.x one cached context). */
  public boolean asksByWildcardOnly(String sniName) {
    String name = PassthroughHosts.name(sniName);
    return !clientCertificateHosts.exact().containsKey(name) && asksForClientCertificate(name);
  }

  /**
   * The TLS passthrough routes of the node's own HTTPS listener by SNI name ({@link
   * PassthroughHosts#isEmpty} when none).
   */
  public PassthroughHosts passthrough() {
    return passthrough;
  }

  /**
   * The TLS passthrough routes of one listener slot by SNI name: {@link #passthrough()} at {@link
   * #OWN_LISTENERS}, a Gateway listener's own at its {@link #listenerSlot}; none for a slot this
   * snapshot does not know (its listener is gone).
   */
  /**
   * The hostnames of the Gateway listeners sharing slot {@code slot}'s socket, for the 421 check;
   * {@link ListenerHostnames#NONE} where there are fewer than two.
   */
  public ListenerHostnames listenerHostnames(int slot) {
    ListenerHostnames[] bySlot = hostnamesBySlot;
    return slot >= 0 && slot < bySlot.length ? bySlot[slot] : ListenerHostnames.NONE;
  }

  public PassthroughHosts passthrough(int slot) {
    PassthroughHosts[] bySlot = passthroughBySlot;
    return slot >= 0 && slot < bySlot.length ? bySlot[slot] : PassthroughHosts.NONE;
  }

  /**
   * Whether a terminated route could serve this SNI name: a route for the exact name, a wildcard
   * one label above, or a route for every host (the only one for no name). Routes that pass TLS
   * through do not count.
   */
  public boolean servesTerminated(@Nullable String sniName) {
    return servesTerminated(OWN_LISTENERS, sniName);
  }

  /** As {@link #servesTerminated(String)} among the routes of one listener slot. */
  public boolean servesTerminated(int slot, @Nullable String sniName) {
    HostIndex index = hostsAt(slot);
    if (sniName == null) {
      return index.catchAll() != null;
    }
    return index.select(PassthroughHosts.name(sniName)) != null;
  }

  /**
   * Whether a terminated route has exactly this SNI name (no wildcard, no catch-all): such a name
   * is terminated even where a passthrough wildcard one label above would cover it.
   */
  public boolean servesTerminatedExactly(String sniName) {
    return servesTerminatedExactly(OWN_LISTENERS, sniName);
  }

  /** As {@link #servesTerminatedExactly(String)} among the routes of one listener slot. */
  public boolean servesTerminatedExactly(int slot, String sniName) {
    return hostsAt(slot).exact(PassthroughHosts.name(sniName)) != null;
  }

  /** The host index of a slot; an empty one for a slot this snapshot does not know. */
  private HostIndex hostsAt(int slot) {
    HostIndex[] bySlot = hostsBySlot;
    return slot >= 0 && slot < bySlot.length ? bySlot[slot] : HostIndex.EMPTY;
  }

  /** A snapshot without routes: every request goes to the default backend. */
  public static RouteSnapshot empty() {
    return EMPTY;
  }

  /** The table generation this snapshot was compiled from. */
  public long generation() {
    return generation;
  }

  /**
   * The upstream TLS settings the routes' targets use; clients of any other setting can go. The
   * same instance as the previous snapshot's while the set is unchanged, so a reader compares it by
   * identity.
   */
  public Set<UpstreamTls> upstreamTlsSettings() {
    return upstreamTlsSettings;
  }

  /** Routes (or parts of routes) the compiler could not use, in route key order. */
  public List<RouteProblem> problems() {
    return allProblems;
  }

  /** The problems of the routes one by one: what an incremental compile keeps. */
  List<RouteProblem> compiledProblems() {
    return problems;
  }

  /**
   * The problems with the conflicts of passthrough routes, socket by socket (the node's own, each
   * Gateway listener's): a name that another passthrough route with a smaller key has, and a name
   * that routes served over HTTP on the same socket have too (its TLS connections pass through, so
   * those routes answer plain HTTP only). Found here, from the indexes, because they change with
   * routes an incremental compile does not recompile; at most a probe per name.
   */
  private List<RouteProblem> withConflicts(List<RouteProblem> compiled) {
    List<RouteProblem> out = new ArrayList<>(compiled);
    addConflicts(passthrough, hosts, out);
    listeners
        .passthrough()
        .forEach(
            (l, p) -> {
              ListenerSpec spec = listeners.specs().get(l);
              if (spec != null && spec.protocol() == ListenerProtocol.HTTP) {
                plainListener(l, p, out);
              } else {
                addConflicts(p, listeners.hosts().getOrDefault(l, HostIndex.EMPTY), out);
              }
            });
    out.sort((a, b) -> a.key().compareTo(b.key()));
    return List.copyOf(out);
  }

  /** A plain HTTP socket reads no ClientHello: its passthrough routes are never served. */
  private static void plainListener(ListenerKey l, PassthroughHosts p, List<RouteProblem> out) {
    Set<RouteKey> keys = new TreeSet<>();
    for (Map<String, List<CompiledRoute>> names :
        List.of(p.exact(), p.wildcardSuffixes(), p.anyDepthSuffixes())) {
      for (List<CompiledRoute> claims : names.values()) {
        for (CompiledRoute r : claims) {
          keys.add(r.spec().key());
        }
      }
    }
    for (RouteKey k : keys) {
      out.add(
          new RouteProblem(
              k,
              "tls.passthrough: listener "
                  + l
                  + " speaks plain HTTP, which has no TLS to pass through: not served"));
    }
  }

  /** The conflicts of one socket's passthrough names with each other and its terminated hosts. */
  private static void addConflicts(
      PassthroughHosts passthrough, HostIndex hosts, List<RouteProblem> out) {
    // 0: exact names, 1: one-label wildcards, 2: wildcards of any depth
    for (int wildcard = 0; wildcard < 3; wildcard++) {
      Map<String, List<CompiledRoute>> names =
          wildcard == 0
              ? passthrough.exact()
              : wildcard == 1 ? passthrough.wildcardSuffixes() : passthrough.anyDepthSuffixes();
      for (Map.Entry<String, List<CompiledRoute>> e : names.entrySet()) {
        String name = wildcard == 0 ? e.getKey() : "*." + e.getKey();
        List<CompiledRoute> claims = e.getValue();
        CompiledRoute served = claims.get(0);
        for (CompiledRoute other : claims.subList(1, claims.size())) {
          out.add(
              new RouteProblem(
                  other.spec().key(),
                  "tls.passthrough: host "
                      + name
                      + " is passed through by route "
                      + served.spec().key()
                      + " (the smaller key); this route is not served for it"));
        }
        PathIndex terminated =
            wildcard == 0
                ? hosts.exact(e.getKey())
                : wildcard == 1 ? hosts.wildcard(e.getKey()) : hosts.anyDepthWildcard(e.getKey());
        if (terminated != null) {
          out.add(
              new RouteProblem(
                  served.spec().key(),
                  "tls.passthrough: host "
                      + name
                      + " also has routes served over HTTP; its TLS connections pass through to"
                      + " this route, so those routes answer plain HTTP only"));
        }
      }
    }
  }

  /** The routes that made it into the snapshot, in route key order. */
  public List<CompiledRoute> routes() {
    return routeList;
  }

  public int routeCount() {
    return routes.length;
  }

  /** The compiled route with this key, or null if the route is absent or was dropped. */
  public @Nullable CompiledRoute route(RouteKey key) {
    int i = indexOf(routes, key);
    return i >= 0 ? routes[i] : null;
  }

  /** Binary search by key; {@code -(insertion point) - 1} when absent. */
  static int indexOf(CompiledRoute[] sorted, RouteKey key) {
    int lo = 0;
    int hi = sorted.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = sorted[mid].spec().key().compareTo(key);
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -(lo + 1);
  }

  CompiledRoute[] routeArray() {
    return routes;
  }

  HostIndex hostIndex() {
    return hosts;
  }

  ClientCertificateHosts clientCertificateHosts() {
    return clientCertificateHosts;
  }

  UpstreamTlsUse upstreamTlsUse() {
    return upstreamTls;
  }

  /**
   * The route for a request, or null. {@code host} is already normalised by {@code
   * Hostnames.normalizeRequestHost} (null selects the routes without hosts); {@code path} is
   * normalised and has no query.
   */
  public @Nullable CompiledRoute match(@Nullable String host, String path, RequestView request) {
    return match(hosts, host, path, request);
  }

  /**
   * As {@link #match(String, String, RequestView)} among the routes of one listener: {@code slot}
   * is {@link #OWN_LISTENERS} or a Gateway listener's {@link #listenerSlot}. A slot this snapshot
   * does not know (its listener is gone) matches nothing.
   */
  public @Nullable CompiledRoute match(
      int slot, @Nullable String host, String path, RequestView request) {
    HostIndex[] bySlot = hostsBySlot;
    return slot >= 0 && slot < bySlot.length ? match(bySlot[slot], host, path, request) : null;
  }

  private static @Nullable CompiledRoute match(
      HostIndex hosts, @Nullable String host, String path, RequestView request) {
    PathIndex level = hosts.select(host);
    if (level == null || path == null) {
      return null;
    }
    RouteMatcher m = level.match(path, request);
    return m == null ? null : m.route;
  }

  /**
   * The same lookup as {@link #match}, recording the host level, the winner's path rule and the
   * candidates passed over. Allocates; for the admin API, never the serving path.
   */
  public MatchTrace trace(@Nullable String host, String path, RequestView request) {
    MatchTrace.HostLevel level;
    String levelHost = null;
    PathIndex index = host == null ? null : hosts.exact(host);
    if (index != null) {
      level = MatchTrace.HostLevel.EXACT;
      levelHost = host;
    } else {
      String suffix = host == null ? null : io.gatehouse.validate.Hostnames.wildcardSuffix(host);
      index = suffix == null ? null : hosts.wildcard(suffix);
      if (index == null && host != null) {
        suffix = hosts.anyDepthSuffix(host);
        index = suffix == null ? null : hosts.anyDepthWildcard(suffix);
      }
      if (index != null) {
        level = MatchTrace.HostLevel.WILDCARD;
        levelHost = "*." + suffix;
      } else {
        index = hosts.catchAll();
        level = index == null ? MatchTrace.HostLevel.NONE : MatchTrace.HostLevel.CATCH_ALL;
      }
    }
    java.util.List<MatchTrace.PassedOver> passed = new ArrayList<>();
    if (index == null || path == null) {
      return new MatchTrace(level, levelHost, null, null, null, passed);
    }
    @Nullable String[] rule = new String[2];
    RouteMatcher m = index.trace(path, request, passed, rule);
    return new MatchTrace(level, levelHost, m == null ? null : m.route, rule[0], rule[1], passed);
  }

  /** Test hook: trie probes made to find the deepest prefix node for this host and path. */
  int prefixProbes(@Nullable String host, String path) {
    PathIndex level = hosts.select(host);
    if (level == null || !level.hasPrefixTrie()) {
      return 0;
    }
    int[] probes = new int[1];
    level.deepest(path, probes);
    return probes[0];
  }
}
