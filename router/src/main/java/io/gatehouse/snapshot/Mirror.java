package io.gatehouse.snapshot;

import io.gatehouse.model.policy.RequestMirror;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One {@link RequestMirror} of a compiled route: where its copies go ({@link #target()}, a slot of
 * the node's endpoint index like a route's own targets), its limits, and the two things that are
 * shared by every event loop of the node: the count of copies open now (held to {@code
 * maxInFlight}) and what became of the copies (for tests, explain and metrics).
 *
 * <p>The compiler keeps this object across a recompile of its route while the policy and the target
 * are equal, so a change elsewhere in the route neither resets the counts nor lets a second batch
 * of copies past the in-flight bound. Immutable but for those counters.
 */
public final class Mirror {
  /** What became of a copy the route's filter chose. */
  public enum Outcome {
    /** Sent, and its answer (any status) was read to the end. */
    ANSWERED,
    /** Sent, but it failed: no endpoint, refused or reset connection, a timeout. */
    FAILED,
    /** Not sent: {@code maxInFlight} copies were open already. */
    DROPPED_BUSY,
    /** Not sent: the body was larger than {@code maxBodyBytes}. */
    DROPPED_TOO_LARGE,
    /** Not sent: the client's request did not arrive whole (reset, malformed, refused). */
    ABANDONED,
    /** Not sent: a copy could not connect within the last {@link #REST} (the mirror rests). */
    DROPPED_DOWN
  }

  /**
   * How long a mirror rests after a copy could not connect (after the retry a primary request would
   * get): nginx's {@code max_fails=1 fail_timeout=10s}. A mirror that is down so costs one connect
   * attempt per rest, not one per request.
   */
  public static final Duration REST = Duration.ofSeconds(10);

  private final RequestMirror spec;
  private final Target target;
  private final AtomicInteger inFlight = new AtomicInteger();

  /** Whether the mirror rests, and until when ({@link System#nanoTime()}); races are benign. */
  private volatile boolean resting;

  private volatile long restingUntil;
  private final LongAdder[] outcomes = new LongAdder[Outcome.values().length];

  public Mirror(RequestMirror spec, Target target) {
    this.spec = Objects.requireNonNull(spec, "spec");
    this.target = Objects.requireNonNull(target, "target");
    for (int i = 0; i < outcomes.length; i++) {
      outcomes[i] = new LongAdder();
    }
  }

  public RequestMirror spec() {
    return spec;
  }

  /** Where the copies go: a slot of the endpoint index, the protocol and upstream TLS. */
  public Target target() {
    return target;
  }

  /** Takes one of the {@code maxInFlight} places; false (nothing taken) when none is free. */
  public boolean tryAcquire() {
    int max = spec.maxInFlight();
    for (int n = inFlight.get(); n < max; n = inFlight.get()) {
      if (inFlight.compareAndSet(n, n + 1)) {
        return true;
      }
    }
    return false;
  }

  /** Gives back a place {@link #tryAcquire} took. */
  public void release() {
    inFlight.decrementAndGet();
  }

  /** A copy could not connect at {@code now}: no copy is sent for {@link #REST}. */
  public void rest(long now) {
    restingUntil = now + REST.toNanos();
    resting = true;
  }

  /** Whether the mirror rests at {@code now} (a copy could not connect within {@link #REST}). */
  public boolean resting(long now) {
    if (!resting) {
      return false;
    }
    if (now - restingUntil >= 0) {
      resting = false;
      return false;
    }
    return true;
  }

  /** Copies open now, on every event loop of the node. */
  public int inFlight() {
    return inFlight.get();
  }

  /** Records that one copy ended with {@code outcome}. */
  public void record(Outcome outcome) {
    outcomes[outcome.ordinal()].increment();
  }

  /** How many copies ended with {@code outcome} since this mirror was compiled. */
  public long count(Outcome outcome) {
    return outcomes[outcome.ordinal()].sum();
  }

  @Override
  public String toString() {
    return "Mirror[" + target.key() + " " + spec.numerator() + "/" + spec.denominator() + "]";
  }
}
