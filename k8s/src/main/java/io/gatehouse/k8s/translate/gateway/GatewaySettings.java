package io.gatehouse.k8s.translate.gateway;

import java.util.List;
import java.util.Objects;

/**
 * How this controller serves Gateway API objects.
 *
 * @param controllerName the {@code spec.controllerName} of the GatewayClasses served, {@link
 *     #CONTROLLER} by default
 * @param addresses what a served Gateway reports in {@code status.addresses} without a pool (the
 *     published addresses of the node's Service, or the configured ones); empty writes none and
 *     leaves the Gateway not Programmed for want of an address
 * @param httpPort without a pool, the Gateway listener port served by the node's HTTP listener (a
 *     listener on another port is not accepted: the node has no listener there)
 * @param httpsPort without a pool, the Gateway listener port served by the node's HTTPS listener
 * @param pool the addresses Gateways are given, each its own ({@code kubernetes.gatewayAddresses});
 *     {@link GatewayAddressPool#NONE}: every Gateway on the node's own listeners (phase 1)
 * @param ports with a pool, the ports a Gateway listener may use ({@code kubernetes.gatewayPorts})
 */
public record GatewaySettings(
    String controllerName,
    List<String> addresses,
    int httpPort,
    int httpsPort,
    GatewayAddressPool pool,
    List<Integer> ports) {
  public static final String CONTROLLER = "gatehouse.io/gateway-controller";

  /** {@code kubernetes.gatewayPorts} by default. */
  public static final List<Integer> DEFAULT_PORTS = List.of(80, 443, 8080, 8443);

  public GatewaySettings {
    Objects.requireNonNull(controllerName, "controllerName");
    Objects.requireNonNull(pool, "pool");
    addresses = List.copyOf(addresses);
    ports = List.copyOf(ports);
  }

  /** Without a pool (phase 1). */
  public GatewaySettings(
      String controllerName, List<String> addresses, int httpPort, int httpsPort) {
    this(controllerName, addresses, httpPort, httpsPort, GatewayAddressPool.NONE, DEFAULT_PORTS);
  }

  /** The defaults: our controller name, ports 80 and 443, the given addresses. */
  public static GatewaySettings defaults(List<String> addresses) {
    return new GatewaySettings(CONTROLLER, addresses, 80, 443);
  }

  /**
   * These settings with a pool and its allowed ports.
   *
   * @param pool CIDRs and addresses ({@link GatewayAddressPool#parse}); empty for none
   * @throws IllegalArgumentException naming an entry that is not an address or CIDR
   */
  public GatewaySettings withPool(List<String> pool, List<Integer> ports) {
    return new GatewaySettings(
        controllerName, addresses, httpPort, httpsPort, GatewayAddressPool.parse(pool), ports);
  }

  /** These settings with other published addresses. */
  public GatewaySettings withAddresses(List<String> published) {
    return new GatewaySettings(controllerName, published, httpPort, httpsPort, pool, ports);
  }

  /** Whether each Gateway gets its own address (and a listener per port) from the pool. */
  public boolean pooled() {
    return !pool.isEmpty();
  }
}
