package io.gatehouse.document;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.model.BackendObject;
import io.gatehouse.model.BackendRef;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.CanaryRule;
import io.gatehouse.model.ClientAuth;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.HeaderMatch;
import io.gatehouse.model.Hsts;
import io.gatehouse.model.HttpsRedirect;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.QueryMatch;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.Timeouts;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.model.UpstreamTls;
import io.gatehouse.model.ValueMatchType;
import io.gatehouse.model.backend.BackendPolicy;
import io.gatehouse.model.backend.CircuitBreaker;
import io.gatehouse.model.backend.CookieAffinity;
import io.gatehouse.model.backend.HashOn;
import io.gatehouse.model.backend.HealthCheck;
import io.gatehouse.model.backend.LoadBalancing;
import io.gatehouse.model.backend.OutlierDetection;
import io.gatehouse.model.policy.BasicAuth;
import io.gatehouse.model.policy.Compression;
import io.gatehouse.model.policy.ConnectionLimit;
import io.gatehouse.model.policy.Cors;
import io.gatehouse.model.policy.ErrorPages;
import io.gatehouse.model.policy.ForwardAuth;
import io.gatehouse.model.policy.HeaderEditsSpec;
import io.gatehouse.model.policy.IpAccess;
import io.gatehouse.model.policy.JwtAuth;
import io.gatehouse.model.policy.LimitKey;
import io.gatehouse.model.policy.PathModifier;
import io.gatehouse.model.policy.PolicySpec;
import io.gatehouse.model.policy.RateLimit;
import io.gatehouse.model.policy.RequestHeaders;
import io.gatehouse.model.policy.RequestMirror;
import io.gatehouse.model.policy.RequestRedirect;
import io.gatehouse.model.policy.Retry;
import io.gatehouse.model.policy.SessionPersistence;
import io.gatehouse.model.policy.URLRewrite;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Writes a route as the route document that {@link DocumentReader} reads: every field in its long
 * form, defaults included, so that reading the answer gives the same spec. Private keys are never
 * written ({@code writeOnly} in the schema): a client certificate is written without its {@code
 * privateKey}, so only that spec does not read back as it was. Password hashes and inline JWT keys
 * are not written either; the reader keeps the stored ones when a route read back leaves them out.
 */
public final class DocumentWriter {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private DocumentWriter() {}

  /** The route as one item of {@code routes:}, with its name and tenant. */
  public static ObjectNode route(RouteSpec r) {
    ObjectNode o = NODES.objectNode();
    o.put("name", r.key().name());
    o.put("tenant", r.key().tenant().value());
    strings(o.putArray("hosts"), r.hosts());
    ArrayNode paths = o.putArray("paths");
    for (PathMatch p : r.paths()) {
      paths.addObject().put("type", pascal(p.type())).put("value", p.value());
    }
    strings(o.putArray("methods"), new TreeSet<>(r.methods()));
    ArrayNode headers = o.putArray("headers");
    for (HeaderMatch h : r.headers()) {
      valueMatch(headers.addObject(), h.name(), h.type(), h.value());
    }
    ArrayNode queries = o.putArray("queries");
    for (QueryMatch q : r.queries()) {
      valueMatch(queries.addObject(), q.name(), q.type(), q.value());
    }
    if (r.staticBackend() != null
        && r.backends().get(0).weight() == RouteBackend.DEFAULT_WEIGHT
        && r.backends().get(0).canary() == null) {
      backend(o.putObject("backend"), r.staticBackend());
    } else {
      // The shorthand says weight 1, so a lone backend at another weight is written in full: its
      // GET answer, sent back, is the same route.
      ArrayNode refs = o.putArray("backendRefs");
      for (RouteBackend b : r.backends()) {
        ObjectNode ref = refs.addObject();
        ref.put("weight", b.weight());
        backendRef(ref, b.ref());
        CanaryRule c = b.canary();
        if (c != null) {
          ObjectNode rule = ref.putObject("canary");
          putIfSet(rule, "header", c.header());
          putIfSet(rule, "headerValue", c.headerValue());
          putIfSet(rule, "headerPattern", c.headerPattern());
          putIfSet(rule, "cookie", c.cookie());
        }
        if (!b.filters().isEmpty()) {
          // Gateway API filters on a backendRef: shown, though no document may set them
          policies(ref.putArray("filters"), b.filters());
        }
      }
    }
    Timeouts t = r.timeouts();
    o.putObject("timeouts")
        .put("connect", Quantities.formatDuration(t.connect()))
        .put("response", Quantities.formatDuration(t.response()))
        .put("bodyIdle", Quantities.formatDuration(t.bodyIdle()))
        .put("request", Quantities.formatDuration(t.request()));
    o.put("maxRequestBodyBytes", r.limits().maxRequestBodyBytes());
    if (r.limits().maxResponseHeaderBytes() != 0) {
      o.put("maxResponseHeaderBytes", r.limits().maxResponseHeaderBytes());
    }
    o.put("priority", r.priority());
    if (r.tls() != null) {
      tls(o.putObject("tls"), r.tls());
    }
    if (!r.policies().isEmpty()) {
      policies(o.putArray("policies"), r.policies());
    }
    return o;
  }

