package io.gatehouse.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A route's filters, compiled once and held by its compiled route: admission (after the route
 * match, before a backend or endpoint is picked), the upstream request (per attempt), the response
 * (proxied responses only) and the local answer (the errors Gatehouse answers itself on the route).
 * Immutable; the proxy runs each stage through the methods below, which for {@link #NONE} read an
 * array's length and nothing else.
 */
public final class PolicyChain {
  private static final AdmissionFilter[] NO_ADMISSION = {};
  private static final UpstreamRequestFilter[] NO_UPSTREAM = {};
  private static final ResponseFilter[] NO_RESPONSE = {};
  private static final LocalAnswerFilter[] NO_LOCAL = {};

  /** No filter at any stage: shared by every route that has none. */
  public static final PolicyChain NONE =
      new PolicyChain(NO_ADMISSION, NO_UPSTREAM, NO_RESPONSE, NO_LOCAL, ErrorPageSet.NONE);

  private final AdmissionFilter[] admission;
  private final UpstreamRequestFilter[] upstream;
  private final ResponseFilter[] response;
  private final LocalAnswerFilter[] local;
  private final ErrorPageSet errorPages;
  private final @Nullable RetryRule retry;

  PolicyChain(
      AdmissionFilter[] admission, UpstreamRequestFilter[] upstream, ResponseFilter[] response) {
    this(admission, upstream, response, NO_LOCAL, ErrorPageSet.NONE);
  }

  PolicyChain(
      AdmissionFilter[] admission,
      UpstreamRequestFilter[] upstream,
      ResponseFilter[] response,
      LocalAnswerFilter[] local,
      ErrorPageSet errorPages) {
    this(admission, upstream, response, local, errorPages, null);
  }

  PolicyChain(
      AdmissionFilter[] admission,
      UpstreamRequestFilter[] upstream,
      ResponseFilter[] response,
      LocalAnswerFilter[] local,
      ErrorPageSet errorPages,
      @Nullable RetryRule retry) {
    this.retry = retry;
    this.admission = admission.length == 0 ? NO_ADMISSION : admission.clone();
    this.upstream = upstream.length == 0 ? NO_UPSTREAM : upstream.clone();
    this.response = response.length == 0 ? NO_RESPONSE : response.clone();
    this.local = local.length == 0 ? NO_LOCAL : local.clone();
    this.errorPages = errorPages;
  }

  /**
   * The route's error pages: which answers of 400 and above keep their status but get another body
   * ({@link ErrorPageSet#NONE} for none). Not a filter stage: the proxy asks it for an answer's
   * status, the upstream's or its own, and replaces the body itself.
   */
  public ErrorPageSet errorPages() {
    return errorPages;
  }

  /**
   * The route's retry policy, compiled; null for none (the proxy then keeps the node's one
   * connect-failure retry). Not a filter stage: the proxy asks it about each failed attempt.
   */
  public @Nullable RetryRule retry() {
    return retry;
  }

  /**
   * Runs the admission filters in order until one answers.
   *
   * @return {@link AdmissionFilter#PROCEED}, or the status of the first filter that answers
   */
  public int admit(RequestContext request) {
    AdmissionFilter[] filters = admission;
    for (int i = 0; i < filters.length; i++) {
      int verdict = filters[i].admit(request);
      if (verdict != AdmissionFilter.PROCEED) {
        return verdict;
      }
    }
    return AdmissionFilter.PROCEED;
  }

  /**
   * Runs the admission filters from the one at {@code from} until one answers or suspends.
   *
   * @return {@link AdmissionFilter#PROCEED}, the status of the first filter that answers, or {@code
   *     -(i + 2)} when filter {@code i} returned {@link AdmissionFilter#SUSPEND} (decode with
   *     {@link #suspendedAt}): the caller resumes from {@code i + 1}
   */
  public int admitFrom(RequestContext request, int from) {
    AdmissionFilter[] filters = admission;
    for (int i = from; i < filters.length; i++) {
      int verdict = filters[i].admit(request);
      if (verdict == AdmissionFilter.SUSPEND) {
        return -(i + 2);
      }
      if (verdict != AdmissionFilter.PROCEED) {
        return verdict;
      }
    }
    return AdmissionFilter.PROCEED;
  }

  /** The index of the filter that suspended, from {@link #admitFrom}'s negative result. */
  public static int suspendedAt(int admitResult) {
    return -admitResult - 2;
  }

  /** Whether {@link #onUpstreamRequest} has anything to run: the caller skips setting it up. */
  public boolean editsUpstreamRequests() {
    return upstream.length != 0;
  }

  public void onUpstreamRequest(RequestContext request, HeaderEdits headers) {
    UpstreamRequestFilter[] filters = upstream;
    for (int i = 0; i < filters.length; i++) {
      filters[i].onUpstreamRequest(request, headers);
    }
  }

  /** Whether {@link #onResponse} has anything to run: the caller skips setting it up. */
  public boolean editsResponses() {
    return response.length != 0;
  }

  public void onResponse(RequestContext request, int status, HeaderEdits headers) {
    ResponseFilter[] filters = response;
    for (int i = 0; i < filters.length; i++) {
      filters[i].onResponse(request, status, headers);
    }
  }

  /** Whether {@link #onLocalAnswer} has anything to run: the caller skips setting it up. */
  public boolean editsLocalAnswers() {
    return local.length != 0;
  }

  /** Runs the local-answer filters on an answer of {@code status} Gatehouse makes itself. */
  public void onLocalAnswer(RequestContext request, int status, HeaderEdits headers) {
    LocalAnswerFilter[] filters = local;
    for (int i = 0; i < filters.length; i++) {
      filters[i].onLocalAnswer(request, status, headers);
    }
  }

  /** Every filter, stage by stage in running order (for tests and explain; allocates). */
  public List<Object> filters() {
    List<Object> all =
        new ArrayList<>(admission.length + upstream.length + response.length + local.length);
    Collections.addAll(all, admission);
    Collections.addAll(all, upstream);
    Collections.addAll(all, response);
    Collections.addAll(all, local);
    return List.copyOf(all);
  }

  @Override
  public String toString() {
    List<String> names = new ArrayList<>();
    for (Object f : filters()) {
      names.add(f.getClass().getSimpleName());
    }
    if (!errorPages.isEmpty()) {
      names.add("ErrorPageSet");
    }
    if (retry != null) {
      names.add("RetryRule");
    }
    return this == NONE ? "PolicyChain.NONE" : "PolicyChain" + names;
  }
}
