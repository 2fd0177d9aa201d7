package io.gatehouse.model;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A route as its source described it. Only a spec that {@code RouteValidator} returned is
 * normalised (hosts lower-cased, punycode, no port or trailing dot) and safe to compile.
 *
 * @param hosts exact names or {@code *.suffix} wildcards; empty means every host
 * @param paths path matches; empty means {@code Prefix /}
 * @param methods upper-case method names; empty means every method
 * @param priority breaks ties between routes that match the same host and path; higher wins
 * @param tls how the route is served over HTTPS (redirect from plain HTTP, HSTS), or null for no
 *     HTTPS-specific behaviour
 */
public record RouteSpec(
    RouteKey key,
    List<String> hosts,
    List<PathMatch> paths,
    Set<String> methods,
    List<HeaderMatch> headers,
    List<QueryMatch> queries,
    BackendSpec backend,
    Timeouts timeouts,
    Limits limits,
    int priority,
    TlsSpec tls) {

  /** A route without TLS settings (the form every source used before {@code tls}). */
  public RouteSpec(
      RouteKey key,
      List<String> hosts,
      List<PathMatch> paths,
      Set<String> methods,
      List<HeaderMatch> headers,
      List<QueryMatch> queries,
      BackendSpec backend,
      Timeouts timeouts,
      Limits limits,
      int priority) {
    this(key, hosts, paths, methods, headers, queries, backend, timeouts, limits, priority, null);
  }

  public RouteSpec {
    Objects.requireNonNull(key, "key");
    hosts = List.copyOf(hosts);
    paths = List.copyOf(paths);
    methods = Set.copyOf(methods);
    headers = List.copyOf(headers);
    queries = List.copyOf(queries);
    Objects.requireNonNull(backend, "backend");
    timeouts = timeouts == null ? Timeouts.DEFAULTS : timeouts;
    limits = limits == null ? Limits.DEFAULTS : limits;
  }

  /** A route with only hosts, paths and a backend; everything else at its default. */
  public static RouteSpec simple(
      RouteKey key, List<String> hosts, List<PathMatch> paths, BackendSpec backend) {
    return new RouteSpec(key, hosts, paths, Set.of(), List.of(), List.of(), backend, null, null, 0);
  }

  public RouteSpec withHosts(List<String> newHosts) {
    return new RouteSpec(
        key, newHosts, paths, methods, headers, queries, backend, timeouts, limits, priority, tls);
  }

  public RouteSpec withTls(TlsSpec newTls) {
    return new RouteSpec(
        key, hosts, paths, methods, headers, queries, backend, timeouts, limits, priority, newTls);
  }

  public RouteSpec withPaths(List<PathMatch> newPaths) {
    return new RouteSpec(
        key, hosts, newPaths, methods, headers, queries, backend, timeouts, limits, priority, tls);
  }

  public RouteSpec withBackend(BackendSpec newBackend) {
    return new RouteSpec(
        key, hosts, paths, methods, headers, queries, newBackend, timeouts, limits, priority, tls);
  }

  public RouteSpec withKey(RouteKey newKey) {
    return new RouteSpec(
        newKey, hosts, paths, methods, headers, queries, backend, timeouts, limits, priority, tls);
  }
}
