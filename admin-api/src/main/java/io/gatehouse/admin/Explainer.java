package io.gatehouse.admin;

import io.gatehouse.model.TenantId;
import io.gatehouse.model.policy.PolicySpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Answers {@code POST /v1/explain}: which route, certificate and backend the node would pick for a
 * request, and why. The node implements it over its routing state; the admin API only turns the
 * answer into JSON, so it never depends on the router.
 */
@FunctionalInterface
public interface Explainer {
  /** What a node without routing state answers: the operation gets 503. */
  Explainer UNAVAILABLE = (question, viewer) -> null;

  /**
   * @param viewer the tenant of the asking token, or null for an admin token; a tenant sees only
   *     its own routes and certificates
   * @return the answer, or null when this node cannot explain
   */
  @Nullable Result explain(Question question, @Nullable TenantId viewer);

  /**
   * @param method upper-case method name
   * @param url absolute http or https URL as given
   * @param headers request headers, lower-case names
   * @param sni the SNI name of the connection, or null for the URL's host
   */
  record Question(String method, String url, Map<String, String> headers, @Nullable String sni) {
    public Question {
      headers = Map.copyOf(headers);
    }
  }

  /** Either an explanation or the reason the question is not a request. */
  sealed interface Result permits Explanation, Invalid {}

  /** The question does not describe a request the node would route (the node would answer 400). */
  record Invalid(String pointer, String value, String rule) implements Result {}

  /**
   * {@code outcome}: proxy, redirect, misdirected, defaultBackend or unavailable.
   *
   * @param backend the route's first backend (its only one unless it splits), or null
   * @param backends every backend of the route with its weight, in the route's order; empty when
   *     nothing matched
   * @param split how the route's split would place this request (canary rule, sticky cookie or
   *     weights); null when the route does not split
   * @param mirrors the route's mirrors (policy RequestMirror) in policy order; empty for none
   * @param errorPages the route's error pages policies in policy order; empty for none
   * @param access the route's access-control policies (issue #15) in the order they run (IP rules,
   *     authentication, limits); the answer writes them as the route document does, without
   *     password hashes or inline key material; empty for none
   * @param maxResponseHeaderBytes the matched route's own response head limit ({@code
   *     maxResponseHeaderBytes}); 0 when it has none (the node's limit)
   */
  record Explanation(
      long generation,
      String outcome,
      @Nullable RouteRef route,
      @Nullable Reason reason,
      @Nullable Backend backend,
      @Nullable Tls tls,
      @Nullable Redirect redirect,
      @Nullable Fallback fallback,
      List<Backend> backends,
      @Nullable SplitChoice split,
      List<MirrorTarget> mirrors,
      List<ErrorPagesTarget> errorPages,
      List<PolicySpec> access,
      int maxResponseHeaderBytes)
      implements Result {
    public Explanation {
      backends = List.copyOf(backends);
      mirrors = List.copyOf(mirrors);
      errorPages = List.copyOf(errorPages);
      access = List.copyOf(access);
    }

    /** An explanation of a route without its own response head limit. */
    public Explanation(
        long generation,
        String outcome,
        @Nullable RouteRef route,
        @Nullable Reason reason,
        @Nullable Backend backend,
        @Nullable Tls tls,
        @Nullable Redirect redirect,
        @Nullable Fallback fallback,
        List<Backend> backends,
        @Nullable SplitChoice split,
        List<MirrorTarget> mirrors,
        List<ErrorPagesTarget> errorPages,
        List<PolicySpec> access) {
      this(
          generation,
          outcome,
          route,
          reason,
          backend,
          tls,
          redirect,
          fallback,
          backends,
          split,
          mirrors,
          errorPages,
          access,
          0);
    }

    /** An explanation of a route without access policies. */
    public Explanation(
        long generation,
        String outcome,
        @Nullable RouteRef route,
        @Nullable Reason reason,
        @Nullable Backend backend,
        @Nullable Tls tls,
        @Nullable Redirect redirect,
        @Nullable Fallback fallback,
        List<Backend> backends,
        @Nullable SplitChoice split,
        List<MirrorTarget> mirrors,
        List<ErrorPagesTarget> errorPages) {
      this(
          generation,
          outcome,
          route,
          reason,
          backend,
          tls,
          redirect,
          fallback,
          backends,
          split,
          mirrors,
          errorPages,
          List.of());
    }

    /** An explanation of a route without mirrors or error pages. */
    public Explanation(
        long generation,
        String outcome,
        @Nullable RouteRef route,
        @Nullable Reason reason,
        @Nullable Backend backend,
        @Nullable Tls tls,
        @Nullable Redirect redirect,
        @Nullable Fallback fallback,
        List<Backend> backends,
        @Nullable SplitChoice split) {
      this(
          generation,
          outcome,
          route,
          reason,
          backend,
          tls,
          redirect,
          fallback,
          backends,
          split,
          List.of(),
          List.of());
    }

    /** An explanation of a route that does not split (or of no route). */
    public Explanation(
        long generation,
        String outcome,
        @Nullable RouteRef route,
        @Nullable Reason reason,
        @Nullable Backend backend,
        @Nullable Tls tls,
        @Nullable Redirect redirect,
        @Nullable Fallback fallback,
        List<Backend> backends) {
      this(generation, outcome, route, reason, backend, tls, redirect, fallback, backends, null);
    }

    /** An explanation whose route has at most the one backend {@code backend}. */
    public Explanation(
        long generation,
        String outcome,
        @Nullable RouteRef route,
        @Nullable Reason reason,
        @Nullable Backend backend,
        @Nullable Tls tls,
        @Nullable Redirect redirect,
        @Nullable Fallback fallback) {
      this(
          generation,
          outcome,
          route,
          reason,
          backend,
          tls,
          redirect,
          fallback,
          backend == null ? List.of() : List.of(backend));
    }

    public boolean matched() {
      return route != null;
    }
  }

