package io.gatehouse.health;

import io.gatehouse.endpoint.EndpointSet;
import io.gatehouse.model.Endpoint;
import io.gatehouse.snapshot.Target;
import org.jspecify.annotations.Nullable;

/** Where the exchange reports each upstream attempt's outcome ({@link OutlierDetector}). */
public interface AttemptOutcomes {
  /** Reports nothing: a node without outlier detection, and tests. */
  AttemptOutcomes NONE = (target, set, endpoint, outcome) -> {};

  /**
   * @param set the set the attempt's balancer picked from; null for the default backend
   * @param outcome the upstream's status, or {@link OutlierDetector#GATEWAY_ERROR}
   */
  void report(Target target, @Nullable EndpointSet set, Endpoint endpoint, int outcome);
}
