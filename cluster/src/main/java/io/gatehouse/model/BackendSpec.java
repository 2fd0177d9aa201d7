package io.gatehouse.model;

import io.gatehouse.model.backend.BackendPolicy;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Where a route sends its traffic: weighted endpoints spoken to with one protocol. The static kind
 * of {@link BackendRef}: the endpoints travel with the route.
 *
 * @param tls how the endpoints are reached over TLS, or null for plain TCP
 * @param policy load balancing, health checks, outlier detection and circuit breaking, or null for
 *     {@link BackendPolicy#DEFAULT} (payloads written before backend policies existed)
 * @param proxyProtocol the PROXY protocol header sent first on every connection to the endpoints,
 *     or null for none
 */
public record BackendSpec(
    UpstreamProtocol protocol,
    List<Endpoint> endpoints,
    @Nullable UpstreamTls tls,
    @Nullable BackendPolicy policy,
    @Nullable ProxyProtocolVersion proxyProtocol)
    implements BackendRef {
  public BackendSpec {
    Objects.requireNonNull(protocol, "protocol");
    endpoints = List.copyOf(endpoints);
  }

  /** A backend without a PROXY protocol header (the form every source used before it). */
  public BackendSpec(
      UpstreamProtocol protocol,
      List<Endpoint> endpoints,
      @Nullable UpstreamTls tls,
      @Nullable BackendPolicy policy) {
    this(protocol, endpoints, tls, policy, null);
  }

  /** A backend with the default policy. */
  public BackendSpec(
      UpstreamProtocol protocol, List<Endpoint> endpoints, @Nullable UpstreamTls tls) {
    this(protocol, endpoints, tls, null);
  }

  /** A backend reached over plain TCP (the form every source used before {@code tls}). */
  public BackendSpec(UpstreamProtocol protocol, List<Endpoint> endpoints) {
    this(protocol, endpoints, null);
  }

  public static BackendSpec http1(List<Endpoint> endpoints) {
    return new BackendSpec(UpstreamProtocol.HTTP1, endpoints);
  }

  public BackendSpec withTls(@Nullable UpstreamTls newTls) {
    return new BackendSpec(protocol, endpoints, newTls, policy, proxyProtocol);
  }

  public BackendSpec withPolicy(@Nullable BackendPolicy newPolicy) {
    return new BackendSpec(protocol, endpoints, tls, newPolicy, proxyProtocol);
  }

  public BackendSpec withProxyProtocol(@Nullable ProxyProtocolVersion newProxyProtocol) {
    return new BackendSpec(protocol, endpoints, tls, policy, newProxyProtocol);
  }

  /** The policy in force: {@link #policy()} or the default. */
  public BackendPolicy effectivePolicy() {
    return BackendPolicy.orDefault(policy);
  }
}
