package io.gatehouse.k8s.watch;

import io.gatehouse.k8s.translate.IngressTranslator;
import io.gatehouse.k8s.translate.ListedClusterState;
import io.gatehouse.k8s.translate.Translation;
import io.gatehouse.model.CertificateKey;
import io.gatehouse.model.CertificateSpec;
import io.gatehouse.table.Batch;
import io.gatehouse.table.EntryKey;
import io.gatehouse.table.RouteTable;
import io.gatehouse.table.Write;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a translation into the route table: the routes replace the whole {@code k8s} source in one
 * generation; certificates whose name starts with {@value IngressTranslator#CERTIFICATE_PREFIX} are
 * the k8s source's, and are put or deleted to match, in non-durable batches (the API server is
 * their durable copy). New and changed certificates are written before the routes, removed ones
 * after: no table state has a route naming a certificate that is gone, which would serve the
 * default certificate for a host still routed.
 */
public final class TableSink implements TranslationSink {
  private static final Logger LOG = LoggerFactory.getLogger(TableSink.class);
  private final RouteTable table;

  public TableSink(RouteTable table) {
    this.table = Objects.requireNonNull(table, "table");
  }

  @Override
  public void publish(Translation t, ListedClusterState state) {
    List<Write> puts = new ArrayList<>();
    List<Write> deletes = new ArrayList<>();
    Map<CertificateKey, CertificateSpec> stored = table.view().certificates();
    Set<CertificateKey> wanted = new HashSet<>();
    for (CertificateSpec c : t.certificates()) {
      wanted.add(c.key());
      if (!c.equals(stored.get(c.key()))) {
        puts.add(Write.put(c));
      }
    }
    for (CertificateKey k : stored.keySet()) {
      if (k.name().startsWith(IngressTranslator.CERTIFICATE_PREFIX) && !wanted.contains(k)) {
        deletes.add(Write.delete(EntryKey.certificate(k)));
      }
    }
    // puts first: a route never names a certificate the table does not hold yet
    long started = System.nanoTime();
    if (!puts.isEmpty()) {
      table.apply(new Batch(puts, false));
    }
    long certificates = System.nanoTime();
    long generation = table.replaceSource(IngressTranslator.SOURCE, t.routes());
    // deletes last: the routes naming them are gone by now
    if (!deletes.isEmpty()) {
      table.apply(new Batch(deletes, false));
    }
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
