package io.gatehouse.policy;

import io.gatehouse.model.RouteKey;
import io.gatehouse.model.policy.ResponseHeaders;

/**
 * User policy {@code ResponseHeaders}: edits a proxied response before the client gets it, after
 * the proxy's own header rules and HSTS. Answers the proxy makes itself never reach it (Q4).
 */
public final class ResponseHeadersFilter implements ResponseFilter {
  private final HeaderEditList edits;

  ResponseHeadersFilter(ResponseHeaders spec, RouteKey route) {
    this.edits = new HeaderEditList(spec.edits(), route);
  }

  @Override
  public void onResponse(RequestContext request, int status, HeaderEdits downstream) {
    edits.apply(request, downstream);
  }

  @Override
  public String toString() {
    return "ResponseHeadersFilter[" + edits + "]";
  }
}
