package io.gatehouse.k8s.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.gatehouse.k8s.translate.IngressProblem;
import io.gatehouse.k8s.translate.IngressRef;
import io.gatehouse.k8s.translate.IngressTranslator;
import io.gatehouse.k8s.translate.ListedClusterState;
import io.gatehouse.k8s.translate.Translation;
import io.gatehouse.k8s.translate.gateway.GatewayState;
import io.gatehouse.k8s.translate.gateway.GatewayTranslation;
import io.gatehouse.k8s.translate.gateway.Translations;
import io.gatehouse.model.BackendRef;
import io.gatehouse.model.CertificateKey;
import io.gatehouse.model.CertificateSpec;
import io.gatehouse.model.ListenerKey;
import io.gatehouse.model.ListenerProtocol;
import io.gatehouse.model.ListenerSpec;
import io.gatehouse.model.PrivateKeyPem;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TenantId;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.table.Batch;
import io.gatehouse.table.EntryKey;
import io.gatehouse.table.FormatGate;
import io.gatehouse.table.InMemoryRouteTable;
import io.gatehouse.table.MemberInfo;
import io.gatehouse.table.Outcome;
import io.gatehouse.table.RouteTable;
import io.gatehouse.table.ServedReport;
import io.gatehouse.table.SourceApplied;
import io.gatehouse.table.TableView;
import io.gatehouse.table.Write;
import io.gatehouse.table.codec.EntryCodec;
import io.gatehouse.testing.TestRoutes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes leader during a rolling upgrade: Ingress routes by Service-port reference need
 * entry format 2, which a member of the previous release cannot read. They are held back, with
 * their current entries kept, reported on their Ingresses, and written on the rebuild asked for
 * when that member leaves.
 */
class TableSinkTest {
  private static final ListedClusterState EMPTY =
      new ListedClusterState(List.of(), List.of(), List.of(), List.of(), List.of());
  private static final IngressRef WEB = new IngressRef("shop", "web");
  private static final IngressRef NEW = new IngressRef("shop", "new");
  private static final IngressRef PLAIN = new IngressRef("shop", "plain");

  private static RouteSpec staticRoute(String name, int port) {
    return TestRoutes.route("shop", "k8s", name, port);
  }

  private static RouteSpec byService(String name) {
    return TestRoutes.byServicePort("shop", "k8s", name, "web", 80);
  }

  private static Translation translation(Map<RouteSpec, IngressRef> routes) {
    Map<RouteKey, IngressRef> origins = new HashMap<>();
    routes.forEach((r, i) -> origins.put(r.key(), i));
    return new Translation(
        List.copyOf(routes.keySet()), List.of(), List.of(), Set.copyOf(routes.values()), origins);
  }

  @Test
  void ingress_and_gateway_routes_are_one_write_of_the_k8s_source() throws Exception {
    InMemoryRouteTable table = new InMemoryRouteTable();
    TableSink sink = new TableSink(table);
    RouteSpec ingress = staticRoute("web.r0.p0", 8080);
    RouteSpec gateway = staticRoute("httproute_web.r0.m0", 8081);
    GatewayTranslation g =
        new GatewayTranslation(List.of(gateway), List.of(), List.of(), Map.of(), Map.of());
    long before = table.view().generation();
    sink.publish(new Translations(translation(Map.of(ingress, WEB)), g), EMPTY, GatewayState.NONE);
    assertThat(table.view().routes().keySet())
        .containsExactlyInAnyOrder(ingress.key(), gateway.key());
    // one generation for both: no moment with one source's routes and not the other's
    assertThat(table.view().generation()).isEqualTo(before + 1);

    // the Gateway route goes, the Ingress route stays
    sink.publish(
        new Translations(translation(Map.of(ingress, WEB)), GatewayTranslation.EMPTY),
        EMPTY,
        GatewayState.NONE);
    assertThat(table.view().routes().keySet()).containsExactly(ingress.key());
  }

