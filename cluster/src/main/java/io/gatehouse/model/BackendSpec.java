package io.gatehouse.model;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Where a route sends its traffic: weighted endpoints spoken to with one protocol. The static kind
 * of {@link BackendRef}: the endpoints travel with the route.
 *
 * @param tls how the endpoints are reached over TLS, or null for plain TCP
 */
public record BackendSpec(
    UpstreamProtocol protocol, List<Endpoint> endpoints, @Nullable UpstreamTls tls)
    implements BackendRef {
  public BackendSpec {
    Objects.requireNonNull(protocol, "protocol");
    endpoints = List.copyOf(endpoints);
  }

  /** A backend reached over plain TCP (the form every source used before {@code tls}). */
  public BackendSpec(UpstreamProtocol protocol, List<Endpoint> endpoints) {
    this(protocol, endpoints, null);
  }

  public static BackendSpec http1(List<Endpoint> endpoints) {
    return new BackendSpec(UpstreamProtocol.HTTP1, endpoints);
  }

  public BackendSpec withTls(@Nullable UpstreamTls newTls) {
    return new BackendSpec(protocol, endpoints, newTls);
  }
}
