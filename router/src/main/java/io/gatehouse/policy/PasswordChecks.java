package io.gatehouse.policy;

import org.jspecify.annotations.Nullable;

/**
 * Checks a password against its hash (bcrypt or Argon2, as {@link io.gatehouse.validate.Htpasswd}
 * accepts them) for a Basic auth filter, never on the event loop: a hash takes tens of milliseconds
 * by design. A success is remembered for a short while, so a returning client costs no hash. The
 * node's implementation is {@code access.HashChecks}.
 */
public interface PasswordChecks {
  /** What a check found. */
  enum Verdict {
    MATCH,
    MISMATCH,
    /** The pool's queue is full: the request is answered 503, never let through. */
    BUSY
  }

  /** Who waits for a check; called once, on the event loop that asked. */
  interface Waiter {
    /** Whether the request has ended meanwhile: a queued check it asked for is skipped. */
    boolean abandoned();

    void done(Verdict verdict);
  }

  /**
   * Checks {@code password} (the raw bytes the client sent) for {@code user} against {@code hash}.
   * Must be called on an event loop.
   *
   * @return {@link Verdict#MATCH} when a recent success of the same user, password and hash is
   *     remembered, {@link Verdict#BUSY} when the queue is full; null when the check was queued and
   *     {@code waiter} will be told on this event loop
   */
  @Nullable Verdict check(String user, byte[] password, String hash, Waiter waiter);
}
