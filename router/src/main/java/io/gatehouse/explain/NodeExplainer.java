package io.gatehouse.explain;

import io.gatehouse.admin.Explainer;
import io.gatehouse.certificate.CertificateIndex;
import io.gatehouse.certificate.ServedCertificate;
import io.gatehouse.edge.QueryParams;
import io.gatehouse.edge.RequestPaths;
import io.gatehouse.endpoint.EndpointIndex;
import io.gatehouse.endpoint.EndpointSet;
import io.gatehouse.endpoint.EndpointsKey;
import io.gatehouse.model.CanaryRule;
import io.gatehouse.model.HeaderMatch;
import io.gatehouse.model.QueryMatch;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TenantId;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.backend.BackendPolicy;
import io.gatehouse.model.backend.HashOn;
import io.gatehouse.model.backend.HealthCheck;
import io.gatehouse.model.backend.LoadBalancing;
import io.gatehouse.model.policy.BasicAuth;
import io.gatehouse.model.policy.ConnectionLimit;
import io.gatehouse.model.policy.ErrorPages;
import io.gatehouse.model.policy.ForwardAuth;
import io.gatehouse.model.policy.IpAccess;
import io.gatehouse.model.policy.JwtAuth;
import io.gatehouse.model.policy.PolicySpec;
import io.gatehouse.model.policy.RateLimit;
import io.gatehouse.model.policy.RequestMirror;
import io.gatehouse.model.policy.SessionPersistence;
import io.gatehouse.snapshot.CanaryMatcher;
import io.gatehouse.snapshot.CompiledRoute;
import io.gatehouse.snapshot.MatchTrace;
import io.gatehouse.snapshot.Mirror;
import io.gatehouse.snapshot.RequestView;
import io.gatehouse.snapshot.RouteSnapshot;
import io.gatehouse.snapshot.Split;
import io.gatehouse.snapshot.StickyCookies;
import io.gatehouse.snapshot.Target;
import io.gatehouse.tls.HttpsRedirects;
import io.gatehouse.tls.MisdirectedRequests;
import io.gatehouse.validate.Hostnames;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;

/**
 * The node's answer to the admin API's explain operation: the request goes through the same steps
 * as in the data plane (host and path normalisation, 421 check, route lookup, HTTPS redirect,
 * default backend), over the snapshot and certificate index served now. A tenant viewer sees only
 * its own routes: when another tenant's route would serve the request, the answer is the one for no
 * match, and certificates of other owners are withheld.
 */
public final class NodeExplainer implements Explainer {
  private final Supplier<RouteSnapshot> snapshots;
  private final EndpointIndex endpoints;
  private final Supplier<CertificateIndex> certificates;
  private final IntSupplier httpsPort;
  private final ToLongFunction<RouteSpec> revision;
  private final String defaultUpstream;

  /**
   * @param endpoints the node's endpoint index, which the snapshots' targets name slots of
   * @param certificates the HTTPS listener's index; supplies null without an HTTPS listener
   * @param revision the table revision of a route
   * @param defaultUpstream the configured default backend upstream, or blank for the built-in 404
   */
  public NodeExplainer(
      Supplier<RouteSnapshot> snapshots,
      EndpointIndex endpoints,
      Supplier<CertificateIndex> certificates,
      IntSupplier httpsPort,
      ToLongFunction<RouteSpec> revision,
      String defaultUpstream) {
    this.snapshots = snapshots;
    this.endpoints = endpoints;
    this.certificates = certificates;
    this.httpsPort = httpsPort;
    this.revision = revision;
    this.defaultUpstream = defaultUpstream == null ? "" : defaultUpstream;
  }

