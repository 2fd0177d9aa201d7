package io.gatehouse.model;

import java.util.Objects;

/**
 * A socket the Kubernetes source asks every node to listen on: one per Gateway and port. Routes
 * attached to it name its {@link #key} ({@link RouteSpec#listener}) and are served on it alone.
 *
 * @param address an IPv4 or IPv6 literal (never a name): the Gateway's address from the node's pool
 *     ({@code kubernetes.gatewayAddresses})
 * @param port 1-65535, one of the node's {@code kubernetes.gatewayPorts}
 */
public record ListenerSpec(ListenerKey key, String address, int port, ListenerProtocol protocol) {
  public ListenerSpec {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(protocol, "protocol");
  }
}
