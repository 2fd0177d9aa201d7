package io.gatehouse.policy;

/**
 * Edits an answer Gatehouse makes itself on a matched route (an error such as 413, 502, 503 or 504,
 * or a 4xx of an admission filter) before it is sent. Response filters never see these answers
 * (design Q4); a filter that must mark them too, such as CORS so that a browser may read the error,
 * is also one of these.
 */
public interface LocalAnswerFilter {
  void onLocalAnswer(RequestContext request, int status, HeaderEdits answer);
}
