package io.gatehouse.admin.translate;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.HeaderMatch;
import io.gatehouse.model.Hsts;
import io.gatehouse.model.HttpsRedirect;
import io.gatehouse.model.Limits;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.PathMatchType;
import io.gatehouse.model.QueryMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.Timeouts;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.ValueMatchType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A route's REST body (the routes file's field names) to a {@link RouteSpec} and back. The body has
 * passed the OpenAPI schema, so types and enums hold; what is left are the values the schema cannot
 * check (addresses, durations), reported as {@link FieldError}s.
 */
public final class RouteJson {
  /** The table source of every route written through the admin API. */
  public static final String SOURCE = "api";

  private static final Map<String, PathMatchType> PATH_TYPES =
      Map.of(
          "Exact", PathMatchType.EXACT,
          "Prefix", PathMatchType.PREFIX,
          "ImplementationSpecific", PathMatchType.IMPLEMENTATION_SPECIFIC,
          "RegularExpression", PathMatchType.REGULAR_EXPRESSION);
  private static final Map<String, ValueMatchType> VALUE_TYPES =
      Map.of(
          "Exact", ValueMatchType.EXACT,
          "RegularExpression", ValueMatchType.REGULAR_EXPRESSION,
          "Present", ValueMatchType.PRESENT);
  private static final Map<String, HttpsRedirect> REDIRECTS =
      Map.of(
          "off", HttpsRedirect.OFF,
          "301", HttpsRedirect.MOVED_PERMANENTLY_301,
          "302", HttpsRedirect.FOUND_302,
          "307", HttpsRedirect.TEMPORARY_REDIRECT_307,
          "308", HttpsRedirect.PERMANENT_REDIRECT_308);

  private RouteJson() {}

  public static Translated<RouteSpec> fromJson(RouteKey key, JsonObject body) {
    List<FieldError> errors = new ArrayList<>();
    List<String> hosts = strings(body.getJsonArray("hosts"));
    List<PathMatch> paths = new ArrayList<>();
    JsonArray rawPaths = array(body, "paths");
    for (int i = 0; i < rawPaths.size(); i++) {
      JsonObject p = rawPaths.getJsonObject(i);
      paths.add(new PathMatch(PATH_TYPES.get(p.getString("type", "Prefix")), p.getString("value")));
    }
    Set<String> methods = new LinkedHashSet<>(strings(array(body, "methods")));
    List<HeaderMatch> headers = new ArrayList<>();
    for (Object o : array(body, "headers")) {
      JsonObject h = (JsonObject) o;
      headers.add(new HeaderMatch(h.getString("name"), valueType(h), h.getString("value", "")));
    }
    List<QueryMatch> queries = new ArrayList<>();
    for (Object o : array(body, "queries")) {
      JsonObject q = (JsonObject) o;
      queries.add(new QueryMatch(q.getString("name"), valueType(q), q.getString("value", "")));
    }
    BackendSpec backend = backend(body.getJsonObject("backend", new JsonObject()), errors);
    Timeouts timeouts = timeouts(body.getJsonObject("timeouts", new JsonObject()), errors);
    Limits limits =
        new Limits(body.getLong("maxRequestBodyBytes", Limits.DEFAULT_MAX_REQUEST_BODY));
    int priority = body.getInteger("priority", 0);
    TlsSpec tls = body.containsKey("tls") ? tls(body.getJsonObject("tls"), errors) : null;
    if (!errors.isEmpty()) {
      return Translated.failed(errors);
    }
    return Translated.ok(
        new RouteSpec(
            key, hosts, paths, methods, headers, queries, backend, timeouts, limits, priority,
            tls));
  }

