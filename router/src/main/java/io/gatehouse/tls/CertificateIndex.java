package io.gatehouse.tls;

import io.gatehouse.validate.ValidCertificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Which certificate a TLS handshake gets, by SNI name: one immutable snapshot, built off the event
 * loop and swapped in whole. {@link #lookup} tries the exact name, then a wildcard covering exactly
 * one label ({@code *.wild.example} serves {@code x.wild.example}, not {@code a.b.wild.example}),
 * then the default; no SNI gets the default.
 *
 * <p>When two certificates carry the same DNS name, the one that expires later wins (a renewal
 * added before the old certificate is removed is served at once), then the lower name.
 *
 * <p>Aliases: each entry has a process-unique alias. An index made by {@link #next} keeps the
 * entries (and aliases) of certificates whose material did not change, and can still resolve the
 * aliases of the entries it retired, so a handshake that chose an alias just before a swap still
 * gets that alias's chain and key. Entries retired two swaps ago are dropped.
 */
public final class CertificateIndex {
  private static final Comparator<ServedCertificate> PREFERRED =
      Comparator.comparing(ServedCertificate::notAfter)
          .reversed()
          .thenComparing(ServedCertificate::name);

  private final Map<String, ServedCertificate> exact;
  private final Map<String, ServedCertificate> wildcard;
  private final ServedCertificate defaultCertificate;
  private final List<ServedCertificate> certificates;
  private final Map<String, ServedCertificate> byAlias;

  private CertificateIndex(
      ServedCertificate defaultCertificate,
      List<ServedCertificate> certificates,
      Collection<ServedCertificate> retired) {
    this.defaultCertificate = Objects.requireNonNull(defaultCertificate, "defaultCertificate");
    this.certificates = List.copyOf(certificates);
    Map<String, ServedCertificate> ex = new HashMap<>();
    Map<String, ServedCertificate> wild = new HashMap<>();
    List<ServedCertificate> ordered = new ArrayList<>(certificates);
    ordered.sort(PREFERRED);
    for (ServedCertificate c : ordered) {
      for (String name : c.dnsNames()) {
        if (name.startsWith("*.")) {
          wild.putIfAbsent(name.substring(2), c);
        } else {
          ex.putIfAbsent(name, c);
        }
      }
    }
    this.exact = Map.copyOf(ex);
    this.wildcard = Map.copyOf(wild);
    Map<String, ServedCertificate> aliases = new HashMap<>();
    for (ServedCertificate c : retired) {
      aliases.put(c.alias(), c);
    }
    for (ServedCertificate c : certificates) {
      aliases.put(c.alias(), c);
    }
    aliases.put(defaultCertificate.alias(), defaultCertificate);
    this.byAlias = Map.copyOf(aliases);
  }

  /** The first index: only a default certificate. */
  public static CertificateIndex of(ServedCertificate defaultCertificate) {
    return new CertificateIndex(defaultCertificate, List.of(), List.of());
  }

  /**
   * The next index: {@code certificates} (all of them, validated) and the default. Entries whose
   * name and material are unchanged keep their alias; the others are retired for one generation.
   */
  public CertificateIndex next(
      ServedCertificate newDefault, Collection<ValidCertificate> validCertificates) {
    Map<String, ServedCertificate> previous = new HashMap<>();
    for (ServedCertificate c : certificates) {
      previous.put(c.name(), c);
    }
    List<ServedCertificate> next = new ArrayList<>(validCertificates.size());
    for (ValidCertificate v : validCertificates) {
      ServedCertificate fresh = ServedCertificate.of(v);
      ServedCertificate old = previous.get(fresh.name());
      next.add(old != null && old.sameMaterial(fresh) ? old : fresh);
    }
    List<ServedCertificate> retired = new ArrayList<>();
    for (ServedCertificate c : certificates) {
      if (!next.contains(c)) {
        retired.add(c);
      }
    }
    if (!newDefault.equals(defaultCertificate)) {
      retired.add(defaultCertificate);
    }
    return new CertificateIndex(newDefault, next, retired);
  }

  /** The certificate for an SNI name; null or empty means the client sent none. */
  public ServedCertificate lookup(String sniName) {
    if (sniName == null || sniName.isEmpty()) {
      return defaultCertificate;
    }
    String name = sniName.toLowerCase(Locale.ROOT);
    if (name.endsWith(".")) {
      name = name.substring(0, name.length() - 1);
    }
    ServedCertificate c = exact.get(name);
    if (c != null) {
      return c;
    }
    int dot = name.indexOf('.');
    if (dot > 0) {
      c = wildcard.get(name.substring(dot + 1));
      if (c != null) {
        return c;
      }
    }
    return defaultCertificate;
  }

  /** The entry an alias names, including entries retired by the swap that made this index. */
  public ServedCertificate byAlias(String alias) {
    return alias == null ? null : byAlias.get(alias);
  }

  public ServedCertificate defaultCertificate() {
    return defaultCertificate;
  }

  /** The certificates besides the default, in the order given. */
  public List<ServedCertificate> certificates() {
    return certificates;
  }
}
