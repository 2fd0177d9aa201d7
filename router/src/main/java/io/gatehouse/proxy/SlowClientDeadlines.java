package io.gatehouse.proxy;

import io.gatehouse.model.Timeouts;

/**
 * The deadlines of one exchange, as {@link System#nanoTime()} values (0: not armed), and the check
 * that the verticle's sweep runs a few times a second: no timers, so nothing per request.
 *
 * <p>{@link ProxyExchange} extends this class rather than holding an instance, so the deadlines
 * cost no object of their own per request; every method is final and small enough to inline.
 */
class SlowClientDeadlines {

  /** Which deadline passed; the caller answers for it. */
  enum Expired {
    NONE,
    /** The whole request took longer than the route allows (or the gRPC call's own timeout). */
    REQUEST,
    /** The client sent nothing of its body for the body-inactivity limit. */
    BODY_IDLE,
    /** The upstream answered nothing for the response timeout. */
    UPSTREAM_IDLE,
    /** The client read nothing of the response for the body-inactivity limit (nginx's send). */
    SEND_STALLED
  }

  private long requestDeadline;
  private long bodyIdleSince;
  private long upstreamIdleSince;

  /**
   * Since when a response write has waited on a client that reads nothing (0: not waiting). Held
   * for the route's body-inactivity limit, as nginx's send_timeout, then the exchange is cut.
   */
  private long sendStalledSince;

  /**
   * Arms the whole-request deadline: {@code wholeNanos} after {@code start} (none when 0 or for a
   * tunnel), or the gRPC call's own timeout when it is shorter.
   *
   * @param grpcTimeoutNanos the call's {@code grpc-timeout}, or -1 when there is none
   */
  final void armRequest(long start, long wholeNanos, boolean tunnel, long grpcTimeoutNanos) {
    if (wholeNanos > 0 && !tunnel) {
      requestDeadline = start + wholeNanos;
    }
    // The call's own deadline, when shorter: past it the client has given up anyway.
    if (grpcTimeoutNanos >= 0 && (requestDeadline == 0 || grpcTimeoutNanos < wholeNanos)) {
      requestDeadline = start + grpcTimeoutNanos;
    }
  }

  /** The request's whole deadline is off again (armed afresh once admission is done). */
  final void disarmRequest() {
    requestDeadline = 0;
  }

  /** The client sent body bytes (or is now invited to): its inactivity clock restarts. */
  final void bodyReadAt(long now) {
    bodyIdleSince = now;
  }

  /** No more body is awaited from the client, or waiting is not its fault. */
  final void bodyNotAwaited() {
    bodyIdleSince = 0;
  }

  /** Something from the upstream is awaited from {@code now}. */
  final void upstreamAwaitedSince(long now) {
    upstreamIdleSince = now;
  }

  /** Nothing is awaited from the upstream. */
  final void upstreamNotAwaited() {
    upstreamIdleSince = 0;
  }

  /**
   * Response bytes arrived. A response flowing while the request stays open (a gRPC bidirectional
   * call, a long poll) is not a client trickling its body: it was cut at the body-inactivity limit.
   */
  final void responseFlowedAt(long now) {
    upstreamIdleSince = now;
    if (bodyIdleSince != 0) {
      bodyIdleSince = now;
    }
  }

  /** The client stopped reading the response: a stalled reader is not a stalled upstream. */
  final void sendStalledAt(long now) {
    upstreamIdleSince = 0;
    sendStalledSince = now;
  }

  /** The client read again; the upstream is awaited once more. */
  final void sendDrainedAt(long now) {
    sendStalledSince = 0;
    upstreamIdleSince = now;
  }

  /** The exchange is answered locally: no idle clock runs any more. */
  final void idleClocksOff() {
    bodyIdleSince = 0;
    upstreamIdleSince = 0;
  }

  /**
   * The first deadline that has passed at {@code now}, in the order request, body, upstream, send;
   * that deadline is disarmed so that it fires once.
   */
  final Expired check(long now, Timeouts timeouts) {
    if (requestDeadline != 0 && now - requestDeadline >= 0) {
      requestDeadline = 0;
      return Expired.REQUEST;
    } else if (bodyIdleSince != 0 && now - bodyIdleSince >= timeouts.bodyIdle().toNanos()) {
      bodyIdleSince = 0;
      return Expired.BODY_IDLE;
    } else if (upstreamIdleSince != 0 && now - upstreamIdleSince >= timeouts.response().toNanos()) {
      upstreamIdleSince = 0;
      return Expired.UPSTREAM_IDLE;
    } else if (sendStalledSince != 0 && now - sendStalledSince >= timeouts.bodyIdle().toNanos()) {
      sendStalledSince = 0;
      return Expired.SEND_STALLED;
    }
    return Expired.NONE;
  }
}
