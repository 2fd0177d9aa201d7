package io.gatehouse.k8s.translate.gateway;

import io.kubernetes.client.openapi.models.V1Namespace;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A {@link GatewayState} over plain lists: a copy of the informers' caches, or a test's YAML. */
public final class ListedGatewayState implements GatewayState {
  private final Map<GatewayKind, List<Map<String, Object>>> objects =
      new EnumMap<>(GatewayKind.class);
  private final Map<String, V1Namespace> namespaces = new HashMap<>();
  private final Set<GatewayKind> installed;

  /**
   * @param objects each kind's objects; a kind absent from the map has no CRD installed
   */
  public ListedGatewayState(
      Map<GatewayKind, ? extends Collection<Map<String, Object>>> objects,
      Collection<V1Namespace> namespaces) {
    objects.forEach((k, v) -> this.objects.put(k, List.copyOf(v)));
    for (V1Namespace n : namespaces) {
      this.namespaces.put(n.getMetadata().getName(), n);
    }
    this.installed = Set.copyOf(this.objects.keySet());
  }

  @Override
  public List<Map<String, Object>> objects(GatewayKind kind) {
    return objects.getOrDefault(kind, List.of());
  }

  @Override
  public Optional<V1Namespace> namespace(String name) {
    return Optional.ofNullable(namespaces.get(name));
  }

  @Override
  public boolean installed(GatewayKind kind) {
    return installed.contains(kind);
  }
}