  private static void policies(ArrayNode policies, List<PolicySpec> all) {
    for (PolicySpec p : all) {
      ObjectNode item = policies.addObject();
      if (p instanceof RequestRedirect rr) {
        redirect(item, rr);
        continue;
      }
      if (p instanceof URLRewrite rw) {
        urlRewrite(item, rw);
        continue;
      }
      if (p instanceof Cors c) {
        cors(item, c);
        continue;
      }
      if (p instanceof Compression c) {
        compression(item, c);
        continue;
      }
      if (p instanceof SessionPersistence sp) {
        sessionPersistence(item, sp);
        continue;
      }
      if (p instanceof RequestMirror m) {
        mirror(item, m);
        continue;
      }
      if (p instanceof ErrorPages pages) {
        errorPages(item, pages);
        continue;
      }
      if (p instanceof Retry retry) {
        retry(item, retry);
        continue;
      }
      if (access(item, p)) {
        continue;
      }
      item.put("type", p instanceof RequestHeaders ? "RequestHeaders" : "ResponseHeaders");
      HeaderEditsSpec e = p.edits();
      ObjectNode set = item.putObject("set");
      e.set().forEach(set::put);
      ObjectNode add = item.putObject("add");
      e.add().forEach(add::put);
      strings(item.putArray("remove"), e.remove());
    }
  }

  private static void redirect(ObjectNode item, RequestRedirect r) {
    item.put("type", "RequestRedirect");
    putIfSet(item, "scheme", r.scheme());
    putIfSet(item, "hostname", r.hostname());
    if (r.port() != null) {
      item.put("port", r.port().intValue());
    }
    if (r.path() != null) {
      pathModifier(item.putObject("path"), r.path());
    }
    item.put("statusCode", r.statusCode());
    putIfSet(item, "url", r.url());
    if (r.rootOnly()) {
      item.put("rootOnly", true);
    }
  }

  private static void urlRewrite(ObjectNode item, URLRewrite w) {
    item.put("type", "URLRewrite");
    putIfSet(item, "hostname", w.hostname());
    if (w.path() != null) {
      pathModifier(item.putObject("path"), w.path());
    }
    if (w.regex() != null) {
      item.putObject("regex").put("pattern", w.regex()).put("substitution", w.substitution());
    }
    if (w.dropQuery()) {
      item.put("dropQuery", true);
    }
    putIfSet(item, "forwardedPrefix", w.forwardedPrefix());
  }

  /** Gateway API's HTTPPathModifier form. */
  private static void pathModifier(ObjectNode o, PathModifier m) {
    if (m.type() == PathModifier.Type.REPLACE_FULL_PATH) {
      o.put("type", "ReplaceFullPath").put("replaceFullPath", m.value());
    } else {
      o.put("type", "ReplacePrefixMatch").put("replacePrefixMatch", m.value());
    }
  }

  private static void putIfSet(ObjectNode o, String key, @Nullable String value) {
    if (value != null) {
      o.put(key, value);
    }
  }

  /** A {@code CORS} policy, every field in its long form. */
  private static void cors(ObjectNode item, Cors c) {
    item.put("type", "CORS");
    strings(item.putArray("allowOrigins"), c.allowOrigins());
    strings(item.putArray("allowOriginPatterns"), c.allowOriginPatterns());
    strings(item.putArray("allowMethods"), c.allowMethods());
    strings(item.putArray("allowHeaders"), c.allowHeaders());
    strings(item.putArray("exposeHeaders"), c.exposeHeaders());
    item.put("allowCredentials", c.allowCredentials());
    item.put("maxAge", c.maxAge());
  }

