package io.gatehouse.model;

import java.util.Comparator;
import java.util.Objects;

/**
 * Identity of a listener, as {@link RouteKey} is of a route: the tenant it serves, the source that
 * wrote it (only {@code k8s} may) and its name within that source ({@code
 * gateway/<namespace>/<name>/<port>}).
 */
public record ListenerKey(TenantId tenant, String source, String name)
    implements Comparable<ListenerKey> {
  private static final Comparator<ListenerKey> ORDER =
      Comparator.comparing(ListenerKey::tenant)
          .thenComparing(ListenerKey::source)
          .thenComparing(ListenerKey::name);

  public ListenerKey {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(name, "name");
  }

  public static ListenerKey of(String tenant, String source, String name) {
    return new ListenerKey(TenantId.of(tenant), source, name);
  }

  @Override
  public int compareTo(ListenerKey o) {
    return ORDER.compare(this, o);
  }

  @Override
  public String toString() {
    return tenant + "/" + source + "/" + name;
  }
}
