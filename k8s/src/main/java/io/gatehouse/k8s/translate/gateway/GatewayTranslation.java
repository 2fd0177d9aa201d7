package io.gatehouse.k8s.translate.gateway;

import io.gatehouse.model.CertificateSpec;
import io.gatehouse.model.ListenerSpec;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import java.util.List;
import java.util.Map;

/**
 * The Gateway API objects, translated: routes of source {@code k8s} (names start with the route
 * kind and {@code _}, e.g. {@code httproute_web.r0.m0}, which no Ingress route name can), the
 * certificates the listeners name, and the status of every object of ours.
 *
 * @param origins the object each route comes from
 * @param hosts for each host the routes serve (or {@code ""} for host-less ones), its namespace:
 *     what the ownership rule decided
 * @param listeners the sockets of the Gateways that have their own address from the pool (none
 *     without a pool), which the routes attached to them name
 */
public record GatewayTranslation(
    List<RouteSpec> routes,
    List<CertificateSpec> certificates,
    List<ObjectStatus> statuses,
    Map<RouteKey, ObjectRef> origins,
    Map<String, String> hosts,
    List<ListenerSpec> listeners) {
  public static final GatewayTranslation EMPTY =
      new GatewayTranslation(List.of(), List.of(), List.of(), Map.of(), Map.of());

  public GatewayTranslation {
    routes = List.copyOf(routes);
    certificates = List.copyOf(certificates);
    statuses = List.copyOf(statuses);
    origins = Map.copyOf(origins);
    hosts = Map.copyOf(hosts);
    listeners = List.copyOf(listeners);
  }

  /** Without sockets of their own: every Gateway on the node's listeners. */
  public GatewayTranslation(
      List<RouteSpec> routes,
      List<CertificateSpec> certificates,
      List<ObjectStatus> statuses,
      Map<RouteKey, ObjectRef> origins,
      Map<String, String> hosts) {
    this(routes, certificates, statuses, origins, hosts, List.of());
  }
}
