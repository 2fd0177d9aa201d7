package io.gatehouse.k8s.translate;

import java.util.Comparator;
import java.util.Objects;

/** An Ingress by namespace and name: where its events and status go. */
public record IngressRef(String namespace, String name) implements Comparable<IngressRef> {
  private static final Comparator<IngressRef> ORDER =
      Comparator.comparing(IngressRef::namespace).thenComparing(IngressRef::name);

  public IngressRef {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
  }

  @Override
  public int compareTo(IngressRef o) {
    return ORDER.compare(this, o);
  }

  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
