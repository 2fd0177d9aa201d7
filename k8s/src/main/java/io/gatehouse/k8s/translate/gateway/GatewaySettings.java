package io.gatehouse.k8s.translate.gateway;

import java.util.List;
import java.util.Objects;

/**
 * How this controller serves Gateway API objects.
 *
 * @param controllerName the {@code spec.controllerName} of the GatewayClasses served, {@link
 *     #CONTROLLER} by default
 * @param addresses what a served Gateway reports in {@code status.addresses} (the published
 *     addresses of the node's Service, or the configured ones); empty writes none and leaves the
 *     Gateway not Programmed for want of an address
 * @param httpPort the Gateway listener port served by the node's HTTP listener (a listener on
 *     another port is not accepted: the node has no listener there)
 * @param httpsPort the Gateway listener port served by the node's HTTPS listener
 */
public record GatewaySettings(
    String controllerName, List<String> addresses, int httpPort, int httpsPort) {
  public static final String CONTROLLER = "gatehouse.io/gateway-controller";

  public GatewaySettings {
    Objects.requireNonNull(controllerName, "controllerName");
    addresses = List.copyOf(addresses);
  }

  /** The defaults: our controller name, ports 80 and 443, the given addresses. */
  public static GatewaySettings defaults(List<String> addresses) {
    return new GatewaySettings(CONTROLLER, addresses, 80, 443);
  }
}
