package io.gatehouse.policy;

import io.gatehouse.model.TlsSpec;
import io.gatehouse.tls.HttpsRedirects;

/**
 * Response: {@code Strict-Transport-Security} on a proxied HTTPS response for one of the route's
 * TLS hosts. The header value is rendered once, here, not per response.
 */
public final class HstsFilter implements ResponseFilter {
  public static final String HEADER = "strict-transport-security";

  private final TlsSpec tls;
  private final String value;

  HstsFilter(TlsSpec tls) {
    String value = tls.hsts().headerValue(); // null exactly when off
    if (!tls.hsts().enabled() || value == null) {
      throw new IllegalArgumentException("hsts: " + tls.hsts() + " (expected: enabled)");
    }
    this.tls = tls;
    this.value = value;
  }

  @Override
  public void onResponse(RequestContext r, int status, HeaderEdits downstream) {
    if (r.tls() && HttpsRedirects.covers(tls, r.host())) {
      downstream.set(HEADER, value);
    }
  }
}
