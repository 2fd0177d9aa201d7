package io.gatehouse.k8s.translate;

import io.gatehouse.model.policy.BasicAuth;
import io.gatehouse.model.policy.ConnectionLimit;
import io.gatehouse.model.policy.ForwardAuth;
import io.gatehouse.model.policy.IpAccess;
import io.gatehouse.model.policy.JwtAuth;
import io.gatehouse.model.policy.LimitKey;
import io.gatehouse.model.policy.PolicySpec;
import io.gatehouse.model.policy.RateLimit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The access-control policies (issue #15) as golden files show them: every field, in the model's
 * order, user names but never a password hash. Kept apart from the route document's writer so the
 * translation's cases read the same whatever form the document gives these kinds.
 */
final class AccessRender {
  private AccessRender() {}

  static boolean isAccess(PolicySpec p) {
    return p instanceof IpAccess
        || p instanceof BasicAuth
        || p instanceof JwtAuth
        || p instanceof ForwardAuth
        || p instanceof RateLimit
        || p instanceof ConnectionLimit;
  }

  static Map<String, Object> render(PolicySpec p) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (p instanceof IpAccess ip) {
      m.put("type", "IpAccess");
      m.put("allow", new ArrayList<>(ip.allow()));
      m.put("deny", new ArrayList<>(ip.deny()));
    } else if (p instanceof BasicAuth b) {
      m.put("type", "BasicAuth");
      m.put("realm", b.realm());
      // the hashes are write-only: the users' names and the scheme of each
      m.put(
          "users",
          new ArrayList<>(
              b.users().stream()
                  .map(u -> u.name() + " " + (u.hash().startsWith("$2") ? "bcrypt" : "argon2"))
                  .toList()));
      m.put("forwardAuthorization", b.forwardAuthorization());
    } else if (p instanceof JwtAuth j) {
      m.put("type", "JwtAuth");
      m.put("jwksUri", j.jwksUri());
      m.put("algorithms", new ArrayList<>(j.algorithms()));
      m.put("issuer", j.issuer());
      m.put("audiences", new ArrayList<>(j.audiences()));
      m.put("clockSkew", j.clockSkew().toString());
      m.put("requiredClaims", new ArrayList<>(j.requiredClaims()));
      m.put(
          "claimHeaders",
          new ArrayList<>(
              j.claimHeaders().stream().map(c -> c.claim() + "=" + c.header()).toList()));
      m.put("forwardToken", j.forwardToken());
      m.put("header", j.header());
      m.put("cookie", j.cookie());
      m.put(
          "jwks",
          j.jwksCacheDuration()
              + " cache, "
              + j.jwksMinRefetch()
              + " min refetch, "
              + j.jwksTimeout()
              + " timeout");
    } else if (p instanceof ForwardAuth f) {
      m.put("type", "ForwardAuth");
      m.put("url", f.url());
      m.put("method", f.method());
      m.put("requestHeaders", new ArrayList<>(f.requestHeaders()));
      m.put("responseHeaders", new ArrayList<>(f.responseHeaders()));
      m.put("signin", f.signin());
      m.put("timeout", f.timeout().toString());
      m.put("cacheKey", new ArrayList<>(f.cacheKey()));
      m.put("cacheDuration", f.cacheDuration().toString());
      if (f.signin() != null) {
        // what completes the signin: only meaningful beside one
        m.put("signinRedirect", f.signinRedirect().name());
        m.put("signinRedirectParam", f.signinRedirectParam());
      }
    } else if (p instanceof RateLimit r) {
      m.put("type", "RateLimit");
      m.put("name", r.policyName());
      m.put("key", key(r.key()));
      m.put("requests", r.requests());
      m.put("per", r.per().toString());
      m.put("burst", r.burst());
      m.put("scope", r.scope().toString());
      m.put("exempt", new ArrayList<>(r.exempt()));
    } else if (p instanceof ConnectionLimit c) {
      m.put("type", "ConnectionLimit");
      m.put("key", key(c.key()));
      m.put("max", c.max());
      m.put("exempt", new ArrayList<>(c.exempt()));
    }
    return m;
  }

  private static String key(LimitKey k) {
    return k.name() == null ? k.kind().toString() : k.kind() + " " + k.name();
  }
}
