package io.gatehouse.certificate;

import io.gatehouse.model.CertificateKey;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.validate.ValidCertificate;
import io.gatehouse.validate.Validated;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place both certificate sources publish into: the directory ({@link
 * CertificateDirectorySource}) and the table ({@link TableCertificateSource}). Each publish keeps
 * the latest input of both, binds the routes' hosts ({@link CertificateBindings}), builds the next
 * {@link CertificateIndex} and swaps it in with one {@code set}. Publishing runs on worker threads
 * and is serialised here; handshakes only read {@link #ref()}.
 *
 * <p>Binding problems are logged at WARN once per change (not per rebuild) and kept for {@code
 * /status}.
 */
public final class CertificateIndexHolder {
  private static final Logger LOG = LoggerFactory.getLogger(CertificateIndexHolder.class);

  private final AtomicReference<CertificateIndex> index;
  private final ServedCertificate generatedDefault;
  private final Clock clock;

  // Guarded by this.
  private @Nullable ValidCertificate directoryDefault;
  private List<ValidCertificate> directory = List.of();
  private Map<RouteKey, TlsSpec> routes = Map.of();
  private Map<CertificateKey, Validated<ValidCertificate>> table = Map.of();
  private Instant rebindAt = Instant.MAX;
  private Map<String, Instant> warned = new HashMap<>();

  private volatile CertificateBindings bindings = CertificateBindings.NONE;

  /** Told each new index, under this holder's lock (OCSP stapling follows the served set). */
  private final List<java.util.function.Consumer<CertificateIndex>> listeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  public CertificateIndexHolder(ServedCertificate generatedDefault, Clock clock) {
    this.generatedDefault = Objects.requireNonNull(generatedDefault, "generatedDefault");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.index = new AtomicReference<>(CertificateIndex.of(generatedDefault));
  }

  /** Calls {@code listener} with the current index now and with each new one. */
  public synchronized void onChange(java.util.function.Consumer<CertificateIndex> listener) {
    listeners.add(listener);
    listener.accept(get());
  }

  /** The reference the key manager reads at each handshake. */
  public AtomicReference<CertificateIndex> ref() {
    return index;
  }

  /** The current index; never null: the reference starts with the generated default's. */
  public CertificateIndex get() {
    return Objects.requireNonNull(index.get(), "index");
  }

  /** The generated self-signed certificate, served when no usable default is configured. */
  public ServedCertificate generatedDefault() {
    return generatedDefault;
  }

  /** The latest binding problems, in route key order. */
  public List<CertificateBindings.Problem> problems() {
    return bindings.problems();
  }

  /**
   * The directory's valid certificates.
   *
   * @param namedDefault the one named by {@code tls.defaultCertificate}, or null for the generated
   *     default
   */
  public synchronized void publishDirectory(
      @Nullable ValidCertificate namedDefault, List<ValidCertificate> valid) {
    this.directoryDefault = namedDefault;
    this.directory = List.copyOf(valid);
    rebuild();
  }

  /** The TLS settings of every route and the table's certificates, validated. */
  public synchronized void publishTable(
      Map<RouteKey, TlsSpec> routes, Map<CertificateKey, Validated<ValidCertificate>> table) {
    this.routes = Map.copyOf(routes);
    this.table = Map.copyOf(table);
    rebuild();
  }

  /**
   * Rebinds when a bound certificate has expired since the last build, and warns about certificates
   * that expire soon (called periodically).
   */
  public synchronized void recheck() {
    if (!clock.instant().isBefore(rebindAt)) {
      rebuild();
    } else {
      warnExpiring();
    }
  }

  /** Every served certificate with its expiry. */
  public List<CertificateExpiry> expiry() {
    return CertificateExpiry.of(get(), clock.instant());
  }

  /** One WARN per certificate expiring soon: again after a day, or when it changes. */
  private void warnExpiring() {
    Instant now = clock.instant();
    Map<String, Instant> next = new HashMap<>();
    for (CertificateExpiry c : CertificateExpiry.of(get(), now)) {
      if (!c.expiringSoon()) {
        continue;
      }
      String id = c.source() + ":" + c.name() + "@" + c.notAfter();
      Instant last = warned.get(id);
      if (last == null || !now.isBefore(last.plus(java.time.Duration.ofDays(1)))) {
        LOG.atWarn()
            .setMessage("TLS certificate expires soon")
            .addKeyValue("certificate", c.name())
            .addKeyValue("source", c.source())
            .addKeyValue("dnsNames", c.dnsNames().toString())
            .addKeyValue("notAfter", c.notAfter().toString())
            .addKeyValue("daysLeft", c.daysLeft())
            .log();
        last = now;
      }
      next.put(id, last);
    }
    warned = next;
  }

  /**
   * The table certificates a Gateway socket may name as its default: valid now and the Kubernetes
   * source's (only it writes listeners), so a socket never falls back to a tenant's own upload.
   */
  static Map<CertificateKey, ValidCertificate> listenerCertificates(
      Map<CertificateKey, Validated<ValidCertificate>> table, Instant now) {
    Map<CertificateKey, ValidCertificate> out = new HashMap<>();
    table.forEach(
        (key, v) -> {
          ValidCertificate c = v.value();
          if (key.kubernetesOwned() && c != null && now.isBefore(c.notAfter())) {
            out.put(key, c);
          }
        });
    return out;
  }

  private void rebuild() {
    Instant now = clock.instant();
    Map<CertificateKey, ValidCertificate> byKey = new HashMap<>();
    for (ValidCertificate c : directory) {
      byKey.put(c.key(), c);
    }
    CertificateBindings next = CertificateBindings.bind(routes, table, byKey, now);
    CertificateIndex current = get();
    ServedCertificate nextDefault = generatedDefault;
    if (directoryDefault != null) {
      ServedCertificate fresh = ServedCertificate.of(directoryDefault);
      ServedCertificate old = current.defaultCertificate();
      nextDefault = old.sameMaterial(fresh) ? old : fresh;
    }
    Map<CertificateKey, ValidCertificate> keyed = listenerCertificates(table, now);
    index.set(current.next(nextDefault, directory, next.hosts(), next.httpsHosts(), keyed));
    CertificateIndex built = get();
    listeners.forEach(l -> l.accept(built));
    rebindAt =
        java.util.stream.Stream.concat(next.hosts().values().stream(), keyed.values().stream())
            .map(ValidCertificate::notAfter)
            .min(Instant::compareTo)
            .orElse(Instant.MAX);
    if (!next.problems().equals(bindings.problems())) {
      for (CertificateBindings.Problem p : next.problems()) {
        LOG.atWarn()
            .setMessage("TLS host not served with its certificate")
            .addKeyValue("route", p.route().toString())
            .addKeyValue("reason", p.message())
            .log();
      }
    }
    if (!next.hosts().keySet().equals(bindings.hosts().keySet())) {
      LOG.atInfo()
          .setMessage("TLS hosts bound to table certificates")
          .addKeyValue("hosts", next.hosts().size())
          .log();
    }
    bindings = next;
    warnExpiring();
    boolean generated = nextDefault == generatedDefault;
    if (generated != (current.defaultCertificate() == generatedDefault)) {
      if (generated) {
        DefaultCertificate.logInUse(generatedDefault);
      } else {
        LOG.atInfo()
            .setMessage("default TLS certificate")
            .addKeyValue("certificate", nextDefault.name())
            .log();
      }
    }
  }
}
