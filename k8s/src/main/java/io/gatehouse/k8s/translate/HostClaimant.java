package io.gatehouse.k8s.translate;

import java.time.OffsetDateTime;
import java.util.Comparator;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A claimant of a host other than an Ingress: a Gateway API route attached to a listener. The
 * oldest claimant of a host (creationTimestamp, then namespace/name) holds it for its group, the
 * namespaces that may then serve it (docs/gateway-api.md, "Ownership").
 *
 * @param host a normalised host, or {@code ""} for every host (a route without hostnames on a
 *     listener without hostname)
 * @param created the route's creationTimestamp; null sorts last
 * @param what names the claimant in messages, e.g. {@code HTTPRoute team-a/web}
 * @param namespaces the group: the namespaces the listener admits; null for every namespace
 */
public record HostClaimant(
    String host,
    @Nullable OffsetDateTime created,
    String namespace,
    String name,
    String what,
    @Nullable Set<String> namespaces) {
  /** Oldest first, then namespace and name: the order the ownership rule reads claimants in. */
  public static final Comparator<HostClaimant> OLDEST_FIRST =
      Comparator.comparing(
              HostClaimant::created,
              Comparator.nullsLast(Comparator.<OffsetDateTime>naturalOrder()))
          .thenComparing(HostClaimant::namespace)
          .thenComparing(HostClaimant::name);

  public HostClaimant {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(what, "what");
    namespaces = namespaces == null ? null : Set.copyOf(namespaces);
  }

  /** Whether a namespace of the group may serve the host this claimant holds. */
  public boolean admits(String namespace) {
    return namespaces == null || namespaces.contains(namespace);
  }

  /**
   * Whether this claimant is older than an object created at {@code otherCreated} named {@code
   * otherNamespace/otherName} (creationTimestamp, then namespace/name).
   */
  public boolean olderThan(
      @Nullable OffsetDateTime otherCreated, String otherNamespace, String otherName) {
    int c =
        Comparator.nullsLast(Comparator.<OffsetDateTime>naturalOrder())
            .compare(created, otherCreated);
    if (c != 0) {
      return c < 0;
    }
    c = namespace.compareTo(otherNamespace);
    return c != 0 ? c < 0 : name.compareTo(otherName) < 0;
  }
}
