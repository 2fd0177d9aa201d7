package io.gatehouse.observe;

/** How one upstream attempt ended ({@link ExchangeObserver#attemptEnded}). */
public enum AttemptOutcome {
  /** The upstream answered with a response head (any status). */
  RESPONDED,
  /** No connection (refused, unreachable, TLS handshake failed, connect timeout). */
  CONNECT_FAILED,
  /** The connection or stream broke before the response head. */
  RESET,
  /** No response head within the route's timeout. */
  TIMED_OUT
}
