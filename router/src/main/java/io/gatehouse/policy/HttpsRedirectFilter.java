package io.gatehouse.policy;

import io.gatehouse.model.TlsSpec;
import io.gatehouse.tls.HttpsRedirects;

/**
 * Admission: a plain-HTTP request for one of the route's TLS hosts is answered with the route's
 * redirect to the same URL over HTTPS, when this node has an HTTPS listener or a trusted balancer
 * in front says the client came over plain HTTP; ACME challenges are served. The rule itself is
 * {@link HttpsRedirects}, which explain uses too.
 */
public final class HttpsRedirectFilter implements AdmissionFilter {
  private final TlsSpec tls;

  HttpsRedirectFilter(TlsSpec tls) {
    this.tls = tls;
  }

  @Override
  public int admit(RequestContext r) {
    if (r.tls()) {
      return PROCEED;
    }
    // Behind a trusted balancer its X-Forwarded-Proto tells the client's scheme, as ingress-nginx
    // with use-forwarded-headers: https is served, http is sent to the balancer's HTTPS port (443:
    // this node's port is not the one the client sees), with or without an HTTPS listener here.
    String forwarded = r.forwardedProto();
    if ("https".equals(forwarded)) {
      return PROCEED;
    }
    boolean behindBalancer = "http".equals(forwarded);
    if (!behindBalancer && !r.httpsListener()) {
      return PROCEED;
    }
    String host = r.host();
    if (host == null) {
      return PROCEED; // no Host: nothing to redirect to (redirectStatus says 0 as well)
    }
    int status = HttpsRedirects.redirectStatus(tls, host, r.path());
    if (status == 0) {
      return PROCEED;
    }
    r.location(
        HttpsRedirects.location(host, behindBalancer ? null : r.httpsPort(), r.path(), r.query()));
    return status;
  }
}
