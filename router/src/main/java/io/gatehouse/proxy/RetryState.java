package io.gatehouse.proxy;

import io.gatehouse.policy.RetryRule;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.StreamResetException;
import org.jspecify.annotations.Nullable;

/**
 * One request's progress through its route's {@link RetryRule}: the retries made, the deadline of
 * all attempts, whether a retry place of the backend is held, the timer of the attempt (per-try
 * timeout or back-off), and the request body kept for a replay (up to the rule's {@code
 * bufferBytes}; past it the copy is dropped and the request is never retried). Made only for a
 * request whose route has the policy: every other request pays one null check per step.
 *
 * <p>Holds state and answers questions; the exchange acts (connects, answers), so nothing here
 * calls the exchange.
 */
final class RetryState {
  /** HTTP/2's REFUSED_STREAM error code (RFC 9113 §7): the stream was never processed. */
  static final long REFUSED_STREAM = 0x7;

  final RetryRule rule;

  /** {@code System.nanoTime()} past which no attempt starts; 0 for none. */
  final long deadline;

  /** Retries made so far (the first attempt is not one). */
  int retries;

  /** Whether this request holds one of its backend's retry places (released at the next step). */
  boolean holdsRetry;

  /** The attempt's timer (per-try timeout, or the back-off before a retry); -1 for none. */
  long timer = -1;

  private @Nullable Buffer body;
  private boolean bodyTooLarge;
  private boolean bodyComplete;

  /**
   * @param declaredLength the request's Content-Length, -1 when it has none (chunked or no body)
   */
  RetryState(RetryRule rule, long startNanos, long declaredLength) {
    this.rule = rule;
    this.deadline = rule.timeoutNanos() > 0 ? startNanos + rule.timeoutNanos() : 0;
    this.bodyTooLarge = declaredLength > rule.bufferBytes();
  }

  /** A read of the body, already written to the attempt: kept while within the limit. */
  void body(Buffer chunk) {
    if (bodyTooLarge) {
      return;
    }
    Buffer b = body;
    long size = (b == null ? 0 : b.length()) + (long) chunk.length();
    if (size > rule.bufferBytes()) {
      bodyTooLarge = true;
      body = null;
      return;
    }
    if (b == null) {
      b = Buffer.buffer((int) Math.min(size * 2, rule.bufferBytes()));
      body = b;
    }
    b.appendBuffer(chunk);
  }

  /** The client's body has ended. */
  void bodyEnded() {
    bodyComplete = true;
  }

  /** The whole body, kept for a replay; null when none was read (or it was too large). */
  @Nullable Buffer replayBody() {
    return bodyComplete && !bodyTooLarge ? (body == null ? Buffer.buffer() : body) : null;
  }

  /**
   * Whether the request's body allows another attempt: none, or none read yet (it is still in the
   * client's connection), or all of it kept.
   *
   * @param hasBody the request carries a body
   * @param bodyRead some of the body was read (and sent to an attempt)
   */
  boolean bodyReplayable(boolean hasBody, boolean bodyRead) {
    if (!hasBody || !bodyRead) {
      return true;
    }
    return bodyComplete && !bodyTooLarge;
  }

  /** Whether the rule allows retry number {@code retries + 1} at {@code now} after {@code wait}. */
  boolean anotherAllowed(long now, long waitNanos) {
    return rule.withinAttempts(retries + 1) && (deadline == 0 || deadline - (now + waitNanos) > 0);
  }

  /** Whether the deadline of all attempts has passed at {@code now}. */
  boolean expired(long now) {
    return deadline != 0 && now - deadline >= 0;
  }

  /**
   * The kind of a failure before the answer's head: a refused HTTP/2 stream, a timeout, else a
   * reset or close of the connection or stream.
   */
  static RetryRule.Failure classify(Throwable cause) {
    if (cause instanceof StreamResetException r && r.getCode() == REFUSED_STREAM) {
      return RetryRule.Failure.REFUSED_STREAM;
    }
    // Anything else before the head is the connection or stream going away (a close, a reset, an
    // I/O error such as a reset by the peer).
    return UpstreamAttempt.isTimeout(cause) ? RetryRule.Failure.TIMEOUT : RetryRule.Failure.RESET;
  }
}