  @Test
  void gateway_sockets_are_put_before_the_routes_naming_them_and_deleted_when_gone()
      throws Exception {
    InMemoryRouteTable table = new InMemoryRouteTable();
    TableSink sink = new TableSink(table);
    ListenerKey key = ListenerKey.of("infra", "k8s", "gateway/infra/gw/80");
    ListenerSpec socket = new ListenerSpec(key, "127.0.1.0", 80, ListenerProtocol.HTTP);
    RouteSpec route = staticRoute("httproute_web.r0.m0_infra_gw_80", 8081).withListener(key);
    GatewayTranslation g =
        new GatewayTranslation(
            List.of(route), List.of(), List.of(), Map.of(), Map.of(), List.of(socket));
    sink.publish(new Translations(translation(Map.of()), g), EMPTY, GatewayState.NONE);
    assertThat(table.view().listeners()).containsExactly(Map.entry(key, socket));
    assertThat(table.view().routes()).containsKey(route.key());

    // unchanged: nothing written
    long generation = table.view().generation();
    sink.publish(new Translations(translation(Map.of()), g), EMPTY, GatewayState.NONE);
    assertThat(table.view().generation()).isEqualTo(generation);

    // the Gateway gone: its socket and its routes with it
    sink.publish(
        new Translations(translation(Map.of()), GatewayTranslation.EMPTY),
        EMPTY,
        GatewayState.NONE);
    assertThat(table.view().listeners()).isEmpty();
    assertThat(table.view().routes()).isEmpty();
  }

  @Test
  void routes_the_cluster_cannot_read_are_held_reported_on_their_ingress_and_kept_as_they_are()
      throws Exception {
    TwoReleases table = new TwoReleases();
    RouteSpec webBefore = staticRoute("web.r0.p0", 8080); // as the previous release's leader wrote
    table.inner.applySource("k8s", List.of(webBefore));
    AtomicInteger retries = new AtomicInteger();
    TableSink sink = new TableSink(table, retries::incrementAndGet);
    List<Translation> reported = new ArrayList<>();
    TranslationSink events =
        TranslationSink.withProblems(sink::heldProblems, (t, s) -> reported.add(t));
    Translation t =
        translation(
            Map.of(
                byService("web.r0.p0"), WEB,
                byService("new.r0.p0"), NEW,
                staticRoute("plain.r0.p0", 9090), PLAIN));

    sink.publish(t, EMPTY);
    events.publish(t, EMPTY);

    Map<RouteKey, RouteSpec> routes = table.view().routes();
    assertThat(routes.get(webBefore.key())).isEqualTo(webBefore);
    assertThat(routes).doesNotContainKey(byService("new.r0.p0").key());
    assertThat(routes).containsKey(staticRoute("plain.r0.p0", 9090).key());
    assertThat(sink.heldProblems())
        .extracting(IngressProblem::ingress, IngressProblem::reason)
        .containsExactly(tuple(NEW, "ClusterNotUpgraded"), tuple(WEB, "ClusterNotUpgraded"));
    assertThat(sink.heldProblems().get(1).message())
        .isEqualTo(
            "route web.r0.p0 needs entry format 2, which 10.0.0.9:5701 (0.9.0, reads format 1)"
                + " cannot read; it keeps what the table holds (served as an older leader wrote"
                + " it, or not yet) until every member reads format 2");
    assertThat(reported.get(0).problems()).containsExactlyElementsOf(sink.heldProblems());

    table.leave();
    assertThat(retries).hasValue(1);
    sink.publish(t, EMPTY);

    assertThat(sink.heldProblems()).isEmpty();
    assertThat(table.view().routes().get(webBefore.key())).isEqualTo(byService("web.r0.p0"));
    assertThat(table.view().routes()).containsKey(byService("new.r0.p0").key());
    table.leave();
    assertThat(retries).as("nothing held: no rebuild asked").hasValue(1);
  }

  /**
   * Issue #17: a Gateway API route with an unresolved backend or a Service of another namespace
   * (entry format 5) is held back while a member reads format 4 only, which would fail on the one
   * and serve the route's own namespace for the other; the rest of the routes are written.
   */
  @Test
  void gateway_routes_in_format_5_are_held_while_a_member_reads_format_4() throws Exception {
    TwoReleases table = new TwoReleases(4);
    TableSink sink = new TableSink(table);
    RouteSpec ok = byService("httproute_ok.r0.m0");
    RouteSpec invalid =
        byService("httproute_bad.r0.m0")
            .withBackends(
                List.of(
                    RouteBackend.of(
                        new BackendRef.Unresolved(500, "BackendNotFound: Service shop/nowhere"))));
    RouteSpec granted =
        byService("httproute_granted.r0.m0")
            .withBackends(
                List.of(
                    RouteBackend.of(
                        new BackendRef.ServicePort("web", 80, null, UpstreamProtocol.HTTP1, null)
                            .withNamespace("shared"))));
    Translations t =
        new Translations(
            translation(Map.of()),
            new GatewayTranslation(
                List.of(ok, invalid, granted), List.of(), List.of(), Map.of(), Map.of()));

    sink.publish(t, EMPTY, GatewayState.NONE);
    assertThat(table.view().routes().keySet()).containsExactly(ok.key());

    table.leave();
    sink.publish(t, EMPTY, GatewayState.NONE);
    assertThat(table.view().routes())
        .containsEntry(invalid.key(), invalid)
        .containsEntry(granted.key(), granted)
        .containsKey(ok.key());
  }

