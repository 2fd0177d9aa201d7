package io.gatehouse.proxy;

import org.jspecify.annotations.Nullable;

/**
 * The exchanges in flight on one event loop, as an intrusive doubly linked list: tracking and
 * untracking an exchange allocates nothing, and the sweep visits each a few times a second to fire
 * its deadlines (no timer per request). Touched only on its event loop.
 */
final class LiveExchanges {

  /**
   * What the list links: {@link ProxyExchange} and, for routes with a mirror policy, the copies
   * sent to mirrors ({@link MirrorRequest}), so the sweep's call stays at most bimorphic. It
   * extends {@link SlowClientDeadlines} so that an exchange is one object.
   */
  abstract static class Member extends SlowClientDeadlines {
    @Nullable Member prev;
    @Nullable Member next;

    /** Fires whichever of this exchange's deadlines has passed at {@code now}. */
    abstract void checkDeadlines(long now);
  }

  private @Nullable Member live;

  void track(Member e) {
    e.next = live;
    if (live != null) {
      live.prev = e;
    }
    live = e;
  }

  void untrack(Member e) {
    if (e.prev != null) {
      e.prev.next = e.next;
    } else if (live == e) {
      live = e.next;
    }
    if (e.next != null) {
      e.next.prev = e.prev;
    }
    e.prev = null;
    e.next = null;
  }

  /** Checks every live exchange's deadlines; one that finishes meanwhile may untrack itself. */
  void sweep(long now) {
    for (Member e = live; e != null; ) {
      Member next = e.next;
      e.checkDeadlines(now);
      e = next;
    }
  }
}
