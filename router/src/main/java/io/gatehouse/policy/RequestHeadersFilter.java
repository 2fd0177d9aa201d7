package io.gatehouse.policy;

import io.gatehouse.model.RouteKey;
import io.gatehouse.model.policy.RequestHeaders;

/**
 * User policy {@code RequestHeaders}: edits the request the backend receives. It runs on each
 * attempt after the proxy's own header rules, so a retry, which copies the client's headers again,
 * gets the same edits.
 */
public final class RequestHeadersFilter implements UpstreamRequestFilter {
  private final HeaderEditList edits;

  RequestHeadersFilter(RequestHeaders spec, RouteKey route) {
    this.edits = new HeaderEditList(spec.edits(), route);
  }

  @Override
  public void onUpstreamRequest(RequestContext request, HeaderEdits upstream) {
    edits.apply(request, upstream);
  }

  @Override
  public String toString() {
    return "RequestHeadersFilter[" + edits + "]";
  }
}
