package io.gatehouse.admin;

import io.gatehouse.admin.Explainer.Explanation;
import io.gatehouse.admin.translate.RestRoutes;
import io.gatehouse.model.policy.PolicySpec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.jspecify.annotations.Nullable;

/** The JSON of an {@link Explanation}, as the contract's {@code Explanation} schema has it. */
final class ExplainJson {
  private ExplainJson() {}

  static JsonObject toJson(Explanation e) {
    JsonObject o =
        new JsonObject()
            .put("generation", e.generation())
            .put("matched", e.matched())
            .put("outcome", e.outcome());
    o.put(
        "route",
        e.route() == null
            ? null
            : new JsonObject()
                .put("tenant", e.route().tenant())
                .put("source", e.route().source())
                .put("name", e.route().name())
                .put("revision", e.route().revision()));
    if (e.reason() != null) {
      Explainer.Reason r = e.reason();
      JsonArray passed = new JsonArray();
      r.passedOver()
          .forEach(
              p ->
                  passed.add(
                      new JsonObject()
                          .put("route", p.route())
                          .put("pathType", p.pathType())
                          .put("pathValue", p.pathValue())
                          .put("failed", p.failed())));
      JsonObject reason =
          new JsonObject()
              .put("hostLevel", r.hostLevel())
              .put("host", r.host())
              .put("pathType", r.pathType())
              .put("pathValue", r.pathValue())
              .put("conditions", new JsonArray(r.conditions()))
              .put("passedOver", passed);
      if (r.detail() != null) {
        reason.put("detail", r.detail());
      }
      o.put("reason", reason);
    }
    o.put("backend", e.backend() == null ? null : backend(e.backend()));
    JsonArray backends = new JsonArray();
    e.backends().forEach(b -> backends.add(withCanary(backend(b).put("weight", b.weight()), b)));
    o.put("backends", backends);
    if (e.split() != null) {
      o.put("split", split(e.split()));
    }
    if (!e.mirrors().isEmpty()) {
      JsonArray mirrors = new JsonArray();
      e.mirrors().forEach(m -> mirrors.add(mirror(m)));
      o.put("mirrors", mirrors);
    }
    if (!e.errorPages().isEmpty()) {
      JsonArray pages = new JsonArray();
      e.errorPages().forEach(p -> pages.add(errorPages(p)));
      o.put("errorPages", pages);
    }
    if (!e.access().isEmpty()) {
      JsonArray access = new JsonArray();
      for (PolicySpec p : e.access()) {
        // As the route document writes it: users by name, inline keys as jwksKeys.
        access.add(RestRoutes.accessPolicy(p));
      }
      o.put("access", access);
    }
    if (e.maxResponseHeaderBytes() != 0) {
      o.put("maxResponseHeaderBytes", e.maxResponseHeaderBytes());
    }
    o.put("tls", e.tls() == null ? null : tls(e.tls()));
    if (e.redirect() == null) {
      o.put("redirect", null);
    } else {
      JsonObject rd = new JsonObject().put("redirected", e.redirect().redirected());
      if (e.redirect().redirected()) {
        rd.put("status", e.redirect().status()).put("location", e.redirect().location());
      }
      if (e.redirect().detail() != null) {
        rd.put("detail", e.redirect().detail());
      }
      o.put("redirect", rd);
    }
    if (e.fallback() == null) {
      o.put("fallback", null);
    } else {
      JsonObject f = new JsonObject().put("status", e.fallback().status());
      if (e.fallback().upstream() != null) {
        f.put("upstream", e.fallback().upstream());
      }
      if (e.fallback().detail() != null) {
        f.put("detail", e.fallback().detail());
      }
      o.put("fallback", f);
    }
    return o;
  }

