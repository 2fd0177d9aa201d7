package io.gatehouse.snapshot;

import io.gatehouse.model.RouteSpec;
import java.util.List;

/**
 * A route ready to serve: its spec, a stable id for logs and metrics, its targets, and its
 * client-certificate check (null when it asks for none).
 *
 * <p>The endpoints are not part of the compiled route: each target names a slot of the node's
 * endpoint index, and an endpoint-only change is a new set in that slot that keeps this object, so
 * {@code spec().backend()} may name older endpoints. Everything else in the spec (its TLS and
 * client-certificate settings, the backend's protocol and upstream TLS setting) is current: a
 * change to any of it compiles the route again.
 *
 * @param targets one per backend of the route (one today), never empty
 */
public record CompiledRoute(
    RouteSpec spec, String id, List<Target> targets, ClientCertificateCheck clientCertificates) {
  public CompiledRoute {
    targets = List.copyOf(targets);
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("targets: [] (expected: at least one)");
    }
  }

  /** The first target: the only one while a route has one backend. */
  public Target target() {
    return targets.get(0);
  }
}