  record RouteRef(String tenant, String source, String name, long revision) {}

  /**
   * @param hostLevel exact, wildcard, catchAll or none
   * @param host the exact host or {@code *.suffix} of the level, or null
   * @param pathType Exact, Prefix or RegularExpression; null when nothing matched
   */
  record Reason(
      String hostLevel,
      @Nullable String host,
      @Nullable String pathType,
      @Nullable String pathValue,
      List<String> conditions,
      List<PassedOver> passedOver,
      @Nullable String detail) {
    public Reason {
      conditions = List.copyOf(conditions);
      passedOver = List.copyOf(passedOver);
    }
  }

  /** A candidate at a matching path whose conditions failed. */
  record PassedOver(String route, String pathType, String pathValue, String failed) {}

  /**
   * @param endpointsKey which set of the node's endpoint index the endpoints come from, or null
   * @param endpointsRevision that set's revision on this node (0: nothing put for the key yet)
   * @param weight the backend's share of the route's requests, relative to its other backends'
   * @param canary the backend's canary rule, or null for an ordinary backend
   * @param policy the backend's policy in short (issue #14), or null for the default one
   */
  record Backend(
      String protocol,
      List<Endpoint> endpoints,
      @Nullable String endpointsKey,
      long endpointsRevision,
      int weight,
      @Nullable Canary canary,
      @Nullable Policy policy) {
    public Backend {
      endpoints = List.copyOf(endpoints);
    }

    public Backend(
        String protocol,
        List<Endpoint> endpoints,
        @Nullable String endpointsKey,
        long endpointsRevision,
        int weight,
        @Nullable Canary canary) {
      this(protocol, endpoints, endpointsKey, endpointsRevision, weight, canary, null);
    }

    public Backend(
        String protocol,
        List<Endpoint> endpoints,
        @Nullable String endpointsKey,
        long endpointsRevision,
        int weight) {
      this(protocol, endpoints, endpointsKey, endpointsRevision, weight, null);
    }

    public Backend(
        String protocol,
        List<Endpoint> endpoints,
        @Nullable String endpointsKey,
        long endpointsRevision) {
      this(protocol, endpoints, endpointsKey, endpointsRevision, 1);
    }

    public Backend(String protocol, List<Endpoint> endpoints) {
      this(protocol, endpoints, null, 0);
    }
  }

  record Endpoint(String address, int weight) {}

