package io.gatehouse.upstream;

import java.security.SecureRandom;
import java.util.Objects;

/**
 * What every balancer of a node shares: which endpoints may take requests and the key of affinity
 * cookies. Handed to each event loop's {@link Balancers} through the router settings.
 *
 * @param availability the node's view of healthy, non-ejected endpoints ({@link Availability#ALL}
 *     until health checks or outlier detection feed one)
 * @param cookies affinity cookie values under the node's sticky key
 */
public record BalancerOptions(Availability availability, AffinityCookies cookies) {
  public BalancerOptions {
    Objects.requireNonNull(availability, "availability");
    Objects.requireNonNull(cookies, "cookies");
  }

  /** Every endpoint available; a random cookie key per process (tests, tools). */
  public static BalancerOptions defaults() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return new BalancerOptions(Availability.ALL, AffinityCookies.withKey(key));
  }

  public BalancerOptions withAvailability(Availability a) {
    return new BalancerOptions(a, cookies);
  }
}