  /** A {@code SessionPersistence} policy: the keys it sets. */
  private static void sessionPersistence(ObjectNode o, SessionPersistence s) {
    o.put("type", "SessionPersistence");
    o.put("sessionName", s.sessionName());
    if (s.absoluteTimeout() != null) {
      o.put("absoluteTimeout", Quantities.formatDuration(s.absoluteTimeout()));
    }
    putIfSet(o, "path", s.path());
    if (s.secure() != null) {
      o.put("secure", s.secure());
    }
    putIfSet(o, "sameSite", s.sameSite());
  }

  private static void compression(ObjectNode o, Compression c) {
    o.put("type", "Compression");
    strings(o.putArray("algorithms"), c.algorithms());
    strings(o.putArray("contentTypes"), c.contentTypes());
    o.put("minBytes", c.minBytes());
    ObjectNode levels = o.putObject("levels");
    c.levels().forEach(levels::put);
  }

  /** The keys of a reference, as a {@code backendRefs} item has them (without its weight). */
  private static void backendRef(ObjectNode ref, BackendRef r) {
    if (r instanceof BackendSpec spec) {
      backend(ref, spec);
    } else if (r instanceof BackendRef.Named named) {
      ref.put("backend", named.name());
    } else if (r instanceof BackendRef.ServicePort sp) {
      ObjectNode svc = ref.putObject("service").put("name", sp.service());
      if (sp.namespace() != null) {
        svc.put("namespace", sp.namespace()); // Gateway API routes only: not in the document
      }
      if (sp.portName() != null) {
        svc.put("port", sp.portName());
      } else {
        svc.put("port", sp.port());
      }
      ref.put("protocol", sp.protocol().name().toLowerCase(Locale.ROOT));
      if (sp.tls() != null) {
        upstreamTls(ref.putObject("tls"), sp.tls());
      }
      backendPolicy(ref, sp.policy());
    } else if (r instanceof BackendRef.Unresolved u) {
      // written by the Kubernetes translator only, so not in the route document a source reads
      ref.putObject("unresolved").put("status", u.status()).put("reason", u.reason());
    }
  }

  /** A {@code RequestMirror} policy: a share of 100 as {@code percent}, else as a fraction. */
  private static void mirror(ObjectNode o, RequestMirror m) {
    o.put("type", "RequestMirror");
    backendRef(o.putObject("backendRef"), m.backendRef());
    if (m.inPercent()) {
      o.put("percent", m.numerator());
    } else {
      o.putObject("fraction").put("numerator", m.numerator()).put("denominator", m.denominator());
    }
    putIfSet(o, "hostname", m.hostname());
    o.put("requestBody", m.requestBody());
    o.put("maxBodyBytes", m.maxBodyBytes());
    o.put("maxInFlight", m.maxInFlight());
  }

  private static void errorPages(ObjectNode o, ErrorPages e) {
    o.put("type", "ErrorPages");
    ArrayNode codes = o.putArray("codes");
    e.codes().forEach(codes::add);
    if (e.page() != null) {
      o.put("page", e.page());
      putIfSet(o, "contentType", e.contentType());
    }
    if (e.backend() != null) {
      backendRef(o.putObject("backend"), e.backend());
    }
  }

  /** A named backend as one item of {@code backends:}, with its name and tenant. */
  public static ObjectNode backend(BackendObject b) {
    ObjectNode o = NODES.objectNode();
    o.put("name", b.key().name());
    o.put("tenant", b.key().tenant().value());
    backend(o, b.spec());
    return o;
  }

  private static void backend(ObjectNode backend, BackendSpec b) {
    backend.put("protocol", b.protocol().name().toLowerCase(Locale.ROOT));
    ArrayNode endpoints = backend.putArray("endpoints");
    for (Endpoint e : b.endpoints()) {
      endpoints.addObject().put("address", e.authority()).put("weight", e.weight());
    }
    if (b.tls() != null) {
      upstreamTls(backend.putObject("tls"), b.tls());
    }
    if (b.proxyProtocol() != null) {
      backend.put("proxyProtocol", b.proxyProtocol().text());
    }
    backendPolicy(backend, b.policy());
  }

