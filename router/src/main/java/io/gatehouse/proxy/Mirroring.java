package io.gatehouse.proxy;

import io.gatehouse.snapshot.Mirror;
import io.gatehouse.upstream.Balancers;
import io.vertx.core.buffer.Buffer;
import org.jspecify.annotations.Nullable;

/**
 * The copies of one request to its route's mirrors, from admission to the moment they are sent:
 * made when the request is routed (each holding a place of its mirror), fed the body as it streams
 * to the primary (buffered once for every copy that wants it, up to the largest of their limits; a
 * copy whose limit the body passes is dropped there), and sent once the request has gone whole to
 * the primary. A request that does not get that far drops them.
 *
 * <p>The exchange calls in; nothing here calls the exchange back, and nothing a copy does after it
 * is sent reaches the exchange or the client. Only a request its route's mirror filter chose makes
 * one; every other request pays a null check per body read.
 */
final class Mirroring {
  private final Balancers balancers;
  private final MirrorRequest[] waiting;
  private int count;
  private @Nullable Buffer body;
  private long limit;

  /**
   * @param copies {@code count} copies, each holding its place
   * @param requestHasBody whether the client's request carries a body (declared or chunked)
   */
  Mirroring(Balancers balancers, MirrorRequest[] copies, int count, boolean requestHasBody) {
    this.balancers = balancers;
    this.waiting = copies;
    this.count = count;
    if (requestHasBody) {
      limit = largestLimit();
      body = limit >= 0 ? Buffer.buffer() : null;
    } else {
      limit = -1;
    }
  }

  /** The largest body limit of the copies that take the body; -1 when none does. */
  private long largestLimit() {
    long max = -1;
    for (int i = 0; i < count; i++) {
      if (waiting[i].withBody()) {
        max = Math.max(max, waiting[i].maxBodyBytes());
      }
    }
    return max;
  }

  /** A read of the body, already written to the primary. */
  void body(Buffer chunk) {
    if (body == null) {
      return;
    }
    long size = (long) body.length() + chunk.length();
    if (size > limit) {
      // Past some copy's limit: those copies go, and the buffer with them when none is left.
      int kept = 0;
      for (int i = 0; i < count; i++) {
        MirrorRequest c = waiting[i];
        if (c.withBody() && c.maxBodyBytes() < size) {
          c.drop(Mirror.Outcome.DROPPED_TOO_LARGE);
        } else {
          waiting[kept++] = c;
        }
      }
      for (int i = kept; i < count; i++) {
        waiting[i] = null;
      }
      count = kept;
      limit = largestLimit();
      if (limit < 0) {
        body = null;
        return;
      }
    }
    body.appendBuffer(chunk);
  }

  /** The request went whole to the primary: every copy left is sent now. */
  void requestSent() {
    Buffer b = body;
    body = null;
    for (int i = 0; i < count; i++) {
      MirrorRequest c = waiting[i];
      waiting[i] = null;
      c.send(balancers, b);
    }
    count = 0;
  }

  /** The request will not be proxied whole: the copies not sent yet are dropped. */
  void abandon() {
    body = null;
    for (int i = 0; i < count; i++) {
      waiting[i].drop(Mirror.Outcome.ABANDONED);
      waiting[i] = null;
    }
    count = 0;
  }
}
