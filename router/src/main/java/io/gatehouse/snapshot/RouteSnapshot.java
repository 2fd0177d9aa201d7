package io.gatehouse.snapshot;

import io.gatehouse.model.BackendSpec;
import java.util.List;
import java.util.Set;

/**
 * One immutable routing state: the compiled routes, their deduplicated backends, the problems the
 * compiler found, and the host and path indexes already built. Readers on the event loop call
 * {@link #match} without locks or allocation (regular-expression routes aside).
 *
 * <p>Lookup: the host picks exactly one level (exact host, else {@code *.suffix} wildcard covering
 * one label, else the routes without hosts); within it, Exact paths, then the longest matching
 * Prefix/ImplementationSpecific path (falling back to shorter ones), then RE2 regular expressions.
 * See {@link PathIndex} for the order between candidates.
 */
public final class RouteSnapshot {
  private static final RouteSnapshot EMPTY =
      new RouteSnapshot(0, List.of(), List.of(), List.of(), HostIndex.EMPTY);

  /**
   * The hosts on which a route asks for client certificates: exact names and the suffixes of {@code
   * *.suffix} wildcards.
   */
  record ClientCertificateHosts(Set<String> exact, Set<String> wildcardSuffixes) {
    static final ClientCertificateHosts NONE = new ClientCertificateHosts(Set.of(), Set.of());

    ClientCertificateHosts {
      exact = Set.copyOf(exact);
      wildcardSuffixes = Set.copyOf(wildcardSuffixes);
    }
  }

  private final long generation;
  private final List<CompiledRoute> routes;
  private final List<BackendSpec> backends;
  private final List<RouteProblem> problems;
  private final HostIndex hosts;
  private final ClientCertificateHosts clientCertificateHosts;

  RouteSnapshot(
      long generation,
      List<CompiledRoute> routes,
      List<BackendSpec> backends,
      List<RouteProblem> problems,
      HostIndex hosts) {
    this(generation, routes, backends, problems, hosts, ClientCertificateHosts.NONE);
  }

  RouteSnapshot(
      long generation,
      List<CompiledRoute> routes,
      List<BackendSpec> backends,
      List<RouteProblem> problems,
      HostIndex hosts,
      ClientCertificateHosts clientCertificateHosts) {
    this.generation = generation;
    this.routes = List.copyOf(routes);
    this.backends = List.copyOf(backends);
    this.problems = List.copyOf(problems);
    this.hosts = hosts;
    this.clientCertificateHosts = clientCertificateHosts;
  }

  /** Whether a route for this SNI name asks for client certificates (exact or wildcard). */
  public boolean asksForClientCertificate(String sniName) {
    if (sniName == null || sniName.isEmpty()) {
      return false;
    }
    ClientCertificateHosts c = clientCertificateHosts;
    if (c.exact().isEmpty() && c.wildcardSuffixes().isEmpty()) {
      return false;
    }
    String name = sniName.toLowerCase(java.util.Locale.ROOT);
    if (name.endsWith(".")) {
      name = name.substring(0, name.length() - 1);
    }
    if (c.exact().contains(name)) {
      return true;
    }
    int dot = name.indexOf('.');
    return dot > 0 && c.wildcardSuffixes().contains(name.substring(dot + 1));
  }

  /** Whether the name matched only a wildcard (each such name costs Vert.x one cached context). */
  public boolean asksByWildcardOnly(String sniName) {
    String name = sniName.toLowerCase(java.util.Locale.ROOT);
    if (name.endsWith(".")) {
      name = name.substring(0, name.length() - 1);
    }
    return !clientCertificateHosts.exact().contains(name) && asksForClientCertificate(name);
  }

  /** A snapshot without routes: every request goes to the default backend. */
  public static RouteSnapshot empty() {
    return EMPTY;
  }

  /** The table generation this snapshot was compiled from. */
  public long generation() {
    return generation;
  }

  /** Distinct backends; {@link CompiledRoute#backendIndex()} points into this list. */
  public List<BackendSpec> backends() {
    return backends;
  }

  /** Routes (or parts of routes) the compiler could not use, in route key order. */
  public List<RouteProblem> problems() {
    return problems;
  }

  /** The routes that made it into the snapshot, in route key order. */
  public List<CompiledRoute> routes() {
    return routes;
  }

  public int routeCount() {
    return routes.size();
  }

  /**
   * The route for a request, or null. {@code host} is already normalised by {@code
   * Hostnames.normalizeRequestHost} (null selects the routes without hosts); {@code path} is
   * normalised and has no query.
   */
  public CompiledRoute match(String host, String path, RequestView request) {
    PathIndex level = hosts.select(host);
    if (level == null || path == null) {
      return null;
    }
    RouteMatcher m = level.match(path, request);
    return m == null ? null : m.route;
  }

  /** Test hook: trie probes made to find the deepest prefix node for this host and path. */
  int prefixProbes(String host, String path) {
    PathIndex level = hosts.select(host);
    if (level == null || !level.hasPrefixTrie()) {
      return 0;
    }
    int[] probes = new int[1];
    level.deepest(path, probes);
    return probes[0];
  }
}
