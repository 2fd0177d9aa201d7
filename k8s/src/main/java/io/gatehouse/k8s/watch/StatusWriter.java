package io.gatehouse.k8s.watch;

import io.gatehouse.k8s.translate.IngressRef;
import io.gatehouse.k8s.translate.ListedClusterState;
import io.gatehouse.k8s.translate.Translation;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.NetworkingV1Api;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1IngressLoadBalancerIngress;
import io.kubernetes.client.openapi.models.V1IngressLoadBalancerStatus;
import io.kubernetes.client.openapi.models.V1IngressStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes {@code status.loadBalancer.ingress} through the status subresource: the addresses (fixed,
 * or read at each rebuild from the controller's own Service, see {@link PublishedService}) on every
 * Ingress this controller owns, nothing on one it stopped owning (only when what is there is
 * exactly ours, so another controller's status is never touched). Only the leader writes; an
 * Ingress already right is skipped, so a rebuild with nothing new writes nothing. Without any
 * source of addresses it writes nothing, and says so once at start.
 */
public final class StatusWriter implements TranslationSink {
  private static final Logger LOG = LoggerFactory.getLogger(StatusWriter.class);
  private static final Pattern IP = Pattern.compile("[0-9.]+|[0-9a-fA-F:]*:[0-9a-fA-F:.]*");

  private final NetworkingV1Api networking;
  private final BooleanSupplier leader;
  private final @Nullable Supplier<List<String>> source; // null: no address configured

  /**
   * @param addresses IP addresses or DNS names, as published in status (e.g. a node's IP)
   */
  public StatusWriter(ApiClient client, BooleanSupplier leader, List<String> addresses) {
    this(client, leader, addresses.isEmpty() ? null : fixed(List.copyOf(addresses)));
  }

  /**
   * @param addresses read at every rebuild (e.g. {@link PublishedService#addresses}); null when no
   *     address is configured at all: nothing is written
   */
  public StatusWriter(
      ApiClient client, BooleanSupplier leader, @Nullable Supplier<List<String>> addresses) {
    this.networking = new NetworkingV1Api(client);
    this.leader = leader;
    this.source = addresses;
    if (addresses == null) {
      LOG.atWarn()
          .setMessage(
              "no Ingress status is written (kubectl get ingress shows no ADDRESS): set"
                  + " kubernetes.publishService to the controller's own Service, or"
                  + " kubernetes.publishAddresses")
          .log();
    }
  }

  private static Supplier<List<String>> fixed(List<String> addresses) {
    return () -> addresses;
  }

  private static List<V1IngressLoadBalancerIngress> status(List<String> addresses) {
    List<V1IngressLoadBalancerIngress> out = new ArrayList<>();
    for (String a : addresses) {
      out.add(
          IP.matcher(a).matches()
              ? new V1IngressLoadBalancerIngress().ip(a)
              : new V1IngressLoadBalancerIngress().hostname(a));
    }
    return List.copyOf(out);
  }

  @Override
  public boolean wanted() {
    return source != null && leader.getAsBoolean();
  }

  @Override
  public void publish(Translation t, ListedClusterState state) throws ApiException {
    if (source == null || !leader.getAsBoolean()) {
      return;
    }
    List<V1IngressLoadBalancerIngress> addresses = status(source.get());
    if (addresses.isEmpty()) {
      // not known yet (a load balancer being provisioned, a cache not synced): keep what is there
      // rather than clear every Ingress and write it again a moment later
      return;
    }
    ApiException first = null;
    for (V1Ingress ingress : state.ingresses()) {
      IngressRef ref =
          new IngressRef(ingress.getMetadata().getNamespace(), ingress.getMetadata().getName());
      List<V1IngressLoadBalancerIngress> current = current(ingress);
      List<V1IngressLoadBalancerIngress> wanted;
      if (t.owned().contains(ref)) {
        wanted = addresses;
      } else if (!current.isEmpty() && current.equals(addresses)) {
        wanted = List.of();
      } else {
        continue;
      }
      if (Objects.equals(current, wanted)) {
        continue;
      }
      try {
        write(ingress, wanted);
      } catch (ApiException e) {
        // 409: the cache is behind; the update event brings a rebuild that tries again
        if (first == null && e.getCode() != 409) {
          first = e;
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private static List<V1IngressLoadBalancerIngress> current(V1Ingress i) {
    if (i.getStatus() == null
        || i.getStatus().getLoadBalancer() == null
        || i.getStatus().getLoadBalancer().getIngress() == null) {
      return List.of();
    }
    return i.getStatus().getLoadBalancer().getIngress();
  }

  private void write(V1Ingress cached, List<V1IngressLoadBalancerIngress> wanted)
      throws ApiException {
    // a copy: the informer's cached object is shared and must not change
    V1Ingress copy =
        new V1Ingress()
            .apiVersion("networking.k8s.io/v1")
            .kind("Ingress")
            .metadata(cached.getMetadata())
            .spec(cached.getSpec())
            .status(
                new V1IngressStatus()
                    .loadBalancer(new V1IngressLoadBalancerStatus().ingress(List.copyOf(wanted))));
    networking
        .replaceNamespacedIngressStatus(
            cached.getMetadata().getName(), cached.getMetadata().getNamespace(), copy)
        .execute();
  }
}