  private static JsonObject tls(Explainer.Tls t) {
    JsonObject o = new JsonObject().put("listener", t.listener()).put("sni", t.sni());
    if (t.certificate() != null) {
      Explainer.Certificate c = t.certificate();
      JsonObject cert =
          new JsonObject().put("default", c.isDefault()).put("withheld", c.withheld());
      if (!c.withheld()) {
        cert.put("name", c.name());
        if (c.owner() != null) {
          cert.put("owner", c.owner());
        }
        cert.put("sans", new JsonArray(c.sans() == null ? java.util.List.of() : c.sans()));
        if (c.notAfter() != null) {
          cert.put("notAfter", c.notAfter().toString());
        }
      }
      o.put("certificate", cert);
    }
    o.put("misdirected", t.misdirected());
    if (t.misdirectedReason() != null) {
      o.put("misdirectedReason", t.misdirectedReason());
    }
    return o;
  }

  /** A backend of {@code backends} with its canary rule, the keys it sets. */
  private static JsonObject withCanary(JsonObject o, Explainer.Backend b) {
    Explainer.Canary c = b.canary();
    if (c != null) {
      JsonObject rule = new JsonObject();
      putIfSet(rule, "header", c.header());
      putIfSet(rule, "headerValue", c.headerValue());
      putIfSet(rule, "headerPattern", c.headerPattern());
      putIfSet(rule, "cookie", c.cookie());
      o.put("canary", rule);
    }
    return o;
  }

  private static JsonObject split(Explainer.SplitChoice s) {
    JsonObject o = new JsonObject().put("decision", s.decision());
    if (s.backend() >= 0) {
      o.put("backend", s.backend());
    }
    putIfSet(o, "detail", s.detail());
    Explainer.Sticky st = s.sticky();
    if (st != null) {
      JsonObject sticky = new JsonObject().put("sessionName", st.sessionName());
      putIfSet(sticky, "absoluteTimeout", st.absoluteTimeout());
      putIfSet(sticky, "path", st.path());
      if (st.secure() != null) {
        sticky.put("secure", st.secure());
      }
      putIfSet(sticky, "sameSite", st.sameSite());
      o.put("sticky", sticky);
    }
    return o;
  }

  private static JsonObject mirror(Explainer.MirrorTarget m) {
    JsonObject o =
        new JsonObject()
            .put("percent", m.percent())
            .put("numerator", m.numerator())
            .put("denominator", m.denominator());
    putIfSet(o, "hostname", m.hostname());
    return o.put("requestBody", m.requestBody())
        .put("maxBodyBytes", m.maxBodyBytes())
        .put("maxInFlight", m.maxInFlight())
        .put("backend", backend(m.backend()));
  }

  private static JsonObject errorPages(Explainer.ErrorPagesTarget p) {
    JsonObject o = new JsonObject().put("codes", new JsonArray(p.codes()));
    if (p.backend() != null) {
      return o.put("kind", "backend").put("backend", backend(p.backend()));
    }
    return o.put("kind", "page").put("contentType", p.contentType());
  }

  private static void putIfSet(JsonObject o, String key, @Nullable String value) {
    if (value != null) {
      o.put(key, value);
    }
  }

  private static JsonObject backend(Explainer.Backend b) {
    JsonArray eps = new JsonArray();
    b.endpoints()
        .forEach(
            p -> eps.add(new JsonObject().put("address", p.address()).put("weight", p.weight())));
    JsonObject backend = new JsonObject().put("protocol", b.protocol()).put("endpoints", eps);
    if (b.endpointsKey() != null) {
      backend.put("endpointsKey", b.endpointsKey()).put("endpointsRevision", b.endpointsRevision());
    }
    Explainer.Policy p = b.policy();
    if (p != null) {
      JsonObject policy =
          new JsonObject()
              .put("algorithm", p.algorithm())
              .put("outlierDetection", p.outlierDetection());
      if (p.hashOn() != null) {
        policy.put("hashOn", p.hashOn());
      }
      if (p.affinityCookie() != null) {
        policy.put("affinityCookie", p.affinityCookie());
      }
      if (p.healthCheck() != null) {
        policy.put("healthCheck", p.healthCheck());
      }
      backend.put("policy", policy);
    }
    return backend;
  }
}
