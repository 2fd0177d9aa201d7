package io.gatehouse.certificate;

import io.gatehouse.model.CertificateKey;
import io.gatehouse.validate.ValidCertificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Which certificate a TLS handshake gets, by SNI name: one immutable snapshot, built off the event
 * loop and swapped in whole. {@link #lookup} tries the exact name, then a wildcard covering exactly
 * one label ({@code *.wild.example} serves {@code x.wild.example}, not {@code a.b.wild.example}),
 * then the default; no SNI gets the default.
 *
 * <p>Two kinds of entries: hosts that routes bind to a table certificate ({@link
 * CertificateBindings}), and the DNS names of the directory's certificates. At each step (exact,
 * then wildcard) a route-bound host wins over a directory name: the route said which certificate
 * serves it. Besides, table certificates that a Gateway's socket may fall back to are found by key
 * ({@link #byKey}): the default stays the node's, a socket's key manager asks for its own. When two
 * directory certificates carry the same DNS name, the one that expires later wins (a renewal added
 * before the old certificate is removed is served at once), then the lower name.
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
  private final Map<String, ServedCertificate> boundExact;
  private final Map<String, ServedCertificate> boundWildcard;
  private final Set<String> httpsExact;
  private final Set<String> httpsWildcard;
  private final ServedCertificate defaultCertificate;
  private final List<ServedCertificate> certificates;
  private final Map<String, ServedCertificate> byAlias;
  private final Map<CertificateKey, ServedCertificate> byKey;

  private CertificateIndex(
      ServedCertificate defaultCertificate,
      List<ServedCertificate> directory,
      Map<String, ServedCertificate> bound,
      Set<String> httpsHosts,
      Map<CertificateKey, ServedCertificate> byKey,
      Collection<ServedCertificate> retired) {
    this.defaultCertificate = Objects.requireNonNull(defaultCertificate, "defaultCertificate");
    Map<String, ServedCertificate> ex = new HashMap<>();
    Map<String, ServedCertificate> wild = new HashMap<>();
    List<ServedCertificate> ordered = new ArrayList<>(directory);
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
    Map<String, ServedCertificate> bEx = new HashMap<>();
    Map<String, ServedCertificate> bWild = new HashMap<>();
    Map<ServedCertificate, Boolean> tableCerts = new IdentityHashMap<>();
    for (Map.Entry<String, ServedCertificate> e : bound.entrySet()) {
      put(e.getKey(), e.getValue(), bEx, bWild);
      tableCerts.put(e.getValue(), true);
    }
    this.boundExact = Map.copyOf(bEx);
    this.boundWildcard = Map.copyOf(bWild);
    Set<String> hEx = new HashSet<>();
    Set<String> hWild = new HashSet<>();
    for (String h : httpsHosts) {
      if (h.startsWith("*.")) {
        hWild.add(h.substring(2));
      } else {
        hEx.add(h);
      }
    }
    this.httpsExact = Set.copyOf(hEx);
    this.httpsWildcard = Set.copyOf(hWild);
    List<ServedCertificate> all = new ArrayList<>(directory);
    List<ServedCertificate> table = new ArrayList<>(tableCerts.keySet());
    table.sort(Comparator.comparing(ServedCertificate::name));
    all.addAll(table);
    this.certificates = List.copyOf(all);
    Map<String, ServedCertificate> aliases = new HashMap<>();
    for (ServedCertificate c : retired) {
      aliases.put(c.alias(), c);
    }
    for (ServedCertificate c : certificates) {
      aliases.put(c.alias(), c);
    }
    for (ServedCertificate c : byKey.values()) {
      aliases.put(c.alias(), c);
    }
    aliases.put(defaultCertificate.alias(), defaultCertificate);
    this.byAlias = Map.copyOf(aliases);
    this.byKey = Map.copyOf(byKey);
  }

  private static void put(
      String host,
      ServedCertificate c,
      Map<String, ServedCertificate> exact,
      Map<String, ServedCertificate> wildcard) {
    if (host.startsWith("*.")) {
      wildcard.put(host.substring(2), c);
    } else {
      exact.put(host, c);
    }
  }

  /** The first index: only a default certificate. */
  public static CertificateIndex of(ServedCertificate defaultCertificate) {
    return new CertificateIndex(
        defaultCertificate, List.of(), Map.of(), Set.of(), Map.of(), List.of());
  }

  /** The next index with only directory certificates (no route-bound hosts). */
  public CertificateIndex next(
      ServedCertificate newDefault, Collection<ValidCertificate> validCertificates) {
    return next(newDefault, validCertificates, Map.of(), Set.of());
  }

  /**
   * The next index: the directory's {@code certificates} (all of them, validated), the hosts routes
   * bind to table certificates, and the default. Entries whose source, name and material are
   * unchanged keep their alias; the others are retired for one generation.
   *
   * @param bound host ({@code name} or {@code *.suffix}) → the table certificate routes bind to it
   * @param httpsHosts every host a route serves over HTTPS, bound or not (for {@link
   *     #servedOverHttps})
   */
  public CertificateIndex next(
      ServedCertificate newDefault,
      Collection<ValidCertificate> directory,
      Map<String, ValidCertificate> bound,
      Set<String> httpsHosts) {
    return next(newDefault, directory, bound, httpsHosts, Map.of());
  }

  /**
   * As above, with the table certificates Gateway sockets may fall back to, by key ({@link
   * #byKey}); one that routes bind too is the same entry.
   */
  public CertificateIndex next(
      ServedCertificate newDefault,
      Collection<ValidCertificate> directory,
      Map<String, ValidCertificate> bound,
      Set<String> httpsHosts,
      Map<CertificateKey, ValidCertificate> keyed) {
    Map<String, ServedCertificate> previous = new HashMap<>();
    for (ServedCertificate c : byKey.values()) {
      previous.put(c.source() + ":" + c.name(), c);
    }
    for (ServedCertificate c : certificates) {
      previous.put(c.source() + ":" + c.name(), c);
    }
    List<ServedCertificate> nextDirectory = new ArrayList<>(directory.size());
    for (ValidCertificate v : directory) {
      nextDirectory.add(
          keep(previous, ServedCertificate.of(v, ServedCertificate.Source.DIRECTORY)));
    }
    Map<ValidCertificate, ServedCertificate> served = new IdentityHashMap<>();
    Map<String, ServedCertificate> nextBound = new HashMap<>();
    for (Map.Entry<String, ValidCertificate> e : bound.entrySet()) {
      ServedCertificate c =
          served.computeIfAbsent(
              e.getValue(),
              v -> keep(previous, ServedCertificate.of(v, ServedCertificate.Source.TABLE)));
      nextBound.put(e.getKey(), c);
    }
    Map<CertificateKey, ServedCertificate> nextByKey = new HashMap<>();
    for (Map.Entry<CertificateKey, ValidCertificate> e : keyed.entrySet()) {
      nextByKey.put(
          e.getKey(),
          served.computeIfAbsent(
              e.getValue(),
              v -> keep(previous, ServedCertificate.of(v, ServedCertificate.Source.TABLE))));
    }
    Set<ServedCertificate> live = new HashSet<>(nextDirectory);
    live.addAll(served.values());
    Set<ServedCertificate> retired = new HashSet<>();
    for (ServedCertificate c : certificates) {
      if (!live.contains(c)) {
        retired.add(c);
      }
    }
    for (ServedCertificate c : byKey.values()) {
      if (!live.contains(c)) {
        retired.add(c);
      }
    }
    if (!newDefault.equals(defaultCertificate)) {
      retired.add(defaultCertificate);
    }
    return new CertificateIndex(
        newDefault, nextDirectory, nextBound, httpsHosts, nextByKey, retired);
  }

  private static ServedCertificate keep(
      Map<String, ServedCertificate> previous, ServedCertificate fresh) {
    ServedCertificate old = previous.get(fresh.source() + ":" + fresh.name());
    return old != null && old.sameMaterial(fresh) ? old : fresh;
  }

  /** The certificate for an SNI name; null or empty means the client sent none. */
  public ServedCertificate lookup(@Nullable String sniName) {
    return lookupNormalized(normalize(sniName));
  }

  /**
   * An SNI name lower-cased without a trailing dot, or null for none; the same string when it is
   * already so (the usual case: no allocation).
   */
  public static @Nullable String normalize(@Nullable String sniName) {
    if (sniName == null || sniName.isEmpty()) {
      return null;
    }
    String name = sniName;
    for (int i = 0; i < name.length(); i++) {
      char ch = name.charAt(i);
      if (ch >= 'A' && ch <= 'Z') {
        name = name.toLowerCase(Locale.ROOT);
        break;
      }
    }
    if (name.endsWith(".")) {
      name = name.substring(0, name.length() - 1);
    }
    return name.isEmpty() ? null : name;
  }

  /** As {@link #lookup} for a name {@link #normalize} returned. */
  public ServedCertificate lookupNormalized(@Nullable String name) {
    if (name == null) {
      return defaultCertificate;
    }
    ServedCertificate c = boundExact.get(name);
    if (c != null) {
      return c;
    }
    c = exact.get(name);
    if (c != null) {
      return c;
    }
    int dot = name.indexOf('.');
    if (dot > 0 && !(boundWildcard.isEmpty() && wildcard.isEmpty())) {
      String suffix = name.substring(dot + 1);
      c = boundWildcard.get(suffix);
      if (c == null) {
        c = wildcard.get(suffix);
      }
      if (c != null) {
        return c;
      }
    }
    return defaultCertificate;
  }

  /** Whether a route serves this (normalised) name over HTTPS, exactly or by a wildcard host. */
  public boolean servedOverHttps(@Nullable String name) {
    if (name == null) {
      return false;
    }
    if (httpsExact.contains(name)) {
      return true;
    }
    int dot = name.indexOf('.');
    return dot > 0 && !httpsWildcard.isEmpty() && httpsWildcard.contains(name.substring(dot + 1));
  }

  /** The entry an alias names, including entries retired by the swap that made this index. */
  public @Nullable ServedCertificate byAlias(@Nullable String alias) {
    return alias == null ? null : byAlias.get(alias);
  }

  /**
   * A table certificate a Gateway socket may fall back to, or null when it is missing, invalid or
   * expired (the node's default answers then).
   */
  public @Nullable ServedCertificate byKey(CertificateKey key) {
    return byKey.get(key);
  }

  public ServedCertificate defaultCertificate() {
    return defaultCertificate;
  }

  /**
   * The certificates besides the default: the directory's in the order given, then the table
   * certificates routes bind, by name.
   */
  public List<ServedCertificate> certificates() {
    return certificates;
  }
}
