package io.gatehouse.policy;

/**
 * Runs once a request is matched to its route, before a backend or an endpoint is picked: it lets
 * the request through or answers it locally.
 */
public interface AdmissionFilter {
  /** Let the request through to the next filter and then the upstream. */
  int PROCEED = 0;

  // Negative verdicts are reserved: an asynchronous filter (external auth, a cluster rate limit)
  // will return SUSPEND = -1 and call back RequestContext.resume(int) (issue #12, Q6).

  /**
   * {@link #PROCEED}, or the HTTP status (100-599) to answer locally; a 3xx status carries the
   * {@link RequestContext#location} the filter set, a 2xx status is answered without a body and
   * with the {@link RequestContext#answerHeader headers} the filter added. Must not block.
   */
  int admit(RequestContext request);
}
