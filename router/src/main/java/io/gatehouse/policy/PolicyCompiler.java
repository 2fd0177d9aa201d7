package io.gatehouse.policy;

import io.gatehouse.model.HttpsRedirect;
import io.gatehouse.model.Limits;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.model.policy.BasicAuth;
import io.gatehouse.model.policy.Compression;
import io.gatehouse.model.policy.ConnectionLimit;
import io.gatehouse.model.policy.Cors;
import io.gatehouse.model.policy.ErrorPages;
import io.gatehouse.model.policy.ForwardAuth;
import io.gatehouse.model.policy.IpAccess;
import io.gatehouse.model.policy.JwtAuth;
import io.gatehouse.model.policy.PolicySpec;
import io.gatehouse.model.policy.RateLimit;
import io.gatehouse.model.policy.RequestHeaders;
import io.gatehouse.model.policy.RequestMirror;
import io.gatehouse.model.policy.RequestRedirect;
import io.gatehouse.model.policy.ResponseHeaders;
import io.gatehouse.model.policy.Retry;
import io.gatehouse.model.policy.SessionPersistence;
import io.gatehouse.model.policy.URLRewrite;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Compiles a route's policies into its {@link PolicyChain}. The internal filters come from fields
 * the route already has, first and in a fixed order: HTTPS redirect, client certificates, body
 * limit (admission), then HSTS (response); user policies follow them in list order, each in its
 * stage ({@code RequestHeaders}: upstream request, {@code ResponseHeaders}: response, {@code
 * RequestRedirect}: admission, {@code URLRewrite}: admission, where it sets the target every
 * attempt sends, and the upstream request for X-Forwarded-Prefix; {@code CORS}: admission for the
 * preflight, response for the actual request and the local answer for Gatehouse's own errors on the
 * route; {@code Compression}: response; {@code RequestMirror}: admission, after every other
 * admission filter, where it only chooses the requests the proxy copies; {@code ErrorPages}: no
 * stage, an {@link ErrorPageSet} the proxy looks answers up in; {@code Retry}: no stage, a {@link
 * RetryRule} the proxy asks about failed attempts). Header policies get the route's key, whose
 * tenant and name their values may name as variables. A route with none of them shares {@link
 * PolicyChain#NONE}, and one with only the default body limit shares {@link #defaultBackend()}'s
 * chain, so 100,000 plain routes hold no chain of their own.
 */
public final class PolicyCompiler {
  private static final PolicyChain DEFAULT_LIMIT =
      new PolicyChain(
          new AdmissionFilter[] {new BodyLimitFilter(Limits.DEFAULT_MAX_REQUEST_BODY)},
          new UpstreamRequestFilter[0],
          new ResponseFilter[0]);

  private PolicyCompiler() {}

  /** The chain of a request that matches no route: the default body limit only. */
  public static PolicyChain defaultBackend() {
    return DEFAULT_LIMIT;
  }

  /**
   * The chain of a backend's own filters ({@code filters} of one of {@code spec}'s backends:
   * Gateway API filters on a backendRef), which the proxy runs after the route's, once that backend
   * is chosen: {@code URLRewrite} right after the pick (the target every attempt to it sends),
   * {@code RequestHeaders} on each attempt's request, {@code ResponseHeaders} on its answer. The
   * validator admits no other kind there; {@link PolicyChain#NONE} for none.
   */
  public static PolicyChain compileBackend(RouteSpec spec, List<PolicySpec> filters) {
    if (filters.isEmpty()) {
      return PolicyChain.NONE;
    }
    List<AdmissionFilter> admission = new ArrayList<>(1);
    List<UpstreamRequestFilter> upstream = new ArrayList<>(1);
    List<ResponseFilter> response = new ArrayList<>(1);
    for (PolicySpec p : filters) {
      if (!editOrRewrite(p, spec, admission, upstream, response)) {
        throw new IllegalArgumentException(
            "no backend filter for policy " + p.getClass().getSimpleName());
      }
    }
    return new PolicyChain(
        admission.toArray(new AdmissionFilter[0]),
        upstream.toArray(new UpstreamRequestFilter[0]),
        response.toArray(new ResponseFilter[0]));
  }

  /**
   * Adds the filters of {@code p} when it is a header policy or a rewrite (true), the kinds a route
   * and a backend share; false for any other kind.
   */
  private static boolean editOrRewrite(
      PolicySpec p,
      RouteSpec spec,
      List<AdmissionFilter> admission,
      List<UpstreamRequestFilter> upstream,
      List<ResponseFilter> response) {
    if (p instanceof RequestHeaders r) {
      upstream.add(new RequestHeadersFilter(r, spec.key()));
    } else if (p instanceof ResponseHeaders r) {
      response.add(new ResponseHeadersFilter(r, spec.key()));
    } else if (p instanceof URLRewrite r) {
      URLRewriteFilter f = new URLRewriteFilter(r, spec.paths());
      admission.add(f);
      if (f.editsHeaders()) {
        upstream.add(f);
      }
    } else {
      return false;
    }
    return true;
  }

  /**
   * The chain of {@code spec}.
   *
   * @param clientCertificates the route's compiled client-certificate check, or null when it asks
   *     for none (the snapshot compiler compiles it, and drops a route whose CAs cannot be used)
   */
  public static PolicyChain compile(
      RouteSpec spec, @Nullable ClientCertificateCheck clientCertificates) {
    return compile(spec, clientCertificates, PolicyServices.NONE);
  }

  /**
   * As {@link #compile(RouteSpec, ClientCertificateCheck)}, with the node's {@code services} for
   * the filters that keep state beyond one snapshot or work asynchronously.
   */
  public static PolicyChain compile(
      RouteSpec spec,
      @Nullable ClientCertificateCheck clientCertificates,
      PolicyServices services) {
    List<AdmissionFilter> admission = new ArrayList<>(3);
    List<ResponseFilter> response = new ArrayList<>(1);
    // Access control runs in a fixed order whatever the list order (issue #15): IP rules first,
    // then the client certificate, then authentication (Basic, JWT, forward auth in list order),
    // then rate and concurrency limits (list order, after authentication so a limit can count by
    // a verified claim). A CORS preflight, a redirect and a rewrite are answered or applied before
    // authentication, as nginx's rewrite phase runs before its access phase: a browser's preflight
    // carries no credentials.
    List<AdmissionFilter> ipRules = new ArrayList<>(0);
    List<AdmissionFilter> authentication = new ArrayList<>(0);
    List<AdmissionFilter> limits = new ArrayList<>(0);
    TlsSpec tls = spec.tls();
    if (tls != null && !tls.passthrough() && tls.redirect() != HttpsRedirect.OFF) {
      admission.add(new HttpsRedirectFilter(tls));
    }
    if (clientCertificates != null) {
      admission.add(new ClientCertificateFilter(clientCertificates));
    }
    long limit = spec.limits().maxRequestBodyBytes();
    if (limit > 0) {
      admission.add(new BodyLimitFilter(limit));
    }
    if (tls != null && tls.hsts().enabled()) {
      response.add(new HstsFilter(tls));
    }
    List<UpstreamRequestFilter> upstream = new ArrayList<>(0);
    List<LocalAnswerFilter> local = new ArrayList<>(0);
    // Mirrors choose last: a request another filter answers (a redirect, a preflight) takes no
    // turn of a mirror's share and is never copied.
    List<AdmissionFilter> mirrors = new ArrayList<>(0);
    List<ErrorPages> errorPages = new ArrayList<>(0);
    RetryRule retry = null;
    for (PolicySpec p : spec.policies()) {
      // One branch per kind (Java 17: no pattern switch); PolicyCompilerTest covers every kind.
      if (editOrRewrite(p, spec, admission, upstream, response)) {
        continue; // header edits and rewrites: the same on the route and on a backend
      }
      if (p instanceof RequestRedirect r) {
        admission.add(new RequestRedirectFilter(r, spec.paths()));
      } else if (p instanceof Cors c) {
        // One filter in three stages: the preflight at admission, the actual request's response,
        // and Gatehouse's own answers on the route (so a browser can read a 413 or a 503).
        CorsFilter cors = new CorsFilter(c);
        admission.add(cors);
        response.add(cors);
        local.add(cors);
      } else if (p instanceof Compression c) {
        response.add(new CompressionFilter(c));
      } else if (p instanceof SessionPersistence) {
        // The split's pick reads the cookie (the compiler builds it into the route's Split); this
        // filter only hands out the cookie the pick asked for.
        response.add(SessionPersistenceFilter.INSTANCE);
      } else if (p instanceof RequestMirror m) {
        mirrors.add(new RequestMirrorFilter(mirrors.size(), m));
      } else if (p instanceof Retry r) {
        retry = new RetryRule(r); // no stage: the proxy asks it about failed attempts
      } else if (p instanceof BasicAuth b) {
        authentication.add(new BasicAuthFilter(b, services.passwordChecks()));
      } else if (p instanceof ForwardAuth f) {
        authentication.add(new ForwardAuthFilter(f, spec.key(), services));
      } else if (p instanceof JwtAuth j) {
        authentication.add(new JwtFilter(j, spec.key(), services));
      } else if (p instanceof IpAccess a) {
        ipRules.add(new IpAccessFilter(a)); // before every other filter, whatever the list order
      } else if (p instanceof RateLimit r) {
        limits.add(new RateLimitFilter(r, spec.key(), services.rateLimits()));
      } else if (p instanceof ConnectionLimit c) {
        limits.add(new ConnectionLimitFilter(c, spec.key(), services.rateLimits()));
      } else if (p instanceof ErrorPages e) {
        errorPages.add(e); // no stage: the proxy looks its answers' statuses up (ErrorPageSet)
      } else {
        throw new IllegalArgumentException("no filter for policy " + p.getClass().getSimpleName());
      }
    }
    admission.addAll(0, ipRules);
    admission.addAll(authentication);
    admission.addAll(limits);
    admission.addAll(mirrors);
    ErrorPageSet pages = ErrorPageSet.of(errorPages);
    if (retry == null
        && admission.isEmpty()
        && upstream.isEmpty()
        && response.isEmpty()
        && local.isEmpty()
        && pages.isEmpty()) {
      return PolicyChain.NONE;
    }
    if (retry == null
        && pages.isEmpty()
        && response.isEmpty()
        && upstream.isEmpty()
        && local.isEmpty()
        && admission.size() == 1
        && limit == Limits.DEFAULT_MAX_REQUEST_BODY
        && admission.get(0) instanceof BodyLimitFilter) {
      return DEFAULT_LIMIT;
    }
    return new PolicyChain(
        admission.toArray(new AdmissionFilter[0]),
        upstream.toArray(new UpstreamRequestFilter[0]),
        response.toArray(new ResponseFilter[0]),
        local.toArray(new LocalAnswerFilter[0]),
        pages,
        retry);
  }
}
