package io.gatehouse.model;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A socket the Kubernetes source asks every node to listen on: one per Gateway and port. Routes
 * attached to it name its {@link #key} ({@link RouteSpec#listener}) and are served on it alone.
 *
 * @param address an IPv4 or IPv6 literal (never a name): the Gateway's address from the node's pool
 *     ({@code kubernetes.gatewayAddresses})
 * @param port 1-65535, one of the node's {@code kubernetes.gatewayPorts}
 * @param defaultCertificate HTTPS only: the certificate a handshake gets when no certificate in the
 *     table covers its SNI name (or it sent none), instead of the node's default; a
 *     Kubernetes-owned table certificate ({@link CertificateKey#kubernetesOwned}) of the listener's
 *     tenant; null for the node's default
 */
public record ListenerSpec(
    ListenerKey key,
    String address,
    int port,
    ListenerProtocol protocol,
    @Nullable CertificateKey defaultCertificate) {
  public ListenerSpec {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(protocol, "protocol");
  }

  /** A listener that falls back to the node's default certificate (and any HTTP listener). */
  public ListenerSpec(ListenerKey key, String address, int port, ListenerProtocol protocol) {
    this(key, address, port, protocol, null);
  }
}