  /**
   * A backend's policy in short: what picks the endpoint and whether checks run, as the document
   * names them.
   *
   * @param algorithm {@code RoundRobin}, {@code LeastRequest}, {@code PowerOfTwoChoices}, {@code
   *     PeakEWMA}, {@code RingHash} or {@code Maglev}
   * @param hashOn what a hashing algorithm hashes ({@code header x-user}, {@code cookie sid},
   *     {@code queryParameter u}, {@code sourceAddress}), or null
   * @param affinityCookie the name of the affinity cookie, or null for none
   * @param healthCheck {@code http PATH}, {@code grpc} or {@code tcp}, or null for no probes
   * @param outlierDetection whether outlier detection is on
   */
  record Policy(
      String algorithm,
      @Nullable String hashOn,
      @Nullable String affinityCookie,
      @Nullable String healthCheck,
      boolean outlierDetection) {}

  /** A backend's canary rule: at least one of header and cookie; value or pattern with header. */
  record Canary(
      @Nullable String header,
      @Nullable String headerValue,
      @Nullable String headerPattern,
      @Nullable String cookie) {}

  /**
   * A route's sticky split setting (policy SessionPersistence).
   *
   * @param absoluteTimeout the cookie's lifetime, ISO-8601 ({@code PT48H}), or null (session)
   * @param secure null: Secure when the request comes over TLS
   */
  record Sticky(
      String sessionName,
      @Nullable String absoluteTimeout,
      String path,
      @Nullable Boolean secure,
      @Nullable String sameSite) {}

  /**
   * How a split route would place the explained request, in the data plane's order: the canary
   * rule's header, then its cookie, then the sticky cookie, then the weights.
   *
   * @param decision {@code canary} (the canary rule sends it to the canary), {@code notCanary} (the
   *     rule sends it to the other backends, by their weights), {@code sticky} (its sticky cookie
   *     pins a backend) or {@code weights} (the weighted draw)
   * @param backend the index in {@code backends} of the backend decided, or -1 when weights pick
   * @param detail why, in words
   * @param sticky the route's sticky setting, or null when it has none
   */
  record SplitChoice(String decision, int backend, String detail, @Nullable Sticky sticky) {}

  /**
   * A mirror of the matched route (policy RequestMirror): where its copies go and the share of the
   * route's requests it copies. Whether this very request is copied is not said: the share is
   * counted over the node's requests for the route ({@code numerator} of every {@code
   * denominator}).
   *
   * @param backend where the copies go (weight 1, no canary)
   * @param hostname the Host the copies carry, or null for the one the primary gets
   * @param requestBody whether the body is copied; a request whose body is larger than {@code
   *     maxBodyBytes} is not copied at all
   * @param maxInFlight the most copies of this mirror open at once on a node (more are dropped)
   */
  record MirrorTarget(
      Backend backend,
      int numerator,
      int denominator,
      @Nullable String hostname,
      boolean requestBody,
      long maxBodyBytes,
      int maxInFlight) {
    /** The share copied, in percent (Gateway API's {@code percent} when the denominator is 100). */
    public double percent() {
      return denominator <= 0 ? 0 : numerator * 100.0 / denominator;
    }
  }

  /**
   * An error pages policy of the matched route: the statuses of the route's answers whose body it
   * replaces, and with what: a static page ({@code contentType} set, {@code backend} null) or the
   * page an error backend answers ({@code backend} set). A code listed by an earlier policy of the
   * route stays with that one.
   */
  record ErrorPagesTarget(
      List<Integer> codes, @Nullable String contentType, @Nullable Backend backend) {
    public ErrorPagesTarget {
      codes = List.copyOf(codes);
    }
  }

  /**
   * @param certificate null when there is no listener
   */
  record Tls(
      boolean listener,
      @Nullable String sni,
      @Nullable Certificate certificate,
      boolean misdirected,
      @Nullable String misdirectedReason) {}

  /** {@code withheld}: another owner's certificate; only {@code default} and this are set. */
  record Certificate(
      @Nullable String name,
      @Nullable String owner,
      @Nullable List<String> sans,
      @Nullable Instant notAfter,
      boolean isDefault,
      boolean withheld) {
    public Certificate {
      sans = sans == null ? null : List.copyOf(sans);
    }
  }

  record Redirect(
      boolean redirected, int status, @Nullable String location, @Nullable String detail) {}

  /**
   * @param status 404 from the built-in default backend, 0 when {@code upstream} answers
   */
  record Fallback(int status, @Nullable String upstream, String detail) {}
}
