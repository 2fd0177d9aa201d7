package io.gatehouse.watch;

import io.gatehouse.model.CertificateKey;
import io.gatehouse.model.CertificateSpec;
import io.gatehouse.table.Batch;
import io.gatehouse.table.EntryKey;
import io.gatehouse.table.RouteTable;
import io.gatehouse.table.Write;
import io.gatehouse.translate.IngressTranslator;
import io.gatehouse.translate.ListedClusterState;
import io.gatehouse.translate.Translation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a translation into the route table: the routes replace the whole {@code k8s} source in one
 * generation; certificates whose name starts with {@value IngressTranslator#CERTIFICATE_PREFIX} are
 * the k8s source's, and are put or deleted to match, in one non-durable batch (the API server is
 * their durable copy).
 */
public final class TableSink implements TranslationSink {
  private static final Logger LOG = LoggerFactory.getLogger(TableSink.class);
  private final RouteTable table;

  public TableSink(RouteTable table) {
    this.table = Objects.requireNonNull(table, "table");
  }

  @Override
  public void publish(Translation t, ListedClusterState state) {
    List<Write> writes = new ArrayList<>();
    Map<CertificateKey, CertificateSpec> stored = table.view().certificates();
    List<CertificateKey> wanted = new ArrayList<>();
    for (CertificateSpec c : t.certificates()) {
      wanted.add(c.key());
      if (!c.equals(stored.get(c.key()))) {
        writes.add(Write.put(c));
      }
    }
    for (CertificateKey k : stored.keySet()) {
      if (k.name().startsWith(IngressTranslator.CERTIFICATE_PREFIX) && !wanted.contains(k)) {
        writes.add(Write.delete(EntryKey.certificate(k)));
      }
    }
    // certificates first: a route never names a certificate the table does not hold yet
    long started = System.nanoTime();
    if (!writes.isEmpty()) {
      table.apply(new Batch(writes, false));
    }
    long certificates = System.nanoTime();
    long generation = table.replaceSource(IngressTranslator.SOURCE, t.routes());
    if (LOG.isDebugEnabled()) {
      LOG.atDebug()
          .setMessage("kubernetes routes written")
          .addKeyValue("generation", generation)
          .addKeyValue("routes", t.routes().size())
          .addKeyValue("certificatesMs", IngressWatcher.millis(certificates - started))
          .addKeyValue("replaceMs", IngressWatcher.millis(System.nanoTime() - certificates))
          .log();
    }
  }
}
