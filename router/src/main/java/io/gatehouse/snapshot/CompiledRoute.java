package io.gatehouse.snapshot;

import io.gatehouse.model.RouteSpec;
import io.gatehouse.policy.ClientCertificateCheck;
import io.gatehouse.policy.PolicyChain;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A route ready to serve: its spec, a stable id for logs and metrics, its targets, its
 * client-certificate check (null when it asks for none; the SNI hosts and explain read it), its
 * split (null when it has one target at a weight above 0, the fast path: no pick) and its policies
 * (the compiled filters the proxy runs, {@link PolicyChain#NONE} for none).
 *
 * <p>The endpoints are not part of the compiled route: each target names a slot of the node's
 * endpoint index, and an endpoint-only change is a new set in that slot that keeps this object, so
 * the spec's backends may name older endpoints. Everything else in the spec (its TLS and
 * client-certificate settings, the backends' protocols, upstream TLS settings and weights) is
 * current: a change to any of it compiles the route again.
 *
 * @param targets one per backend of the route, in the spec's order, never empty
 * @param split how requests are spread over the targets; null for one target at a weight above 0
 * @param policies the route's filters ({@link PolicyChain#NONE} for none), run by the proxy
 * @param mirrors the route's {@code RequestMirror} policies in list order, which its chain's mirror
 *     filters name by position; empty for none
 * @param errorTargets where the route's error pages are fetched from: one per error pages policy
 *     with a backend, in policy order (its {@code ErrorPageSet} numbers them so), empty for none
 */
public record CompiledRoute(
    RouteSpec spec,
    String id,
    List<Target> targets,
    @Nullable ClientCertificateCheck clientCertificates,
    @Nullable Split split,
    PolicyChain policies,
    List<Mirror> mirrors,
    List<Target> errorTargets) {

  /** A route without mirrors or error backends. */
  public CompiledRoute(
      RouteSpec spec,
      String id,
      List<Target> targets,
      @Nullable ClientCertificateCheck clientCertificates,
      @Nullable Split split,
      PolicyChain policies) {
    this(spec, id, targets, clientCertificates, split, policies, List.of(), List.of());
  }

  public CompiledRoute {
    Objects.requireNonNull(policies, "policies");
    mirrors = mirrors == null ? List.of() : List.copyOf(mirrors);
    errorTargets = errorTargets == null ? List.of() : List.copyOf(errorTargets);
    targets = List.copyOf(targets);
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("targets: [] (expected: at least one)");
    }
    if (split == null ? targets.size() != 1 : split.size() != targets.size()) {
      throw new IllegalArgumentException(
          "split: " + split + " (expected: one weight per target, none for one target)");
    }
  }

  /**
   * Every slot this route holds: its targets, then its mirrors', then its error backends' ({@link
   * #errorTargets}, one per error pages policy with a backend, in policy order): what the compiler
   * retains and releases, and whose upstream TLS settings the loops keep clients for.
   */
  public List<Target> allTargets() {
    if (mirrors.isEmpty() && errorTargets.isEmpty()) {
      return targets;
    }
    List<Target> all = new ArrayList<>(targets.size() + mirrors.size() + errorTargets.size());
    all.addAll(targets);
    for (Mirror m : mirrors) {
      all.add(m.target());
    }
    all.addAll(errorTargets);
    return all;
  }

  /** The first target: the only one of a route without a split. */
  public Target target() {
    return targets.get(0);
  }
}