  @Override
  public Result explain(Question q, @Nullable TenantId viewer) {
    String url = q.url();
    int colon = url.indexOf("://");
    String scheme = colon < 0 ? "" : url.substring(0, colon).toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return new Invalid("/url", url, "an absolute http:// or https:// URL");
    }
    boolean https = scheme.equals("https");
    int start = colon + 3;
    int end = start;
    while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
      end++;
    }
    String authority = url.substring(start, end);
    // A fragment never reaches a server.
    String rest = url.substring(end);
    int hash = rest.indexOf('#');
    if (hash >= 0) {
      rest = rest.substring(0, hash);
    }
    int qm = rest.indexOf('?');
    String rawPath = qm < 0 ? rest : rest.substring(0, qm);
    String query = qm < 0 ? null : rest.substring(qm + 1);
    if (authority.isEmpty() || authority.indexOf('@') >= 0) {
      return new Invalid("/url", url, "a host without user information");
    }
    Optional<String> normalizedHost = Hostnames.normalizeRequestHost(authority);
    if (normalizedHost.isEmpty()) {
      return new Invalid("/url", url, "a valid host (the router would answer 400)");
    }
    String host = normalizedHost.get();
    String path = RequestPaths.normalize(rawPath.isEmpty() ? "/" : rawPath);
    if (path == null) {
      return new Invalid("/url", url, "a path the router accepts (it would answer 400)");
    }
    String sni = https ? sniName(q.sni(), host) : null;
    RouteSnapshot snapshot = snapshots.get();
    if (snapshot == null) {
      return new Explanation(
          0,
          "unavailable",
          null,
          new Reason("none", null, null, null, List.of(), List.of(), "no routing snapshot yet"),
          null,
          null,
          null,
          new Fallback(503, null, "the node answers 503 until its first snapshot"));
    }
    MatchTrace trace = snapshot.trace(host, path, new View(q.method(), q.headers(), query));
    CompiledRoute route =
        trace.route() != null && visible(trace.route(), viewer) ? trace.route() : null;
    Reason reason = reason(snapshot, trace, route, viewer);
    CertificateIndex index = certificates.get();
    Tls tls = https ? tls(index, sni, host, route, viewer) : null;
    if (route == null) {
      String outcome = tls != null && tls.misdirected() ? "misdirected" : "defaultBackend";
      Redirect redirect =
          https ? null : new Redirect(false, 0, null, "no route: the default backend answers");
      return new Explanation(
          snapshot.generation(), outcome, null, reason, null, tls, redirect, fallback());
    }
    // By key, not slot: explain never reads a slot that went to another key meanwhile.
    List<Backend> backends = new ArrayList<>(route.targets().size());
    boolean available = false;
    boolean fixed = false;
    for (int i = 0; i < route.targets().size(); i++) {
      Target t = route.targets().get(i);
      EndpointSet set = endpoints.get(t.key());
      List<RouteBackend> refs = route.spec().backends();
      backends.add(backend(t, set, i < refs.size() ? refs.get(i).canary() : null));
      // As the data plane: a backend takes requests with a weight (when the route splits) and a
      // live endpoint, or answers its fixed status itself (a backend its source could not resolve).
      boolean weighted = route.split() == null || route.split().weight(i) > 0;
      available |= weighted && set.endpoints().stream().anyMatch(ep -> ep.weight() > 0);
      fixed |= weighted && t.fixed();
    }
    Redirect redirect = https ? null : redirect(index, route, host, path, query);
    String outcome;
    if (tls != null && tls.misdirected()) {
      outcome = "misdirected";
    } else if (redirect != null && redirect.redirected()) {
      outcome = "redirect";
    } else if (!available && fixed) {
      outcome = "fixedStatus";
    } else if (!available) {
      outcome = "unavailable";
    } else {
      outcome = "proxy";
    }
    RouteSpec spec = route.spec();
    return new Explanation(
        snapshot.generation(),
        outcome,
        new RouteRef(
            spec.key().tenant().value(),
            spec.key().source(),
            spec.key().name(),
            revision.applyAsLong(spec)),
        reason,
        backends.get(0),
        tls,
        redirect,
        null,
        backends,
        route.split() == null ? null : splitChoice(route, q.headers()),
        mirrors(route),
        errorPages(route),
        access(spec),
        spec.limits().maxResponseHeaderBytes());
  }

  /**
   * The route's access policies in the order they run (IP rules first, then authentication, then
   * limits, each in list order); the admin API writes them without hash or key material.
   */
  static List<PolicySpec> access(RouteSpec spec) {
    List<PolicySpec> ordered = new ArrayList<>();
    for (int stage = 0; stage < 3; stage++) {
      for (PolicySpec p : spec.policies()) {
        int s =
            p instanceof IpAccess
                ? 0
                : p instanceof BasicAuth || p instanceof JwtAuth || p instanceof ForwardAuth
                    ? 1
                    : p instanceof RateLimit || p instanceof ConnectionLimit ? 2 : -1;
        if (s == stage) {
          ordered.add(p);
        }
      }
    }
    return ordered;
  }

  /**
   * Where the route's mirrors send their copies, with their shares, in policy order (the order the
   * data plane numbers them in); the endpoints by key, as the backends'.
   */
  private List<MirrorTarget> mirrors(CompiledRoute route) {
    if (route.mirrors().isEmpty()) {
      return List.of();
    }
    List<MirrorTarget> out = new ArrayList<>(route.mirrors().size());
    for (Mirror m : route.mirrors()) {
      RequestMirror spec = m.spec();
      Target t = m.target();
      out.add(
          new MirrorTarget(
              backend(t, endpoints.get(t.key()), null),
              spec.numerator(),
              spec.denominator(),
              spec.hostname(),
              spec.requestBody(),
              spec.maxBodyBytes(),
              spec.maxInFlight()));
    }
    return out;
  }

  /**
   * The route's error pages policies in policy order: the codes of each and its static page's type
   * or its error backend (the route's error targets are one per policy with a backend, in the same
   * order).
   */
  private List<ErrorPagesTarget> errorPages(CompiledRoute route) {
    List<ErrorPagesTarget> out = null;
    int fetched = 0;
    for (PolicySpec p : route.spec().policies()) {
      if (!(p instanceof ErrorPages pages)) {
        continue;
      }
      if (out == null) {
        out = new ArrayList<>(1);
      }
      if (pages.backend() == null) {
        String type =
            pages.contentType() == null ? ErrorPages.DEFAULT_CONTENT_TYPE : pages.contentType();
        out.add(new ErrorPagesTarget(pages.codes(), type, null));
      } else {
        Target t = route.errorTargets().get(fetched++);
        out.add(
            new ErrorPagesTarget(pages.codes(), null, backend(t, endpoints.get(t.key()), null)));
      }
    }
    return out == null ? List.of() : out;
  }

  /**
   * How the route's split would place a request with {@code headers}, in the data plane's order
   * ({@code UpstreamAttempt.pick}, {@code SplitPicker}): the canary rule's header, its cookie, the
   * sticky cookie (while its backend is at a weight above 0 and has live endpoints), the weights.
   */
  private SplitChoice splitChoice(CompiledRoute route, Map<String, String> headers) {
    Split split = Objects.requireNonNull(route.split(), "asked only of a split route");
    String cookieField = headers.get("cookie");
    List<String> cookies = cookieField == null ? List.of() : List.of(cookieField);
    StickyCookies sticky = split.sticky();
    Sticky setting = sticky == null ? null : sticky(sticky.spec());
    CanaryMatcher canary = split.canary();
    int at = split.canaryIndex();
    if (canary != null) {
      String header = canary.header();
      int byHeader =
          header == null ? CanaryMatcher.FALL_THROUGH : canary.byHeader(headers.get(header));
      if (byHeader != CanaryMatcher.FALL_THROUGH) {
        return canaryChoice(route, byHeader, at, "header " + header, setting);
      }
      int byCookie = canary.byCookie(cookies);
      if (byCookie != CanaryMatcher.FALL_THROUGH) {
        return canaryChoice(route, byCookie, at, "cookie " + canary.cookie(), setting);
      }
    }
    if (sticky != null) {
      int pinned = sticky.find(cookies);
      if (pinned >= 0) {
        if (split.weight(pinned) > 0 && live(route.targets().get(pinned))) {
          return new SplitChoice(
              "sticky",
              pinned,
              "the sticky cookie " + sticky.name() + " pins backends[" + pinned + "]",
              setting);
        }
        return new SplitChoice(
            "weights",
            -1,
            "the sticky cookie "
                + sticky.name()
                + " pins backends["
                + pinned
                + "], which "
                + (split.weight(pinned) == 0 ? "is at weight 0" : "has no live endpoint")
                + ": the weights pick and the answer replaces the cookie",
            setting);
      }
      boolean carried = hasCookie(cookies, sticky.name());
      return new SplitChoice(
          "weights",
          -1,
          carried
              ? "the sticky cookie "
                  + sticky.name()
                  + " names no backend of this route (forged, stale, or set under another"
                  + " node's key): the weights pick and the answer replaces the cookie"
              : "no sticky cookie: the weights pick and the answer sets " + sticky.name(),
          setting);
    }
    return new SplitChoice(
        "weights",
        -1,
        canary == null ? "the weights pick" : "the canary rule leaves it to the weights",
        null);
  }

  private SplitChoice canaryChoice(
      CompiledRoute route, int verdict, int canary, String by, @Nullable Sticky sticky) {
    if (verdict == CanaryMatcher.CANARY && live(route.targets().get(canary))) {
      return new SplitChoice(
          "canary", canary, "the canary rule's " + by + " sends it to the canary", sticky);
    }
    String why =
        verdict == CanaryMatcher.CANARY
            ? "the canary rule's "
                + by
                + " picks the canary, which has no live endpoint: the"
                + " other backends by their weights"
            : "the canary rule's " + by + " sends it to the other backends, by their weights";
    return new SplitChoice("notCanary", -1, why, sticky);
  }

  private boolean live(Target t) {
    return endpoints.get(t.key()).endpoints().stream().anyMatch(ep -> ep.weight() > 0);
  }

  private static boolean hasCookie(List<String> cookies, String name) {
    for (String field : cookies) {
      for (String pair : field.split("[;,]")) {
        int eq = pair.indexOf('=');
        if (eq > 0 && pair.substring(0, eq).strip().equalsIgnoreCase(name)) {
          return true;
        }
      }
    }
    return false;
  }

  private static Sticky sticky(SessionPersistence s) {
    return new Sticky(
        s.sessionName(),
        // ISO-8601 (PT48H), one of the document's duration forms
        s.absoluteTimeout() == null ? null : s.absoluteTimeout().toString(),
        s.path() == null ? "/" : s.path(),
        s.secure(),
        s.sameSite());
  }

  private static boolean visible(CompiledRoute route, @Nullable TenantId viewer) {
    return viewer == null || route.spec().key().tenant().equals(viewer);
  }

  /** The URL's host is the SNI name unless given; IP literals get none (as clients send none). */
  private static @Nullable String sniName(@Nullable String given, String host) {
    if (given != null && !given.isBlank()) {
      return given.toLowerCase(Locale.ROOT);
    }
    boolean ip =
        host.startsWith("[") || host.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    return ip ? null : host;
  }

  private Reason reason(
      RouteSnapshot snapshot,
      MatchTrace trace,
      @Nullable CompiledRoute route,
      @Nullable TenantId viewer) {
    List<PassedOver> passed = new ArrayList<>();
    for (MatchTrace.PassedOver p : trace.passedOver()) {
      if (visible(p.route(), viewer)) {
        passed.add(
            new PassedOver(
                p.route().spec().key().toString(), p.pathType(), p.pathValue(), p.failed()));
      }
    }
    String level = level(trace.level());
    if (route != null) {
      return new Reason(
          level,
          trace.levelHost(),
          trace.pathType(),
          trace.pathValue(),
          conditions(route.spec()),
          passed,
          null);
    }
    if (trace.route() != null || (viewer != null && !levelIsViewers(snapshot, trace, viewer))) {
      // Another tenant's route or host level: answered as if nothing matched.
      return new Reason(
          "none", null, null, null, List.of(), passed, "no route of this tenant matches");
    }
    String detail =
        trace.level() == MatchTrace.HostLevel.NONE
            ? "no route lists this host and there is no catch-all route"
            : "the host level was selected but none of its paths matched (no fall-through)";
    return new Reason(level, trace.levelHost(), null, null, List.of(), passed, detail);
  }

  /** Whether one of the viewer's routes lists the level's host (or is a catch-all). */
  private static boolean levelIsViewers(
      RouteSnapshot snapshot, MatchTrace trace, @Nullable TenantId viewer) {
    if (trace.level() == MatchTrace.HostLevel.NONE) {
      return true;
    }
    for (CompiledRoute r : snapshot.routes()) {
      if (!r.spec().key().tenant().equals(viewer)) {
        continue;
      }
      List<String> hosts = r.spec().hosts();
      if (trace.levelHost() == null ? hosts.isEmpty() : hosts.contains(trace.levelHost())) {
        return true;
      }
    }
    return false;
  }

  private static String level(MatchTrace.HostLevel level) {
    return switch (level) {
      case EXACT -> "exact";
      case WILDCARD -> "wildcard";
      case CATCH_ALL -> "catchAll";
      case NONE -> "none";
    };
  }

  private static List<String> conditions(RouteSpec spec) {
    List<String> out = new ArrayList<>();
    if (!spec.methods().isEmpty()) {
      out.add("method in " + spec.methods().stream().sorted().toList());
    }
    for (HeaderMatch h : spec.headers()) {
      out.add("header " + value(h.name(), h.type().name(), h.value()));
    }
    for (QueryMatch m : spec.queries()) {
      out.add("query " + value(m.name(), m.type().name(), m.value()));
    }
    return out;
  }

  private static String value(String name, String type, String value) {
    return switch (type) {
      case "EXACT" -> name + " = \"" + value + "\"";
      case "PRESENT" -> name + " present";
      default -> name + " ~ " + value;
    };
  }

  private Tls tls(
      @Nullable CertificateIndex index,
      @Nullable String sni,
      String host,
      @Nullable CompiledRoute route,
      @Nullable TenantId viewer) {
    if (index == null) {
      return new Tls(false, sni, null, false, "this node has no HTTPS listener");
    }
    ServedCertificate served = index.lookup(sni);
    boolean isDefault = served.equals(index.defaultCertificate());
    String name = served.name();
    String owner = served.key() == null ? null : served.key().tenant().value();
    Certificate cert;
    if (viewer != null && !isDefault && !viewer.value().equals(owner)) {
      cert = new Certificate(null, null, null, null, false, true);
    } else {
      cert =
          new Certificate(
              isDefault ? "default" : name,
              isDefault ? null : owner,
              served.dnsNames(),
              served.chain()[0].getNotAfter().toInstant(),
              isDefault,
              false);
    }
    if (MisdirectedRequests.misdirected(served.dnsNames(), sni, host)) {
      return new Tls(
          true,
          sni,
          cert,
          true,
          "the host is neither the SNI name nor covered by the certificate served for it");
    }
    if (route != null && route.clientCertificates() != null && sni != null && !sni.equals(host)) {
      return new Tls(
          true,
          sni,
          cert,
          true,
          "the route asks for client certificates: the host must be the connection's SNI name");
    }
    return new Tls(true, sni, cert, false, null);
  }

  private Redirect redirect(
      @Nullable CertificateIndex index,
      CompiledRoute route,
      String host,
      String path,
      @Nullable String query) {
    if (index == null) {
      return new Redirect(false, 0, null, "this node has no HTTPS listener");
    }
    int status = HttpsRedirects.redirectStatus(route.spec().tls(), host, path);
    if (status == 0) {
      String why =
          route.spec().tls() == null
              ? "the route has no tls section"
              : path.startsWith(HttpsRedirects.ACME_CHALLENGE)
                  ? "ACME HTTP-01 challenges are never redirected"
                  : "the route's tls does not redirect this host";
      return new Redirect(false, 0, null, why);
    }
    int port = httpsPort.getAsInt();
    return new Redirect(
        true,
        status,
        HttpsRedirects.location(host, port > 0 ? Integer.toString(port) : null, path, query),
        null);
  }

  private Fallback fallback() {
    return defaultUpstream.isBlank()
        ? new Fallback(404, null, "no route: the built-in default backend answers 404")
        : new Fallback(0, defaultUpstream, "no route: the configured default upstream answers");
  }

  private static Backend backend(Target target, EndpointSet set, @Nullable CanaryRule canary) {
    List<Explainer.Endpoint> eps = new ArrayList<>();
    for (io.gatehouse.model.Endpoint e : set.endpoints()) {
      eps.add(new Explainer.Endpoint(e.authority(), e.weight()));
    }
    String protocol =
        target.protocol() == UpstreamProtocol.H2C
            ? "h2c"
            : target.protocol() == UpstreamProtocol.H2 ? "h2" : "http1";
    return new Backend(
        protocol,
        eps,
        describe(set.key()),
        set.revision(),
        target.weight(),
        canary == null
            ? null
            : new Canary(
                canary.header(), canary.headerValue(), canary.headerPattern(), canary.cookie()),
        policy(target.policy()));
  }

  /** The policy in short, or null for the default one (round robin, outliers on, no probes). */
  private static Explainer.@Nullable Policy policy(BackendPolicy p) {
    if (p.equals(BackendPolicy.DEFAULT)) {
      return null;
    }
    LoadBalancing lb = p.loadBalancing();
    HashOn on = lb.hashOn();
    String hash =
        on == null
            ? null
            : switch (on.source()) {
              case HEADER -> "header " + on.name();
              case COOKIE -> "cookie " + on.name();
              case QUERY_PARAMETER -> "queryParameter " + on.name();
              case SOURCE_ADDRESS -> "sourceAddress";
            };
    HealthCheck hc = p.healthCheck();
    String check =
        hc == null
            ? null
            : switch (hc.protocol()) {
              case HTTP -> "http " + hc.path();
              case GRPC -> "grpc";
              case TCP -> "tcp";
            };
    return new Explainer.Policy(
        algorithm(lb.algorithm()),
        hash,
        lb.affinity() == null ? null : lb.affinity().name(),
        check,
        p.outlierDetection() != null);
  }

  /** The document's name of an algorithm. */
  private static String algorithm(LoadBalancing.Algorithm a) {
    return switch (a) {
      case ROUND_ROBIN -> "RoundRobin";
      case LEAST_REQUEST -> "LeastRequest";
      case POWER_OF_TWO -> "PowerOfTwoChoices";
      case PEAK_EWMA -> "PeakEWMA";
      case RING_HASH -> "RingHash";
      case MAGLEV -> "Maglev";
    };
  }

  /**
   * The key as explain shows it: {@code inline:ROUTE#i}, {@code backend:...}, {@code service:...}.
   */
  static String describe(EndpointsKey key) {
    if (key instanceof EndpointsKey.Inline i) {
      return "inline:"
          + i.route()
          + "#"
          + i.backend()
          + (i.variant() == 0 ? "" : "~" + i.variant());
    }
    if (key instanceof EndpointsKey.Named n) {
      return "backend:" + n.backend() + (n.variant() == 0 ? "" : "~" + n.variant());
    }
    EndpointsKey.Service s = (EndpointsKey.Service) key;
    return "service:"
        + s.namespace()
        + "/"
        + s.service()
        + ":"
        + (s.portName() != null ? s.portName() : Integer.toString(s.port()));
  }

  /** The request as route conditions read it. */
  private record View(String method, Map<String, String> headers, @Nullable String query)
      implements RequestView {
    @Override
    public @Nullable String header(String lowerCaseName) {
      return headers.get(lowerCaseName);
    }

    @Override
    public @Nullable String queryParam(String name) {
      return QueryParams.first(query, name);
    }
  }
}