  public static JsonObject toJson(RouteSpec r, long revision) {
    JsonArray paths = new JsonArray();
    for (PathMatch p : r.paths()) {
      paths.add(new JsonObject().put("type", name(PATH_TYPES, p.type())).put("value", p.value()));
    }
    JsonArray headers = new JsonArray();
    for (HeaderMatch h : r.headers()) {
      headers.add(valueMatch(h.name(), h.type(), h.value()));
    }
    JsonArray queries = new JsonArray();
    for (QueryMatch q : r.queries()) {
      queries.add(valueMatch(q.name(), q.type(), q.value()));
    }
    JsonArray endpoints = new JsonArray();
    for (Endpoint e : r.backend().endpoints()) {
      endpoints.add(new JsonObject().put("address", e.authority()).put("weight", e.weight()));
    }
    JsonObject json =
        new JsonObject()
            .put("name", r.key().name())
            .put("tenant", r.key().tenant().value())
            .put("revision", revision)
            .put("hosts", new JsonArray(new ArrayList<>(r.hosts())))
            .put("paths", paths)
            .put("methods", new JsonArray(new ArrayList<>(new java.util.TreeSet<>(r.methods()))))
            .put("headers", headers)
            .put("queries", queries)
            .put(
                "backend",
                new JsonObject()
                    .put(
                        "protocol",
                        r.backend().protocol() == UpstreamProtocol.H2C ? "h2c" : "http1")
                    .put("endpoints", endpoints))
            .put(
                "timeouts",
                new JsonObject()
                    .put("connect", Durations.format(r.timeouts().connect()))
                    .put("response", Durations.format(r.timeouts().response()))
                    .put("bodyIdle", Durations.format(r.timeouts().bodyIdle()))
                    .put("request", Durations.format(r.timeouts().request())))
            .put("maxRequestBodyBytes", r.limits().maxRequestBodyBytes())
            .put("priority", r.priority());
    if (r.tls() != null) {
      TlsSpec t = r.tls();
      JsonObject tls =
          new JsonObject()
              .put("certificate", t.certificateName())
              .put("hosts", new JsonArray(new ArrayList<>(t.hosts())))
              .put("redirect", name(REDIRECTS, t.redirect()));
      if (t.hsts().enabled()) {
        tls.put(
            "hsts",
            new JsonObject()
                .put("maxAge", Durations.format(t.hsts().maxAge()))
                .put("includeSubDomains", t.hsts().includeSubDomains())
                .put("preload", t.hsts().preload()));
      }
      json.put("tls", tls);
    }
    return json;
  }

  private static ValueMatchType valueType(JsonObject o) {
    return VALUE_TYPES.get(o.getString("type", "Exact"));
  }

  private static JsonObject valueMatch(String name, ValueMatchType type, String value) {
    JsonObject o = new JsonObject().put("name", name).put("type", name(VALUE_TYPES, type));
    if (type != ValueMatchType.PRESENT) {
      o.put("value", value);
    }
    return o;
  }

  private static BackendSpec backend(JsonObject b, List<FieldError> errors) {
    UpstreamProtocol protocol =
        "h2c".equals(b.getString("protocol")) ? UpstreamProtocol.H2C : UpstreamProtocol.HTTP1;
    List<Endpoint> endpoints = new ArrayList<>();
    JsonArray raw = array(b, "endpoints");
    for (int i = 0; i < raw.size(); i++) {
      JsonObject e = raw.getJsonObject(i);
      String pointer = "/backend/endpoints/" + i + "/address";
      Endpoint parsed = Addresses.parse(e.getString("address"), e.getInteger("weight", 1));
      if (parsed == null) {
        errors.add(
            new FieldError(
                pointer, e.getString("address"), "HOST:PORT or [IPv6]:PORT, port 1-65535"));
      } else {
        endpoints.add(parsed);
      }
    }
    return new BackendSpec(protocol, endpoints);
  }

  private static Timeouts timeouts(JsonObject t, List<FieldError> errors) {
    Timeouts d = Timeouts.DEFAULTS;
    return new Timeouts(
        duration(t, "connect", d.connect(), "/timeouts", errors),
        duration(t, "response", d.response(), "/timeouts", errors),
        duration(t, "bodyIdle", d.bodyIdle(), "/timeouts", errors),
        duration(t, "request", d.request(), "/timeouts", errors));
  }

  private static TlsSpec tls(JsonObject t, List<FieldError> errors) {
    Hsts hsts = Hsts.OFF;
    JsonObject h = t.getJsonObject("hsts");
    if (h != null) {
      hsts =
          Hsts.of(
              duration(h, "maxAge", Duration.ZERO, "/tls/hsts", errors),
              h.getBoolean("includeSubDomains", false),
              h.getBoolean("preload", false));
    }
    return new TlsSpec(
        strings(array(t, "hosts")),
        t.getString("certificate"),
        REDIRECTS.get(t.getString("redirect", "308")),
        hsts);
  }

  private static Duration duration(
      JsonObject o, String field, Duration fallback, String parent, List<FieldError> errors) {
    String raw = o.getString(field);
    if (raw == null) {
      return fallback;
    }
    return Durations.parse(raw)
        .orElseGet(
            () -> {
              errors.add(
                  new FieldError(parent + "/" + field, raw, "a duration such as 250ms, 10s, 5m"));
              return fallback;
            });
  }

  private static JsonArray array(JsonObject o, String field) {
    JsonArray a = o.getJsonArray(field);
    return a == null ? new JsonArray() : a;
  }

  private static List<String> strings(JsonArray a) {
    List<String> out = new ArrayList<>();
    if (a != null) {
      for (Object o : a) {
        out.add((String) o);
      }
    }
    return out;
  }

  private static <T> String name(Map<String, T> names, T value) {
    for (Map.Entry<String, T> e : names.entrySet()) {
      if (e.getValue() == value) {
        return e.getKey();
      }
    }
    throw new IllegalArgumentException("no REST name for " + value);
  }
}
