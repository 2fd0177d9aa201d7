package io.gatehouse.k8s.watch;

import io.gatehouse.k8s.translate.IngressProblem;
import io.gatehouse.k8s.translate.IngressRef;
import io.gatehouse.k8s.translate.IngressTranslator;
import io.gatehouse.k8s.translate.ListedClusterState;
import io.gatehouse.k8s.translate.Translation;
import io.gatehouse.k8s.translate.gateway.GatewayState;
import io.gatehouse.k8s.translate.gateway.GatewayTranslation;
import io.gatehouse.k8s.translate.gateway.Translations;
import io.gatehouse.model.CertificateKey;
import io.gatehouse.model.CertificateSpec;
import io.gatehouse.model.ListenerKey;
import io.gatehouse.model.ListenerSpec;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.table.Batch;
import io.gatehouse.table.EntryKey;
import io.gatehouse.table.Outcome;
import io.gatehouse.table.RouteTable;
import io.gatehouse.table.SourceApplied;
import io.gatehouse.table.TableView;
import io.gatehouse.table.Write;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a translation into the route table: the routes replace the whole {@code k8s} source in one
 * generation; certificates whose name starts with {@value IngressTranslator#CERTIFICATE_PREFIX} are
 * the k8s source's, and are put or deleted to match, in non-durable batches (the API server is
 * their durable copy). New and changed certificates are written before the routes, removed ones
 * after: no table state has a route naming a certificate that is gone, which would serve the
 * default certificate for a host still routed. The Gateways' own sockets (listeners, written only
 * by this source) are put and deleted the same way, around the routes naming them.
 *
 * <p>During a rolling upgrade the table holds back a route that needs an entry format some member
 * cannot read yet (an Ingress route by Service-port reference while a member of the release before
 * references is in the cluster). The held route's entry stays as it is: a route an older leader
 * wrote keeps being served with the endpoints it was written with, and a new one is not served yet;
 * nothing is deleted for it, and no certificate is removed meanwhile (a held route may still name
 * it). Each held route is a {@code ClusterNotUpgraded} problem of its Ingress ({@link
 * #heldProblems}), and the sink asks for a rebuild ({@code retry}) when the members change, so the
 * routes are written once every member reads their format.
 */
public final class TableSink implements TranslationSink, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TableSink.class);
  static final String NOT_UPGRADED = "ClusterNotUpgraded";

  private final RouteTable table;
  private final AutoCloseable membership;
  private volatile List<IngressProblem> held = List.of();

  /** A sink that never asks for a rebuild: routes held back wait for the next one. */
  public TableSink(RouteTable table) {
    this(table, () -> {});
  }

  /**
   * @param retry asked (on a table thread; it must not block) for a rebuild when the members change
   *     while routes are held back
   */
  public TableSink(RouteTable table, Runnable retry) {
    this.table = Objects.requireNonNull(table, "table");
    Objects.requireNonNull(retry, "retry");
    this.membership =
        table.onMembersChanged(
            () -> {
              if (!held.isEmpty()) {
                retry.run();
              }
            });
  }

  /** The routes the last publish held back, as problems of their Ingresses. */
  public List<IngressProblem> heldProblems() {
    return held;
  }

  @Override
  public void publish(Translation t, ListedClusterState state) {
    write(t, t.routes(), t.certificates(), List.of());
  }

  /**
   * Ingress and Gateway API routes in one write of the {@code k8s} source (two writes would let the
   * first delete the other's routes for a moment); a certificate both name is written once.
   */
  @Override
  public void publish(Translations t, ListedClusterState state, GatewayState gateways) {
    GatewayTranslation g = t.gateway();
    if (g.routes().isEmpty() && g.certificates().isEmpty()) {
      write(t.ingress(), t.ingress().routes(), t.ingress().certificates(), g.listeners());
      return;
    }
    List<RouteSpec> routes = new ArrayList<>(t.ingress().routes());
    routes.addAll(g.routes());
    Map<CertificateKey, CertificateSpec> certificates = new LinkedHashMap<>();
    for (CertificateSpec c : t.ingress().certificates()) {
      certificates.putIfAbsent(c.key(), c);
    }
    for (CertificateSpec c : g.certificates()) {
      certificates.putIfAbsent(c.key(), c);
    }
    write(t.ingress(), routes, List.copyOf(certificates.values()), g.listeners());
  }

  /**
   * @param t the Ingress translation, whose origins name the Ingress of a held route
   */
  private void write(
      Translation t,
      List<RouteSpec> routes,
      List<CertificateSpec> certificates,
      List<ListenerSpec> listeners) {
    List<Write> puts = new ArrayList<>();
    List<Write> deletes = new ArrayList<>();
    TableView view = table.view();
    Map<CertificateKey, CertificateSpec> stored = view.certificates();
    Set<CertificateKey> wanted = new HashSet<>();
    for (CertificateSpec c : certificates) {
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
    // the Gateways' sockets: every listener is the k8s source's (no other source may write one)
    List<Write> socketPuts = new ArrayList<>();
    Set<ListenerKey> sockets = new HashSet<>();
    for (ListenerSpec l : listeners) {
      sockets.add(l.key());
      if (!l.equals(view.listeners().get(l.key()))) {
        socketPuts.add(Write.put(l));
      }
    }
    for (ListenerKey k : view.listeners().keySet()) {
      if (k.source().equals(IngressTranslator.SOURCE) && !sockets.contains(k)) {
        deletes.add(Write.delete(EntryKey.listener(k)));
      }
    }
    // puts first: a route never names a certificate (or a socket) the table does not hold yet
    long started = System.nanoTime();
    if (!puts.isEmpty()) {
      table.apply(new Batch(puts, false));
    }
    if (!socketPuts.isEmpty()) {
      // a batch of its own: while a member cannot read listeners (format 9) they are held back,
      // and so are the routes naming them, but certificates are not
      table.apply(new Batch(socketPuts, false));
    }
    long certificatesWritten = System.nanoTime();
    SourceApplied applied = table.applySource(IngressTranslator.SOURCE, routes);
    Outcome.NotUpgraded notUpgraded = applied.held();
    held = notUpgraded == null ? List.of() : problems(notUpgraded, t);
    // deletes last: the routes naming them are gone by now (unless a route was held back, an
    // Ingress's or a Gateway API route's)
    if (!deletes.isEmpty() && notUpgraded == null) {
      table.apply(new Batch(deletes, false));
    }
    if (notUpgraded != null && !held.isEmpty()) {
      LOG.atWarn()
          .setMessage("kubernetes routes held back until every member reads their format")
          .addKeyValue("routes", notUpgraded.keys().size())
          .addKeyValue("format", notUpgraded.format())
          .addKeyValue("members", notUpgraded.members().size())
          .log();
    }
    if (LOG.isDebugEnabled()) {
      LOG.atDebug()
          .setMessage("kubernetes routes written")
          .addKeyValue("generation", applied.generation())
          .addKeyValue("routes", routes.size())
          .addKeyValue("certificatesMs", IngressWatcher.millis(certificatesWritten - started))
          .addKeyValue("replaceMs", IngressWatcher.millis(System.nanoTime() - certificatesWritten))
          .log();
    }
  }

  /** One problem per Ingress, naming its held routes and the members that cannot read them. */
  static List<IngressProblem> problems(Outcome.NotUpgraded refused, Translation t) {
    Set<EntryKey> keys = new HashSet<>(refused.keys());
    Map<IngressRef, List<String>> routes = new TreeMap<>();
    for (Map.Entry<RouteKey, IngressRef> e : t.origins().entrySet()) {
      if (keys.contains(EntryKey.route(e.getKey()))) {
        routes.computeIfAbsent(e.getValue(), r -> new ArrayList<>()).add(e.getKey().name());
      }
    }
    routes.values().forEach(names -> names.sort(null));
    String members =
        refused.members().stream()
            .map(m -> m.address() + " (" + m.version() + ", reads format " + m.readsFormat() + ")")
            .collect(Collectors.joining(", "));
    List<IngressProblem> out = new ArrayList<>();
    routes.forEach(
        (ingress, names) ->
            out.add(
                new IngressProblem(
                    ingress,
                    NOT_UPGRADED,
                    "route "
                        + String.join(", ", names)
                        + " needs entry format "
                        + refused.format()
                        + ", which "
                        + members
                        + " cannot read; it keeps what the table holds (served as an older"
                        + " leader wrote it, or not yet) until every member reads format "
                        + refused.format())));
    return out;
  }

  @Override
  public void close() {
    try {
      membership.close();
    } catch (Exception e) {
      LOG.debug("membership listener already gone: {}", e.toString());
    }
  }
}