  private static void tls(ObjectNode o, TlsSpec t) {
    if (t.passthrough()) {
      o.put("passthrough", true);
      strings(o.putArray("hosts"), t.hosts());
      return;
    }
    o.put("certificate", t.certificateName());
    strings(o.putArray("hosts"), t.hosts());
    o.put("redirect", redirect(t.redirect()));
    Hsts h = t.hsts();
    if (h.enabled()) {
      o.putObject("hsts")
          .put("maxAge", Quantities.formatDuration(h.maxAge()))
          .put("includeSubDomains", h.includeSubDomains())
          .put("preload", h.preload());
    }
    ClientAuth ca = t.clientAuth();
    if (!ca.equals(ClientAuth.NONE)) {
      ObjectNode c =
          o.putObject("clientAuth").put("mode", ca.mode().name().toLowerCase(Locale.ROOT));
      if (ca.caBundlePem() != null) {
        c.put("caBundle", ca.caBundlePem());
      }
      c.put("verifyDepth", ca.verifyDepth());
      c.put("passCertificate", ca.passCertificate());
    }
  }

  private static void upstreamTls(ObjectNode o, UpstreamTls t) {
    if (t.caBundlePem() != null) {
      o.put("caBundle", t.caBundlePem());
    }
    if (t.serverName() != null) {
      o.put("serverName", t.serverName());
    }
    o.put("verifyHostname", t.verifyHostname());
    o.put("insecureSkipVerify", t.insecureSkipVerify());
    if (t.clientCertificate() != null) {
      // writeOnly: the key stays in the table and on the nodes that use it.
      o.putObject("clientCertificate")
          .put("certificateChain", t.clientCertificate().certificateChainPem());
    }
    if (!t.subjectAltNames().isEmpty()) {
      // Gateway API BackendTLSPolicy only: not in the document
      t.subjectAltNames().forEach(o.putArray("subjectAltNames")::add);
    }
  }

  private static void valueMatch(ObjectNode o, String name, ValueMatchType type, String value) {
    o.put("name", name).put("type", pascal(type));
    if (type != ValueMatchType.PRESENT) {
      o.put("value", value);
    }
  }

  /** {@code 308} as the text {@code "308"}, {@link HttpsRedirect#OFF} as {@code "off"}. */
  private static String redirect(HttpsRedirect r) {
    return r == HttpsRedirect.OFF ? "off" : Integer.toString(r.status());
  }

  /** {@code REGULAR_EXPRESSION} as {@code RegularExpression}, the document's spelling. */
  private static String pascal(Enum<?> e) {
    StringBuilder b = new StringBuilder();
    for (String word : e.name().split("_")) {
      b.append(word.charAt(0)).append(word.substring(1).toLowerCase(Locale.ROOT));
    }
    return b.toString();
  }

  private static void strings(ArrayNode a, Iterable<String> values) {
    values.forEach(a::add);
  }

