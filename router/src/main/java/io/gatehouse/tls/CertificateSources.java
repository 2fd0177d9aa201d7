package io.gatehouse.tls;

import io.gatehouse.validate.ValidCertificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Combines the certificates of several sources (the certificate directory, the route table) into
 * the one index the key manager reads. Each source replaces only its own list; every update builds
 * the next index from all of them, so no source drops another's certificates.
 */
public final class CertificateSources {
  private final AtomicReference<CertificateIndex> index;
  private final Map<String, List<ValidCertificate>> bySource = new LinkedHashMap<>();

  public CertificateSources(AtomicReference<CertificateIndex> index) {
    this.index = Objects.requireNonNull(index, "index");
  }

  /**
   * Makes {@code certificates} the whole list of {@code source}.
   *
   * @param newDefault the default certificate from now on, or null to keep the current one
   */
  public synchronized void update(
      String source, ServedCertificate newDefault, List<ValidCertificate> certificates) {
    bySource.put(source, List.copyOf(certificates));
    List<ValidCertificate> all = new ArrayList<>();
    bySource.values().forEach(all::addAll);
    CertificateIndex current = index.get();
    index.set(current.next(newDefault == null ? current.defaultCertificate() : newDefault, all));
  }

  public CertificateIndex current() {
    return index.get();
  }
}
