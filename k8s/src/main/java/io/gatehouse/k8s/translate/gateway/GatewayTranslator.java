package io.gatehouse.k8s.translate.gateway;

import io.gatehouse.k8s.translate.ClusterState;
import io.gatehouse.k8s.translate.HostClaimant;
import io.gatehouse.model.HostClaim;
import io.gatehouse.model.RouteSpec;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Translates the Gateway API objects of our GatewayClasses into routes, certificates and statuses.
 * Pure: the same state gives the same translation, and no object makes it throw (what is wrong is a
 * status condition). The rules are in docs/gateway-api.md, "Translation rules"; {@link GatewayRun}
 * holds one translation.
 */
public final class GatewayTranslator {
  private final GatewaySettings settings;
  private final Clock clock;

  public GatewayTranslator(GatewaySettings settings) {
    this(settings, Clock.systemUTC());
  }

  /**
   * @param clock when certificates are checked for expiry
   */
  public GatewayTranslator(GatewaySettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
  }

  /**
   * @param cluster Services, EndpointSlices and Secrets (the Ingress translator's view)
   * @param gateways the Gateway API objects and namespaces
   * @param claims the admin API's host claims by host: a claimed host is its tenant's
   * @param ingressHosts the hosts the Ingress translation serves, each with its namespace ({@link
   *     #hostsOf}): an Ingress keeps a host it serves when it is older than every route attached to
   *     it (the ownership rule, docs/gateway-api.md)
   */
  public GatewayTranslation translate(
      ClusterState cluster,
      GatewayState gateways,
      Map<String, HostClaim> claims,
      Map<String, String> ingressHosts) {
    return new GatewayRun(settings, clock, cluster, gateways, claims).translate(ingressHosts);
  }

  /**
   * The hosts the routes attached to our listeners claim, each with its route's age and the
   * namespaces of its listener's group: what the Ingress translator weighs its Ingresses against.
   */
  public List<HostClaimant> claimants(
      ClusterState cluster, GatewayState gateways, Map<String, HostClaim> claims) {
    return new GatewayRun(settings, clock, cluster, gateways, claims).claimants();
  }

  /** Host (or {@code ""} for a route without hosts) to tenant, of the given routes. */
  public static Map<String, String> hostsOf(List<RouteSpec> routes) {
    Map<String, String> hosts = new TreeMap<>();
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