  /** A backend's policy keys, every part in its long form; nothing for none. */
  private static void backendPolicy(ObjectNode o, @Nullable BackendPolicy p) {
    if (p == null) {
      return;
    }
    LoadBalancing lb = p.loadBalancing();
    ObjectNode l =
        o.putObject("loadBalancing").put("algorithm", DocumentReader.algorithmName(lb.algorithm()));
    HashOn on = lb.hashOn();
    if (on != null) {
      ObjectNode h = l.putObject("hashOn");
      switch (on.source()) {
        case HEADER -> h.put("header", on.name());
        case COOKIE -> h.put("cookie", on.name());
        case QUERY_PARAMETER -> h.put("queryParameter", on.name());
        case SOURCE_ADDRESS -> h.putObject("sourceAddress");
      }
    }
    CookieAffinity a = lb.affinity();
    if (a != null) {
      ObjectNode c = l.putObject("affinity").putObject("cookie").put("name", a.name());
      if (a.maxAge() != null) {
        c.put("maxAge", Quantities.formatDuration(a.maxAge()));
      }
      putIfSet(c, "path", a.path());
      if (a.secure() != null) {
        c.put("secure", a.secure());
      }
      putIfSet(c, "sameSite", a.sameSite());
      c.put("httpOnly", a.httpOnly()).put("changeOnFailure", a.changeOnFailure());
    }
    if (lb.slowStart() != null) {
      l.put("slowStart", Quantities.formatDuration(lb.slowStart()));
    }
    l.put("panicThreshold", lb.panicThresholdPercent());
    HealthCheck hc = p.healthCheck();
    if (hc != null) {
      ObjectNode h = o.putObject("healthCheck");
      switch (hc.protocol()) {
        case HTTP -> {
          ObjectNode http = h.putObject("http").put("path", hc.path());
          putIfSet(http, "host", hc.host());
          ArrayNode statuses = http.putArray("expectedStatuses");
          for (HealthCheck.StatusRange r : hc.expectedStatuses()) {
            statuses.add(r.from() == r.to() ? Integer.toString(r.from()) : r.from() + "-" + r.to());
          }
        }
        case GRPC -> h.putObject("grpc").put("service", hc.grpcService());
        case TCP -> h.putObject("tcp");
      }
      h.put("interval", Quantities.formatDuration(hc.interval()))
          .put("timeout", Quantities.formatDuration(hc.timeout()))
          .put("jitter", Quantities.formatDuration(hc.jitter()))
          .put("unhealthyThreshold", hc.unhealthyThreshold())
          .put("healthyThreshold", hc.healthyThreshold());
    }
    OutlierDetection od = p.outlierDetection();
    if (od == null) {
      o.put("outlierDetection", "off");
    } else {
      ObjectNode d =
          o.putObject("outlierDetection")
              .put("consecutive5xx", od.consecutive5xx())
              .put("consecutiveGatewayErrors", od.consecutiveGatewayErrors());
      OutlierDetection.SuccessRate sr = od.successRate();
      if (sr != null) {
        d.putObject("successRate")
            .put("minimumHosts", sr.minimumHosts())
            .put("requestVolume", sr.requestVolume())
            .put(
                "stdevFactor",
                new BigDecimal(
                    BigDecimal.valueOf(sr.stdevFactorThousandths(), 3)
                        .stripTrailingZeros()
                        .toPlainString()));
      }
      d.put("interval", Quantities.formatDuration(od.interval()))
          .put("baseEjectionTime", Quantities.formatDuration(od.baseEjectionTime()))
          .put("maxEjectionTime", Quantities.formatDuration(od.maxEjectionTime()))
          .put("maxEjectionPercent", od.maxEjectionPercent());
    }
    CircuitBreaker cb = p.circuitBreaker();
    o.putObject("circuitBreaker")
        .put("maxConnections", cb.maxConnections())
        .put("maxPendingRequests", cb.maxPendingRequests())
        .put("maxRequests", cb.maxRequests())
        .put("maxRetries", cb.maxRetries());
  }

  /** A {@code Retry} policy, every field in its long form; conditions in the model's order. */
  private static void retry(ObjectNode o, Retry r) {
    o.put("type", "Retry");
    ArrayNode on = o.putArray("on");
    for (Retry.Condition c : Retry.Condition.values()) {
      if (r.on().contains(c)) {
        on.add(pascal(c));
      }
    }
    if (!r.statuses().isEmpty()) {
      ArrayNode s = o.putArray("statuses");
      r.statuses().forEach(s::add);
    }
    if (!r.grpcStatuses().isEmpty()) {
      ArrayNode s = o.putArray("grpcStatuses");
      r.grpcStatuses().forEach(s::add);
    }
    o.put("attempts", r.attempts());
    if (r.perTryTimeout() != null) {
      o.put("perTryTimeout", Quantities.formatDuration(r.perTryTimeout()));
    }
    if (r.timeout() != null) {
      o.put("timeout", Quantities.formatDuration(r.timeout()));
    }
    o.putObject("backoff")
        .put("base", Quantities.formatDuration(r.backoffBase()))
        .put("max", Quantities.formatDuration(r.backoffMax()));
    o.putObject("budget")
        .put("percent", r.budgetPercent())
        .put("minConcurrency", r.minRetryConcurrency());
    o.put("nonIdempotent", r.nonIdempotent());
    o.put("bufferBytes", r.bufferBytes());
  }

  // ---- access control (issue #15)

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * An access policy as one item of {@code policies:}, without its secrets (explain shows these).
   *
   * @throws IllegalArgumentException for a policy of another kind
   */
  public static ObjectNode accessPolicy(PolicySpec p) {
    ObjectNode o = NODES.objectNode();
    if (!access(o, p)) {
      throw new IllegalArgumentException("not an access policy: " + p.getClass().getSimpleName());
    }
    return o;
  }

