package io.gatehouse.k8s.translate.gateway;

import io.kubernetes.client.openapi.models.V1Namespace;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the Gateway translator sees of the Gateway API objects, beside {@link
 * io.gatehouse.k8s.translate.ClusterState} (Services, slices, Secrets). Objects are plain maps as
 * the API server returned them (JSON objects: {@code Map}, {@code List}, {@code String}, {@code
 * Number}, {@code Boolean}), read, never changed.
 */
public interface GatewayState {
  /** Every object of {@code kind} the controller watches; empty when its CRD is not installed. */
  List<Map<String, Object>> objects(GatewayKind kind);

  /** A namespace, for {@code allowedRoutes.namespaces.selector}; empty when unknown. */
  Optional<V1Namespace> namespace(String name);

  /** Whether the CRD of {@code kind} is installed (a kind without CRD is not served). */
  boolean installed(GatewayKind kind);

  GatewayState NONE =
      new GatewayState() {
        @Override
        public List<Map<String, Object>> objects(GatewayKind kind) {
          return List.of();
        }

        @Override
        public Optional<V1Namespace> namespace(String name) {
          return Optional.empty();
        }

        @Override
        public boolean installed(GatewayKind kind) {
          return false;
        }
      };
}
