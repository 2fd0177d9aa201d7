package io.gatehouse.policy;

/**
 * Edits the request sent upstream, after the proxy's own header rules; runs again for each attempt
 * (a retry starts from the client's headers).
 */
public interface UpstreamRequestFilter {
  void onUpstreamRequest(RequestContext request, HeaderEdits upstream);
}