  /**
   * Writes an access policy into {@code o}; false for another kind. Secrets are write-only: a
   * BasicAuth user is written by name without its hash, inline JWT keys as {@code jwksKeys} (each
   * key's kid, kty, alg and use) without {@code jwks}. The reader keeps the stored secrets for what
   * such an answer leaves out, so the answer sent back is the same route.
   */
  private static boolean access(ObjectNode o, PolicySpec p) {
    if (p instanceof IpAccess a) {
      o.put("type", "IpAccess");
      strings(o.putArray("allow"), a.allow());
      strings(o.putArray("deny"), a.deny());
    } else if (p instanceof BasicAuth b) {
      o.put("type", "BasicAuth").put("realm", b.realm());
      ArrayNode users = o.putArray("users");
      for (BasicAuth.User u : b.users()) {
        users.addObject().put("name", u.name());
      }
      o.put("forwardAuthorization", b.forwardAuthorization());
    } else if (p instanceof JwtAuth j) {
      jwtAuth(o, j);
    } else if (p instanceof ForwardAuth f) {
      o.put("type", "ForwardAuth").put("url", f.url()).put("method", f.method());
      strings(o.putArray("requestHeaders"), f.requestHeaders());
      strings(o.putArray("responseHeaders"), f.responseHeaders());
      putIfSet(o, "signin", f.signin());
      o.put("timeout", Quantities.formatDuration(f.timeout()));
      strings(o.putArray("cacheKey"), f.cacheKey());
      o.put("cacheDuration", Quantities.formatDuration(f.cacheDuration()));
      if (f.signinRedirect() != ForwardAuth.SigninRedirect.URL) {
        o.put("signinRedirect", pascal(f.signinRedirect()));
      }
      if (!f.signinRedirectParam().equals(ForwardAuth.DEFAULT_SIGNIN_REDIRECT_PARAM)) {
        o.put("signinRedirectParam", f.signinRedirectParam());
      }
    } else if (p instanceof RateLimit r) {
      o.put("type", "RateLimit");
      putIfSet(o, "name", r.name());
      limitKey(o.putObject("key"), r.key());
      o.put("requests", r.requests());
      o.put("per", r.per().equals(RateLimit.MINUTE) ? "Minute" : "Second");
      o.put("burst", r.burst());
      o.put("scope", pascal(r.scope()));
      strings(o.putArray("exempt"), r.exempt());
    } else if (p instanceof ConnectionLimit c) {
      o.put("type", "ConnectionLimit");
      limitKey(o.putObject("key"), c.key());
      o.put("max", c.max());
      strings(o.putArray("exempt"), c.exempt());
    } else {
      return false;
    }
    return true;
  }

  private static void limitKey(ObjectNode o, LimitKey k) {
    o.put("type", pascal(k.kind()));
    putIfSet(o, "name", k.name());
  }

  private static void jwtAuth(ObjectNode o, JwtAuth j) {
    o.put("type", "JwtAuth");
    putIfSet(o, "jwksUri", j.jwksUri());
    if (j.jwks() != null) {
      ArrayNode keys = o.putArray("jwksKeys");
      for (ObjectNode key : keySummaries(j.jwks())) {
        keys.add(key);
      }
    }
    strings(o.putArray("algorithms"), j.algorithms());
    putIfSet(o, "issuer", j.issuer());
    strings(o.putArray("audiences"), j.audiences());
    o.put("clockSkew", Quantities.formatDuration(j.clockSkew()));
    strings(o.putArray("requiredClaims"), j.requiredClaims());
    ArrayNode headers = o.putArray("claimHeaders");
    for (JwtAuth.ClaimHeader h : j.claimHeaders()) {
      headers.addObject().put("claim", h.claim()).put("header", h.header());
    }
    o.put("forwardToken", j.forwardToken());
    o.put("header", j.header());
    putIfSet(o, "cookie", j.cookie());
    o.put("jwksCacheDuration", Quantities.formatDuration(j.jwksCacheDuration()));
    o.put("jwksMinRefetch", Quantities.formatDuration(j.jwksMinRefetch()));
    o.put("jwksTimeout", Quantities.formatDuration(j.jwksTimeout()));
  }

  /**
   * Each inline key's public description (kid, kty, alg, use when present), never its material;
   * empty for a set that does not parse (the validator let only JWK Sets through).
   */
  public static List<ObjectNode> keySummaries(String jwks) {
    List<ObjectNode> out = new ArrayList<>();
    JsonNode set;
    try {
      set = JSON.readTree(jwks);
    } catch (IOException e) {
      return out;
    }
    for (JsonNode key : set.path("keys")) {
      ObjectNode k = NODES.objectNode();
      for (String member : new String[] {"kid", "kty", "alg", "use"}) {
        if (key.path(member).isTextual()) {
          k.put(member, key.get(member).asText());
        }
      }
      out.add(k);
    }
    return out;
  }
}
