package io.gatehouse.tls;

import io.gatehouse.model.CertificateKey;
import io.gatehouse.model.CertificateSpec;
import io.gatehouse.table.RouteTable;
import io.gatehouse.table.TableView;
import io.gatehouse.validate.CertificateValidator;
import io.gatehouse.validate.ValidCertificate;
import io.gatehouse.validate.Validated;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the route table's certificates (written by the Kubernetes source, from TLS Secrets): on
 * every table change whose certificates differ, each new or changed one is validated and the
 * table's list in {@link CertificateSources} is replaced. An invalid one is logged and left out;
 * its hosts get the default certificate.
 */
public final class TableCertificateSource implements AutoCloseable {
  static final String SOURCE = "table";
  private static final Logger LOG = LoggerFactory.getLogger(TableCertificateSource.class);

  private final CertificateSources sources;
  private final Clock clock;
  private final AutoCloseable subscription;
  // guarded by this
  private Map<CertificateKey, CertificateSpec> lastSpecs = Map.of();
  private final Map<CertificateKey, ValidCertificate> validated = new HashMap<>();

  public TableCertificateSource(RouteTable table, CertificateSources sources, Clock clock) {
    this.sources = Objects.requireNonNull(sources, "sources");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.subscription = table.subscribe(this::onView);
  }

  private synchronized void onView(TableView view) {
    Map<CertificateKey, CertificateSpec> specs = view.certificates();
    if (specs.equals(lastSpecs)) {
      return;
    }
    List<ValidCertificate> valid = new ArrayList<>();
    for (Map.Entry<CertificateKey, CertificateSpec> e : specs.entrySet()) {
      ValidCertificate known = validated.get(e.getKey());
      if (known == null || !e.getValue().equals(lastSpecs.get(e.getKey()))) {
        Validated<ValidCertificate> v = CertificateValidator.validate(e.getValue(), clock);
        if (!v.isValid()) {
          validated.remove(e.getKey());
          LOG.atWarn()
              .setMessage("certificate in the table not served")
              .addKeyValue("certificate", e.getKey().toString())
              .addKeyValue("violations", v.violations().toString())
              .log();
          continue;
        }
        known = v.value();
        validated.put(e.getKey(), known);
      }
      valid.add(known);
    }
    validated.keySet().retainAll(specs.keySet());
    lastSpecs = specs;
    sources.update(SOURCE, null, valid);
  }

  @Override
  public void close() {
    try {
      subscription.close();
    } catch (Exception e) {
      LOG.atWarn().setMessage("closing the table subscription").setCause(e).log();
    }
  }
}
