package io.gatehouse.k8s.translate.gateway;

import io.gatehouse.k8s.translate.ClusterState;
import io.gatehouse.k8s.translate.HostClaimant;
import io.gatehouse.k8s.translate.IngressRef;
import io.gatehouse.k8s.translate.Translation;
import io.gatehouse.model.HostClaim;
import io.gatehouse.model.RouteSpec;
import io.kubernetes.client.openapi.models.V1Ingress;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

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
    GatewayRun run = run(cluster, gateways, claims);
    return run.translate(run.servedIngresses(ingressHosts));
  }

  /**
   * As {@link #translate(ClusterState, GatewayState, Map, Map)}, with the Ingresses that the
   * Ingress translation serves each host for, exactly ({@link Translations#of} calls this one).
   */
  public GatewayTranslation translate(
      ClusterState cluster,
      GatewayState gateways,
      Map<String, HostClaim> claims,
      Translation ingress) {
    return translate(run(cluster, gateways, claims), cluster, ingress);
  }

  /** The translation of a run whose claimants the Ingress translation has weighed. */
  GatewayTranslation translate(GatewayRun run, ClusterState cluster, Translation ingress) {
    Map<IngressRef, V1Ingress> byRef = new HashMap<>();
    for (V1Ingress i : cluster.ingresses()) {
      if (i.getMetadata() != null) {
        byRef.put(
            new IngressRef(
                Objects.requireNonNullElse(i.getMetadata().getNamespace(), ""),
                Objects.requireNonNullElse(i.getMetadata().getName(), "")),
            i);
      }
    }
    Map<String, GatewayRun.ServedIngress> served = new HashMap<>();
    for (RouteSpec r : ingress.routes()) {
      IngressRef ref = ingress.origins().get(r.key());
      V1Ingress i = ref == null ? null : byRef.get(ref);
      if (ref == null || i == null) {
        continue;
      }
      GatewayRun.ServedIngress s =
          new GatewayRun.ServedIngress(
              ref.namespace(), ref.name(), i.getMetadata().getCreationTimestamp());
      for (String h : r.hosts().isEmpty() ? List.of("") : r.hosts()) {
        served.merge(h, s, (a, b) -> older(a, b) ? a : b);
      }
    }
    return run.translate(served);
  }

  private static boolean older(GatewayRun.ServedIngress a, GatewayRun.ServedIngress b) {
    int c = NULLS_LAST.compare(a.created(), b.created());
    if (c != 0) {
      return c < 0;
    }
    c = a.namespace().compareTo(b.namespace());
    return c != 0 ? c < 0 : a.name().compareTo(b.name()) <= 0;
  }

  private static final Comparator<@Nullable OffsetDateTime> NULLS_LAST =
      Comparator.nullsLast(Comparator.<OffsetDateTime>naturalOrder());

  /** One read of the objects: the claimants and the translation of {@link Translations#of}. */
  GatewayRun run(ClusterState cluster, GatewayState gateways, Map<String, HostClaim> claims) {
    return new GatewayRun(settings, clock, cluster, gateways, claims);
  }

  /**
   * The hosts the routes attached to our listeners claim, each with its route's age and the
   * namespaces of its listener's group: what the Ingress translator weighs its Ingresses against.
   */
  public List<HostClaimant> claimants(
      ClusterState cluster, GatewayState gateways, Map<String, HostClaim> claims) {
    return run(cluster, gateways, claims).claimants();
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
