package io.gatehouse.policy;

/**
 * Edits a proxied response's headers before they are sent to the client, after the proxy's own
 * header rules. Local answers (redirects, 4xx and 5xx the proxy makes itself) skip it, as Gateway
 * API's header modifiers do (issue #12, Q4).
 */
public interface ResponseFilter {
  void onResponse(RequestContext request, int status, HeaderEdits downstream);
}
