package io.gatehouse.model;

import java.util.Comparator;
import java.util.Objects;

/**
 * Identity of a route: which tenant owns it, which source wrote it ({@code file}, {@code api},
 * {@code k8s}) and its name within that source.
 */
public record RouteKey(TenantId tenant, String source, String name)
    implements Comparable<RouteKey> {
  private static final Comparator<RouteKey> ORDER =
      Comparator.comparing(RouteKey::tenant)
          .thenComparing(RouteKey::source)
          .thenComparing(RouteKey::name);

  public RouteKey {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(name, "name");
  }

  public static RouteKey of(String tenant, String source, String name) {
    return new RouteKey(TenantId.of(tenant), source, name);
  }

  @Override
  public int compareTo(RouteKey o) {
    return ORDER.compare(this, o);
  }

  @Override
  public String toString() {
    return tenant + "/" + source + "/" + name;
  }
}
