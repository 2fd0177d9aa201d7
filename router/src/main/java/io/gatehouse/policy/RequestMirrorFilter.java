package io.gatehouse.policy;

import io.gatehouse.model.policy.RequestMirror;
import java.util.concurrent.atomic.AtomicLong;

/**
 * User policy {@code RequestMirror}, the choice half: at admission, after every other filter let
 * the request through, it decides whether this request is copied and tells the request which of the
 * route's mirrors to send ({@link RequestContext#mirror}). The copy itself is the proxy's: it is
 * sent once the request has been sent on, never before the primary, and nothing it does comes back.
 *
 * <p>The share is exact and even, not random: the requests a node admits for the route are numbered
 * (one counter shared by the node's event loops), and request {@code k} is copied when {@code
 * floor((k+1)n/d) > floor(kn/d)}, Bresenham's line, so every window of {@code d} requests has
 * exactly {@code n} copies spread across it (10 % is one request in ten, not bursts). Every and no
 * request take no turn of the counter.
 */
public final class RequestMirrorFilter implements AdmissionFilter {
  private final int index;
  private final long numerator;
  private final long denominator;
  private final AtomicLong turn = new AtomicLong();

  /**
   * @param index the mirror's position among the route's mirrors (its compiled route's {@code
   *     mirrors()})
   */
  RequestMirrorFilter(int index, RequestMirror spec) {
    this.index = index;
    this.numerator = spec.numerator();
    this.denominator = spec.denominator();
  }

  @Override
  public int admit(RequestContext request) {
    if (sampled()) {
      request.mirror(index);
    }
    return PROCEED;
  }

  /** Whether the next request is copied; takes a turn unless the share is all or nothing. */
  boolean sampled() {
    if (numerator >= denominator) {
      return true;
    }
    if (numerator <= 0) {
      return false;
    }
    long k = Math.floorMod(turn.getAndIncrement(), denominator);
    return (k + 1) * numerator / denominator > k * numerator / denominator;
  }

  @Override
  public String toString() {
    return "RequestMirrorFilter[" + index + ": " + numerator + "/" + denominator + "]";
  }
}
