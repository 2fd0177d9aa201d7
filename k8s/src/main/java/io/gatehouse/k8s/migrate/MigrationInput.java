package io.gatehouse.k8s.migrate;

import io.gatehouse.k8s.translate.ClusterState;
import io.gatehouse.k8s.translate.IngressRef;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The objects a report is made of, read from files or a cluster.
 *
 * @param source how the report names where they came from
 * @param cluster the Ingresses and IngressClasses, and the Services, Secrets, ConfigMaps and
 *     EndpointSlices the translator asks for
 * @param origins the file each Ingress was read from (empty for a cluster)
 * @param servicesGiven false when the input holds no Service at all: missing Services are then not
 *     reported (the files hold only Ingresses), and the report says so
 * @param secretsGiven false when the input holds no Secret at all: missing TLS Secrets are then not
 *     reported (their hosts would get the default certificate); a missing Secret that an access
 *     annotation needs still leaves its Ingress not served, as the controller would
 * @param controllerConfigMap the ingress-nginx controller ConfigMap, when one was asked for
 * @param notes what the reader met that the report should say (objects left out...)
 */
public record MigrationInput(
    String source,
    ClusterState cluster,
    Map<IngressRef, String> origins,
    boolean servicesGiven,
    boolean secretsGiven,
    @Nullable V1ConfigMap controllerConfigMap,
    List<String> notes) {
  public MigrationInput {
    origins = Map.copyOf(origins);
    notes = List.copyOf(notes);
  }
}
