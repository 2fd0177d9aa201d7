package io.gatehouse.model;

import java.util.Comparator;
import java.util.Objects;

/**
 * Identity of a certificate: the tenant that owns it and its name within that tenant. A route's
 * {@link TlsSpec} names a certificate of its own tenant only.
 */
public record CertificateKey(TenantId tenant, String name) implements Comparable<CertificateKey> {
  /**
   * Names starting with this belong to the Kubernetes source (one per TLS Secret, {@code
   * k8s.<secret>}): it puts and deletes them to match the Secrets, so no other writer may.
   */
  public static final String KUBERNETES_PREFIX = "k8s.";

  private static final Comparator<CertificateKey> ORDER =
      Comparator.comparing(CertificateKey::tenant).thenComparing(CertificateKey::name);

  public CertificateKey {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(name, "name");
  }

  public static CertificateKey of(String tenant, String name) {
    return new CertificateKey(TenantId.of(tenant), name);
  }

  /** Whether the name is in the Kubernetes source's reserved {@value #KUBERNETES_PREFIX} range. */
  public boolean kubernetesOwned() {
    return name.startsWith(KUBERNETES_PREFIX);
  }

  @Override
  public int compareTo(CertificateKey o) {
    return ORDER.compare(this, o);
  }

  @Override
  public String toString() {
    return tenant + "/" + name;
  }
}
