package io.gatehouse.k8s.translate;

import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1IngressClass;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import java.util.List;
import java.util.Optional;

/**
 * What the translator may see of the cluster: the narrow interface between the informers (or a
 * test's YAML) and {@link IngressTranslator}. Objects are read, never changed.
 */
public interface ClusterState {
  List<V1IngressClass> ingressClasses();

  /** Every Ingress the controller watches, in any order. */
  List<V1Ingress> ingresses();

  Optional<V1Service> service(String namespace, String name);

  /** The slices labelled {@code kubernetes.io/service-name=<service>} in {@code namespace}. */
  List<V1EndpointSlice> endpointSlices(String namespace, String service);

  Optional<V1Secret> secret(String namespace, String name);

  /**
   * A ConfigMap an annotation names ({@code custom-headers}) or the controller's ingress-nginx
   * ConfigMap; empty when absent (or not watched).
   */
  default Optional<V1ConfigMap> configMap(String namespace, String name) {
    return Optional.empty();
  }
}
