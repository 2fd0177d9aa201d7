package io.gatehouse.snapshot;

import io.gatehouse.endpoint.EndpointsKey;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.ProxyProtocolVersion;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.UpstreamTls;
import io.gatehouse.model.backend.BackendPolicy;
import io.gatehouse.policy.PolicyChain;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Where a compiled route sends its requests: how (protocol, upstream TLS), which changes only by a
 * compile, and where, the slot of its endpoints in the node's {@code EndpointIndex}, which changes
 * without one. The event loop reads the slot; the key is for explain and for a reader that must be
 * sure a slot still holds its key's set.
 *
 * @param tls the upstream TLS setting, or null for plain TCP
 * @param weight the target's share of the route's requests
 * @param policy how the endpoints are balanced, checked and limited (the backend's, or the default)
 * @param status 0 for a target with endpoints; else the status Gatehouse answers every request sent
 *     to it, with no upstream attempt (an unresolved backend: its slot holds no endpoints)
 * @param proxyProtocol the PROXY protocol header each connection to the endpoints starts with, or
 *     null for none
 * @param filters the backend's own filters (Gateway API filters on a backendRef), run after the
 *     route's on the requests sent to this target only; {@link PolicyChain#NONE} for none
 */
public record Target(
    EndpointsKey key,
    int slot,
    UpstreamProtocol protocol,
    @Nullable UpstreamTls tls,
    int weight,
    BackendPolicy policy,
    int status,
    @Nullable ProxyProtocolVersion proxyProtocol,
    PolicyChain filters) {
  public Target {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(filters, "filters");
  }

  /** A target without filters of its own. */
  public Target(
      EndpointsKey key,
      int slot,
      UpstreamProtocol protocol,
      @Nullable UpstreamTls tls,
      int weight,
      BackendPolicy policy,
      int status,
      @Nullable ProxyProtocolVersion proxyProtocol) {
    this(key, slot, protocol, tls, weight, policy, status, proxyProtocol, PolicyChain.NONE);
  }

  /** This target with {@code chain} as its own filters. */
  public Target withFilters(PolicyChain chain) {
    return new Target(key, slot, protocol, tls, weight, policy, status, proxyProtocol, chain);
  }

  /** A target without a PROXY protocol header. */
  public Target(
      EndpointsKey key,
      int slot,
      UpstreamProtocol protocol,
      @Nullable UpstreamTls tls,
      int weight,
      BackendPolicy policy,
      int status) {
    this(key, slot, protocol, tls, weight, policy, status, null);
  }

  /** A target with endpoints, spoken to as {@code backend} says. */
  public static Target of(EndpointsKey key, int slot, BackendSpec backend, int weight) {
    return new Target(
        key,
        slot,
        backend.protocol(),
        backend.tls(),
        weight,
        backend.effectivePolicy(),
        0,
        backend.proxyProtocol());
  }

  /** A target with endpoints. */
  public Target(
      EndpointsKey key,
      int slot,
      UpstreamProtocol protocol,
      @Nullable UpstreamTls tls,
      int weight,
      BackendPolicy policy) {
    this(key, slot, protocol, tls, weight, policy, 0);
  }

  /** Whether Gatehouse answers this target's requests itself ({@link #status}). */
  public boolean fixed() {
    return status != 0;
  }

  /** A target with the default backend policy. */
  public Target(
      EndpointsKey key,
      int slot,
      UpstreamProtocol protocol,
      @Nullable UpstreamTls tls,
      int weight) {
    this(key, slot, protocol, tls, weight, BackendPolicy.DEFAULT);
  }
}
