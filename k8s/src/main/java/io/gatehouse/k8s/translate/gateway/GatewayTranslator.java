package io.gatehouse.k8s.translate.gateway;

import io.gatehouse.k8s.translate.ClusterState;
import io.gatehouse.model.HostClaim;
import io.gatehouse.model.RouteSpec;
import java.util.List;
import java.util.Map;

/**
 * Translates the Gateway API objects of our GatewayClasses into routes, certificates and statuses.
 * Pure: the same state gives the same translation.
 */
public final class GatewayTranslator {
  private final GatewaySettings settings;

  public GatewayTranslator(GatewaySettings settings) {
    this.settings = settings;
  }

  /**
   * @param cluster Services, EndpointSlices and Secrets (the Ingress translator's view)
   * @param gateways the Gateway API objects and namespaces
   * @param claims the admin API's host claims by host: a claimed host is its tenant's
   * @param ingressHosts the hosts the Ingress translation serves, each with its namespace ({@link
   *     #hostsOf}): an Ingress keeps a host it serves (the ownership rule, docs/gateway-api.md)
   */
  public GatewayTranslation translate(
      ClusterState cluster,
      GatewayState gateways,
      Map<String, HostClaim> claims,
      Map<String, String> ingressHosts) {
    // TODO(#17 translate): the translation.
    return GatewayTranslation.EMPTY;
  }

  /** Host (or {@code ""} for a route without hosts) to tenant, of the given routes. */
  public static Map<String, String> hostsOf(List<RouteSpec> routes) {
    Map<String, String> hosts = new java.util.TreeMap<>();
    for (RouteSpec r : routes) {
      if (r.hosts().isEmpty()) {
        hosts.putIfAbsent("", r.key().tenant().value());
      }
      for (String h : r.hosts()) {
        hosts.putIfAbsent(h, r.key().tenant().value());
      }
    }
    return hosts;
  }

  public GatewaySettings settings() {
    return settings;
  }
}
