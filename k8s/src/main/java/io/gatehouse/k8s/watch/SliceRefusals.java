package io.gatehouse.k8s.watch;

import io.gatehouse.k8s.translate.ServiceEndpoints;
import io.gatehouse.k8s.translate.Translation;
import io.gatehouse.k8s.watch.KubernetesEndpointFeed.ServiceRef;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Service;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Decides whether an EndpointSlice event needs a new translation. Routes refer to Service ports and
 * each node's {@link KubernetesEndpointFeed} follows their endpoints, so the only part of a
 * translation that slices decide is its {@code UpstreamRefused} warnings for refused slice
 * addresses ({@link Translation#sliceRefusals}). A slice event is checked against what the last
 * translation read, for every Service port it read, with the translator's own rules: whatever
 * Ingress reads it, served or refused, and with no dependence on which keys this node's compiler
 * retained. The cost is O(slices of that Service), not O(Ingresses).
 *
 * <p>Confined to the watcher's thread.
 */
final class SliceRefusals {
  private final ServiceEndpoints rules;
  private final KubernetesEndpointFeed.Source caches;
  private Map<ServiceRef, Map<Translation.SlicePort, Map<String, String>>> read = Map.of();

  /**
   * @param rules the translator's endpoint rules (same policies), so both refuse alike
   * @param caches the informer caches the translation was listed from
   */
  SliceRefusals(ServiceEndpoints rules, KubernetesEndpointFeed.Source caches) {
    this.rules = Objects.requireNonNull(rules, "rules");
    this.caches = Objects.requireNonNull(caches, "caches");
  }

  /** Remembers what {@code t} read from slices. */
  void translated(Translation t) {
    Map<ServiceRef, Map<Translation.SlicePort, Map<String, String>>> byService = new HashMap<>();
    t.sliceRefusals()
        .forEach(
            (port, refused) ->
                byService
                    .computeIfAbsent(
                        new ServiceRef(port.namespace(), port.service()), s -> new HashMap<>())
                    .put(port, refused));
    read = byService;
  }

  /** No translation to keep up to date (a replica that does not lead). */
  void forget() {
    read = Map.of();
  }

  /**
   * Whether a slice event of Service {@code namespace/service} may change the last translation: the
   * refused addresses of a port it read differ now.
   */
  boolean changes(String namespace, String service) {
    Map<Translation.SlicePort, Map<String, String>> ports =
        read.get(new ServiceRef(namespace, service));
    if (ports == null) {
      return false; // the translation read no slice of it
    }
    V1Service svc = caches.service(namespace, service);
    if (svc == null || svc.getSpec() == null) {
      return true; // gone since: its own event asks too
    }
    List<V1EndpointSlice> slices = caches.slices(namespace, service);
    for (Map.Entry<Translation.SlicePort, Map<String, String>> e : ports.entrySet()) {
      Translation.SlicePort p = e.getKey();
      ServiceEndpoints.Result now = rules.compute(svc, p.number(), p.portName(), slices);
      if (!(now instanceof ServiceEndpoints.Endpoints found)
          || !found.refused().equals(e.getValue())) {
        return true;
      }
    }
    return false;
  }
}
