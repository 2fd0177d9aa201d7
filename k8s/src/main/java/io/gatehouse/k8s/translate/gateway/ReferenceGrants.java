package io.gatehouse.k8s.translate.gateway;

import io.gatehouse.k8s.translate.gateway.GatewayObjects.ReferenceGrant;
import java.util.List;

/** The ReferenceGrants: which cross-namespace references their namespaces allow. */
final class ReferenceGrants {
  private final List<ReferenceGrant> grants;

  ReferenceGrants(List<ReferenceGrant> grants) {
    this.grants = List.copyOf(grants);
  }

  /**
   * Whether a ReferenceGrant in {@code toNamespace} lets objects of {@code fromKind} in {@code
   * fromNamespace} refer to {@code toGroup/toKind} {@code toName}.
   */
  boolean granted(
      String fromKind,
      String fromNamespace,
      String toGroup,
      String toKind,
      String toNamespace,
      String toName) {
    for (ReferenceGrant g : grants) {
      if (!g.meta().namespace().equals(toNamespace)) {
        continue;
      }
      boolean from =
          g.from().stream()
              .anyMatch(
                  f ->
                      f.group().equals(GatewayKind.GROUP)
                          && f.kind().equals(fromKind)
                          && f.namespace().equals(fromNamespace));
      boolean to =
          g.to().stream()
              .anyMatch(
                  t ->
                      t.group().equals(toGroup)
                          && t.kind().equals(toKind)
                          && (t.name() == null || t.name().equals(toName)));
      if (from && to) {
        return true;
      }
    }
    return false;
  }
}
