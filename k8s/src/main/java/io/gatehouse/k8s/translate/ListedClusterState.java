package io.gatehouse.k8s.translate;

import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1IngressClass;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link ClusterState} over plain lists: a copy of the informers' caches, or a test's YAML. */
public final class ListedClusterState implements ClusterState {
  static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

  private final List<V1IngressClass> classes;
  private final List<V1Ingress> ingresses;
  private final Map<String, V1Service> services = new HashMap<>();
  private final Map<String, List<V1EndpointSlice>> slices = new HashMap<>();
  private final Map<String, V1Secret> secrets = new HashMap<>();
  private final Map<String, V1ConfigMap> configMaps = new HashMap<>();
  private final Map<String, V1Ingress> ingressByKey = new HashMap<>();

  /** {@code namespace/name} of every Secret asked for, found or not. */
  private final Set<String> secretsAsked = ConcurrentHashMap.newKeySet();

  /** {@code namespace/name} of every ConfigMap asked for, found or not. */
  private final Set<String> configMapsAsked = ConcurrentHashMap.newKeySet();

  public ListedClusterState(
      Collection<V1IngressClass> classes,
      Collection<V1Ingress> ingresses,
      Collection<V1Service> services,
      Collection<V1EndpointSlice> slices,
      Collection<V1Secret> secrets) {
    this(classes, ingresses, services, slices, secrets, List.of());
  }

  public ListedClusterState(
      Collection<V1IngressClass> classes,
      Collection<V1Ingress> ingresses,
      Collection<V1Service> services,
      Collection<V1EndpointSlice> slices,
      Collection<V1Secret> secrets,
      Collection<V1ConfigMap> configMaps) {
    this.classes = List.copyOf(classes);
    this.ingresses = List.copyOf(ingresses);
    for (V1Ingress i : ingresses) {
      ingressByKey.put(key(i.getMetadata()), i);
    }
    for (V1Service s : services) {
      this.services.put(key(s.getMetadata()), s);
    }
    for (V1EndpointSlice s : slices) {
      V1ObjectMeta m = s.getMetadata();
      String svc = m.getLabels() == null ? null : m.getLabels().get(SERVICE_NAME_LABEL);
      if (svc != null) {
        this.slices.computeIfAbsent(m.getNamespace() + "/" + svc, k -> new ArrayList<>()).add(s);
      }
    }
    for (V1Secret s : secrets) {
      this.secrets.put(key(s.getMetadata()), s);
    }
    for (V1ConfigMap c : configMaps) {
      this.configMaps.put(key(c.getMetadata()), c);
    }
  }

  private static String key(V1ObjectMeta m) {
    return m.getNamespace() + "/" + m.getName();
  }

  @Override
  public List<V1IngressClass> ingressClasses() {
    return classes;
  }

  @Override
  public List<V1Ingress> ingresses() {
    return ingresses;
  }

  /** The Ingress of that namespace and name, for the writers of events and status. */
  public Optional<V1Ingress> ingress(IngressRef ref) {
    return Optional.ofNullable(ingressByKey.get(ref.namespace() + "/" + ref.name()));
  }

  @Override
  public Optional<V1Service> service(String namespace, String name) {
    return Optional.ofNullable(services.get(namespace + "/" + name));
  }

  @Override
  public List<V1EndpointSlice> endpointSlices(String namespace, String service) {
    return slices.getOrDefault(namespace + "/" + service, List.of());
  }

  @Override
  public Optional<V1Secret> secret(String namespace, String name) {
    String key = namespace + "/" + name;
    secretsAsked.add(key);
    return Optional.ofNullable(secrets.get(key));
  }

  /**
   * {@code namespace/name} of every Secret a translation of this state asked for, found or not:
   * only a change to one of them (or its creation) can change that translation.
   */
  public Set<String> secretsAsked() {
    return Set.copyOf(secretsAsked);
  }

  @Override
  public Optional<V1ConfigMap> configMap(String namespace, String name) {
    String key = namespace + "/" + name;
    configMapsAsked.add(key);
    return Optional.ofNullable(configMaps.get(key));
  }

  /**
   * {@code namespace/name} of every ConfigMap a translation of this state asked for, found or not:
   * the ConfigMaps whose change must rebuild.
   */
  public Set<String> configMapsAsked() {
    return Set.copyOf(configMapsAsked);
  }
}
