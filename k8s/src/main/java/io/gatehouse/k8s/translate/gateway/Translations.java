package io.gatehouse.k8s.translate.gateway;

import io.gatehouse.k8s.translate.ClusterState;
import io.gatehouse.k8s.translate.IngressTranslator;
import io.gatehouse.k8s.translate.Translation;
import io.gatehouse.model.HostClaim;
import java.util.Map;

/**
 * Ingresses and Gateway API objects translated together, under one host ownership rule
 * (docs/gateway-api.md): the watcher's one entry point.
 *
 * @param ingress the Ingresses' routes, certificates and problems
 * @param gateway the Gateway API objects' routes, certificates and statuses
 */
public record Translations(Translation ingress, GatewayTranslation gateway) {
  /** Translates both; the same state gives the same result. */
  public static Translations of(
      IngressTranslator ingresses,
      GatewayTranslator gateways,
      ClusterState cluster,
      GatewayState gatewayState,
      Map<String, HostClaim> claims) {
    // the routes attached to our listeners are claimants beside the Ingresses: one rule decides
    GatewayRun run = gateways.run(cluster, gatewayState, claims);
    Translation ingress = ingresses.translate(cluster, claims, run.claimants());
    GatewayTranslation gateway = gateways.translate(run, cluster, ingress);
    return new Translations(ingress, gateway);
  }
}
