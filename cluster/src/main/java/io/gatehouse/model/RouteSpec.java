package io.gatehouse.model;

import io.gatehouse.model.policy.PolicySpec;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A route as its source described it. Only a spec that {@code RouteValidator} returned is
 * normalised (hosts lower-cased, punycode, no port or trailing dot) and safe to compile.
 *
 * <p>A route lists its backends with weights. Every source still gives one backend with static
 * endpoints at weight 1, which is the one shape the data plane serves ({@link #backend()}); the
 * constructors and {@code with*} methods that take one {@link BackendSpec} build that shape.
 *
 * @param hosts exact names or {@code *.suffix} wildcards; empty means every host
 * @param paths path matches; empty means {@code Prefix /}
 * @param methods upper-case method names; empty means every method
 * @param backends where the route sends its requests, each with its weight
 * @param priority breaks ties between routes that match the same host and path; higher wins
 * @param tls how the route is served over HTTPS (redirect from plain HTTP, HSTS), or null for no
 *     HTTPS-specific behaviour
 * @param policies the route's policies in the order they run; null reads as none (payloads written
 *     before policies existed)
 * @param listener the Gateway listener the route is served on alone, or null for the node's own
 *     listeners (every route of the file, REST and Ingress sources); a route attached to two
 *     listeners is two routes
 * @param wildcardsAnyDepth whether a {@code *.suffix} host covers any number of labels before the
 *     suffix ({@code a.b.suffix} too), as a Gateway API hostname does, instead of exactly one (the
 *     Ingress rule, and RFC 6125's for certificates); set by the Gateway API translator only
 */
public record RouteSpec(
    RouteKey key,
    List<String> hosts,
    List<PathMatch> paths,
    Set<String> methods,
    List<HeaderMatch> headers,
    List<QueryMatch> queries,
    List<RouteBackend> backends,
    Timeouts timeouts,
    Limits limits,
    int priority,
    @Nullable TlsSpec tls,
    List<PolicySpec> policies,
    @Nullable ListenerKey listener,
    boolean wildcardsAnyDepth) {

  /** A route whose wildcards cover one label. */
  public RouteSpec(
      RouteKey key,
      List<String> hosts,
      List<PathMatch> paths,
      Set<String> methods,
      List<HeaderMatch> headers,
      List<QueryMatch> queries,
      List<RouteBackend> backends,
      Timeouts timeouts,
      Limits limits,
      int priority,
      @Nullable TlsSpec tls,
      List<PolicySpec> policies,
      @Nullable ListenerKey listener) {
    this(
        key, hosts, paths, methods, headers, queries, backends, timeouts, limits, priority, tls,
        policies, listener, false);
  }

  /** A route on the node's own listeners. */
  public RouteSpec(
      RouteKey key,
      List<String> hosts,
      List<PathMatch> paths,
      Set<String> methods,
      List<HeaderMatch> headers,
      List<QueryMatch> queries,
      List<RouteBackend> backends,
      Timeouts timeouts,
      Limits limits,
      int priority,
      @Nullable TlsSpec tls,
      List<PolicySpec> policies) {
    this(
        key, hosts, paths, methods, headers, queries, backends, timeouts, limits, priority, tls,
        policies, null);
  }

  /** A route without policies. */
  public RouteSpec(
      RouteKey key,
      List<String> hosts,
      List<PathMatch> paths,
      Set<String> methods,
      List<HeaderMatch> headers,
      List<QueryMatch> queries,
      List<RouteBackend> backends,
      Timeouts timeouts,
      Limits limits,
      int priority,
      @Nullable TlsSpec tls) {
    this(
        key, hosts, paths, methods, headers, queries, backends, timeouts, limits, priority, tls,
        List.of());
  }

  /** A route with one backend at the default weight. */
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
      int priority,
      @Nullable TlsSpec tls) {
    this(
        key,
        hosts,
        paths,
        methods,
        headers,
        queries,
        List.of(RouteBackend.of(Objects.requireNonNull(backend, "backend"))),
        timeouts,
        limits,
        priority,
        tls);
  }

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
    backends = List.copyOf(backends);
    timeouts = timeouts == null ? Timeouts.DEFAULTS : timeouts;
    limits = limits == null ? Limits.DEFAULTS : limits;
    policies = policies == null ? List.of() : List.copyOf(policies);
  }

  /** A route with only hosts, paths and a backend; everything else at its default. */
  public static RouteSpec simple(
      RouteKey key, List<String> hosts, List<PathMatch> paths, BackendSpec backend) {
    return new RouteSpec(
        key,
        hosts,
        paths,
        Set.of(),
        List.of(),
        List.of(),
        backend,
        Timeouts.DEFAULTS,
        Limits.DEFAULTS,
        0);
  }

  /**
   * The route's backend when it has exactly one, with static endpoints and a weight above 0: the
   * one shape this release's data plane serves. Anything else throws, so that no caller serves a
   * split or a reference as if it were one static backend; {@link #staticBackend()} asks first.
   *
   * @throws IllegalStateException when the route has another shape
   */
  public BackendSpec backend() {
    BackendSpec b = staticBackend();
    if (b == null) {
      throw new IllegalStateException(
          key + ": not one backend with static endpoints (" + backends.size() + " backends)");
    }
    return b;
  }

  /** What {@link #backend()} returns, or null when the route has another shape. */
  public @Nullable BackendSpec staticBackend() {
    if (backends.size() != 1) {
      return null;
    }
    RouteBackend only = backends.get(0);
    return only.weight() > 0 && only.ref() instanceof BackendSpec b ? b : null;
  }

  public RouteSpec withHosts(List<String> newHosts) {
    return new RouteSpec(
        key,
        newHosts,
        paths,
        methods,
        headers,
        queries,
        backends,
        timeouts,
        limits,
        priority,
        tls,
        policies,
        listener,
        wildcardsAnyDepth);
  }

  public RouteSpec withTls(TlsSpec newTls) {
    return new RouteSpec(
        key,
        hosts,
        paths,
        methods,
        headers,
        queries,
        backends,
        timeouts,
        limits,
        priority,
        newTls,
        policies,
        listener,
        wildcardsAnyDepth);
  }

  public RouteSpec withPaths(List<PathMatch> newPaths) {
    return new RouteSpec(
        key,
        hosts,
        newPaths,
        methods,
        headers,
        queries,
        backends,
        timeouts,
        limits,
        priority,
        tls,
        policies,
        listener,
        wildcardsAnyDepth);
  }

  /**
   * This route with {@code newBackend} as its only backend. A route that had one backend keeps its
   * weight, so an endpoint change leaves everything else equal; otherwise the weight is the
   * default.
   */
  public RouteSpec withBackend(BackendSpec newBackend) {
    int weight = backends.size() == 1 ? backends.get(0).weight() : RouteBackend.DEFAULT_WEIGHT;
    return withBackends(List.of(new RouteBackend(newBackend, weight)));
  }

  public RouteSpec withBackends(List<RouteBackend> newBackends) {
    return new RouteSpec(
        key,
        hosts,
        paths,
        methods,
        headers,
        queries,
        newBackends,
        timeouts,
        limits,
        priority,
        tls,
        policies,
        listener,
        wildcardsAnyDepth);
  }

  public RouteSpec withKey(RouteKey newKey) {
    return new RouteSpec(
        newKey,
        hosts,
        paths,
        methods,
        headers,
        queries,
        backends,
        timeouts,
        limits,
        priority,
        tls,
        policies,
        listener,
        wildcardsAnyDepth);
  }

  public RouteSpec withLimits(Limits newLimits) {
    return new RouteSpec(
        key,
        hosts,
        paths,
        methods,
        headers,
        queries,
        backends,
        timeouts,
        newLimits,
        priority,
        tls,
        policies,
        listener,
        wildcardsAnyDepth);
  }

  public RouteSpec withPolicies(List<PolicySpec> newPolicies) {
    return new RouteSpec(
        key,
        hosts,
        paths,
        methods,
        headers,
        queries,
        backends,
        timeouts,
        limits,
        priority,
        tls,
        newPolicies,
        listener,
        wildcardsAnyDepth);
  }

  /** This route served on {@code newListener} alone, or on the node's own listeners for null. */
  public RouteSpec withListener(@Nullable ListenerKey newListener) {
    return new RouteSpec(
        key,
        hosts,
        paths,
        methods,
        headers,
        queries,
        backends,
        timeouts,
        limits,
        priority,
        tls,
        policies,
        newListener,
        wildcardsAnyDepth);
  }

  /** This route with its wildcards covering any number of labels (true) or exactly one. */
  public RouteSpec withWildcardsAnyDepth(boolean anyDepth) {
    return new RouteSpec(
        key, hosts, paths, methods, headers, queries, backends, timeouts, limits, priority, tls,
        policies, listener, anyDepth);
  }
}
