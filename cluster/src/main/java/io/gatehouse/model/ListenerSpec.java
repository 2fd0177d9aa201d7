package io.gatehouse.model;

import java.util.List;
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
 * @param clientValidation HTTPS only: the client certificates every handshake of the socket checks;
 *     null asks for none (routes may still ask per SNI name)
 * @param hostnames HTTPS only: the hostnames of the Gateway listeners that share the socket ({@code
 *     ""} for one without, {@code *.example.com} for a wildcard), listed when there are two or
 *     more: a request whose Host belongs to another of them than its connection's SNI name is
 *     answered 421; empty when every request belongs to the one listener
 */
public record ListenerSpec(
    ListenerKey key,
    String address,
    int port,
    ListenerProtocol protocol,
    @Nullable CertificateKey defaultCertificate,
    @Nullable FrontendValidation clientValidation,
    List<String> hostnames) {
  public ListenerSpec {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(protocol, "protocol");
    // null from a payload written before the field
    hostnames = hostnames == null ? List.of() : List.copyOf(hostnames);
  }

  /** A listener without client certificates or listener hostnames. */
  public ListenerSpec(
      ListenerKey key,
      String address,
      int port,
      ListenerProtocol protocol,
      @Nullable CertificateKey defaultCertificate) {
    this(key, address, port, protocol, defaultCertificate, null, List.of());
  }

  /** A listener that falls back to the node's default certificate (and any HTTP listener). */
  public ListenerSpec(ListenerKey key, String address, int port, ListenerProtocol protocol) {
    this(key, address, port, protocol, null);
  }

  /**
   * Whether the router binds {@code other} as this: equal but for the hostnames (read per request).
   */
  public boolean sameSocket(@Nullable ListenerSpec other) {
    return other != null
        && key.equals(other.key)
        && address.equals(other.address)
        && port == other.port
        && protocol == other.protocol
        && Objects.equals(defaultCertificate, other.defaultCertificate)
        && Objects.equals(clientValidation, other.clientValidation);
  }
}