  @Test
  void no_certificate_is_removed_while_a_route_is_held() throws Exception {
    TwoReleases table = new TwoReleases();
    // the table stores what the translator validated; this test only needs the key
    CertificateSpec cert =
        new CertificateSpec(
            new CertificateKey(TenantId.of("shop"), IngressTranslator.CERTIFICATE_PREFIX + "web"),
            "chain",
            new PrivateKeyPem("key"));
    table.inner.apply(Batch.of(Write.put(cert)));
    TableSink sink = new TableSink(table);
    Translation t = translation(Map.of(byService("web.r0.p0"), WEB));

    sink.publish(t, EMPTY);
    assertThat(table.view().certificates()).containsKey(cert.key());

    table.leave();
    sink.publish(t, EMPTY);
    assertThat(table.view().certificates()).doesNotContainKey(cert.key());
  }

  /**
   * An in-memory table with a member of the previous release: it holds back every route the real
   * codec writes in a format that member cannot read, keeping the route's entry, as the Hazelcast
   * table does (cluster module, {@code FormatGateClusterTest}).
   */
  static final class TwoReleases implements RouteTable {
    static final MemberInfo OLD = new MemberInfo("old", "10.0.0.9:5701", false, 1, 0, "0.9.0", 1);
    final MemberInfo old;
    final InMemoryRouteTable inner = new InMemoryRouteTable();

    TwoReleases() {
      this(OLD);
    }

    /** With a member of the previous release that reads formats up to {@code oldReads}. */
    TwoReleases(int oldReads) {
      this(new MemberInfo("old", "10.0.0.9:5701", false, 1, 0, "0.9.0", oldReads));
    }

    private TwoReleases(MemberInfo old) {
      this.old = old;
    }

    final EntryCodec codec = new EntryCodec();
    final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    volatile boolean oldMemberPresent = true;

    void leave() {
      oldMemberPresent = false;
      listeners.forEach(Runnable::run);
    }

    @Override
    public List<MemberInfo> members() {
      return oldMemberPresent ? List.of(inner.members().get(0), old) : inner.members();
    }

    @Override
    public SourceApplied applySource(String source, Collection<RouteSpec> routes) {
      Map<EntryKey, Integer> formats = new HashMap<>();
      for (RouteSpec r : routes) {
        if (!r.equals(inner.view().routes().get(r.key()))) {
          formats.put(EntryKey.route(r.key()), codec.formatOf(r));
        }
      }
      Outcome.NotUpgraded held = FormatGate.check(members(), formats);
      List<RouteSpec> written = new ArrayList<>();
      for (RouteSpec r : routes) {
        if (held == null || !held.keys().contains(EntryKey.route(r.key()))) {
          written.add(r);
        } else if (inner.view().routes().containsKey(r.key())) {
          written.add(inner.view().routes().get(r.key()));
        }
      }
      return new SourceApplied(inner.applySource(source, written).generation(), held);
    }

    @Override
    public AutoCloseable onMembersChanged(Runnable listener) {
      listeners.add(listener);
      return () -> listeners.remove(listener);
    }

    @Override
    public TableView view() {
      return inner.view();
    }

    @Override
    public Outcome apply(Batch batch) {
      return inner.apply(batch);
    }

    @Override
    public AutoCloseable subscribe(Consumer<TableView> listener) {
      return inner.subscribe(listener);
    }

    @Override
    public void served(long generation) {
      inner.served(generation);
    }

    @Override
    public CompletableFuture<ServedReport> awaitServed(long generation, Duration timeout) {
      return inner.awaitServed(generation, timeout);
    }
  }
}
