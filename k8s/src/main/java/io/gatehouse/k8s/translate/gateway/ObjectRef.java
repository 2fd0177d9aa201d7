package io.gatehouse.k8s.translate.gateway;

import java.util.Comparator;
import java.util.Objects;

/** A Gateway API object by kind, namespace ("" for GatewayClass) and name. */
public record ObjectRef(GatewayKind kind, String namespace, String name)
    implements Comparable<ObjectRef> {
  private static final Comparator<ObjectRef> ORDER =
      Comparator.comparing(ObjectRef::kind)
          .thenComparing(ObjectRef::namespace)
          .thenComparing(ObjectRef::name);

  public ObjectRef {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
  }

  @Override
  public int compareTo(ObjectRef o) {
    return ORDER.compare(this, o);
  }

  @Override
  public String toString() {
    return kind.kind() + " " + (namespace.isEmpty() ? name : namespace + "/" + name);
  }
}
