package io.gatehouse.policy;

/**
 * Runs once a request is matched to its route, before a backend or an endpoint is picked: it lets
 * the request through or answers it locally.
 */
public interface AdmissionFilter {
  /** Let the request through to the next filter and then the upstream. */
  int PROCEED = 0;

  /**
   * The filter answers later (a forward-auth subrequest, a JWK Set fetch, a password hash checked
   * off the event loop): it has arranged to call {@link RequestContext#resume} exactly once, with
   * {@link #PROCEED} or a status, however its work ends (its own timeout included). The request
   * stays paused meanwhile; a client that leaves first makes the resume a no-op.
   */
  int SUSPEND = -1;

  /**
   * {@link #PROCEED}, {@link #SUSPEND}, or the HTTP status (100-599) to answer locally; a 3xx
   * status carries the {@link RequestContext#location} the filter set, a 2xx status is answered
   * without a body and with the {@link RequestContext#answerHeader headers} the filter added. Must
   * not block.
   */
  int admit(RequestContext request);
}
