package io.gatehouse.passthrough;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.edge.ConnectionLimiter;
import io.gatehouse.edge.EdgeLimits;
import io.gatehouse.edge.EdgeLimitsHolder;
import io.gatehouse.endpoint.EndpointIndex;
import io.gatehouse.model.BackendRef;
import io.gatehouse.model.Limits;
import io.gatehouse.model.ListenerKey;
import io.gatehouse.model.ListenerProtocol;
import io.gatehouse.model.ListenerSpec;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.Timeouts;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.snapshot.CompiledRoute;
import io.gatehouse.snapshot.RouteSnapshot;
import io.gatehouse.snapshot.SnapshotCompiler;
import io.gatehouse.snapshot.Target;
import io.gatehouse.table.TableView;
import io.gatehouse.testing.TestRoutes;
import io.gatehouse.upstream.Availability;
import io.gatehouse.validate.RouteValidator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The gate's decisions on real ClientHellos, and that it is installed only when needed. */
@Timeout(30)
class PassthroughGateTest {
  private static final int OWN = RouteSnapshot.OWN_LISTENERS;

  private static final RouteSpec PT =
      RouteValidator.validate(
              TestRoutes.builder("pt")
                  .host("pt.test")
                  .prefix("/")
                  .build()
                  .withTls(TlsSpec.passthrough(List.of())))
          .value();
  private static final RouteSpec WEB =
      TestRoutes.builder("web").host("web.test").prefix("/").build();
  private static final RouteSpec ANY = TestRoutes.builder("any").prefix("/").build();

  private static RouteSnapshot snapshot(RouteSpec... routes) {
    Map<RouteKey, RouteSpec> m = new HashMap<>();
    for (RouteSpec r : routes) {
      m.put(r.key(), r);
    }
    return SnapshotCompiler.compile(new TableView(1, m));
  }

  private final PassthroughStats stats = new PassthroughStats();

  private Passthrough passthrough(@Nullable RouteSnapshot s) {
    AtomicReference<@Nullable RouteSnapshot> ref = new AtomicReference<>(s);
    return new Passthrough(
        ref::get,
        new EndpointIndex(),
        Availability.ALL,
        new ConnectionLimiter(new EdgeLimitsHolder(EdgeLimits.DEFAULTS)),
        host -> CompletableFuture.failedFuture(new AssertionError("no lookups here")),
        Passthrough.Settings.DEFAULTS,
        stats);
  }

  /** A client's first flight: the ClientHello record(s), with SNI {@code name} unless null. */
  private static byte[] clientHello(@Nullable String name) throws Exception {
    SSLEngine e = SSLContext.getDefault().createSSLEngine("127.0.0.1", 443);
    e.setUseClientMode(true);
    SSLParameters p = e.getSSLParameters();
    p.setServerNames(name == null ? List.of() : List.of(new SNIHostName(name)));
    e.setSSLParameters(p);
    ByteBuffer out = ByteBuffer.allocate(e.getSession().getPacketBufferSize());
    e.wrap(ByteBuffer.allocate(0), out);
    out.flip();
    byte[] b = new byte[out.remaining()];
    out.get(b);
    return b;
  }

  /** Collects what the gate hands on to the next handler. */
  private static final class Capture extends ChannelInboundHandlerAdapter {
    final List<byte[]> seen = new ArrayList<>();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf b = (ByteBuf) msg;
      seen.add(ByteBufUtil.getBytes(b));
      b.release();
    }
  }

  private EmbeddedChannel gated(RouteSnapshot s, Capture capture) {
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.pipeline()
        .addLast(
            PassthroughGate.NAME,
            new PassthroughGate(passthrough(s), NioSocketChannel::new, null, OWN));
    ch.pipeline().addLast(capture);
    return ch;
  }

  @Test
  void a_wildcard_of_any_depth_passes_deeper_names_and_yields_to_narrower_ones() {
    RouteSpec com =
        RouteValidator.validate(
                TestRoutes.builder("com")
                    .host("x.com") // the builder checks one-label wildcards; the spec has *.com
                    .prefix("/")
                    .build()
                    .withHosts(List.of("*.com"))
                    .withKey(RouteKey.of("t1", "k8s", "com")) // any depth: Gateway API's only
                    .withTls(TlsSpec.passthrough(List.of()))
                    .withWildcardsAnyDepth(true))
            .value();
    RouteSpec example =
        RouteValidator.validate(
                TestRoutes.builder("example")
                    .host("*.example.com")
                    .prefix("/")
                    .build()
                    .withKey(RouteKey.of("t1", "k8s", "example")) // any depth: Gateway API's only
                    .withTls(TlsSpec.passthrough(List.of()))
                    .withWildcardsAnyDepth(true))
            .value();
    RouteSnapshot s = snapshot(com, example);
    assertThat(PassthroughGate.decide(s, OWN, "other.example.com").route().spec().key().name())
        .isEqualTo("example");
    assertThat(PassthroughGate.decide(s, OWN, "a.b.example.com").route().spec().key().name())
        .isEqualTo("example");
    assertThat(PassthroughGate.decide(s, OWN, "a.b.other.com").route().spec().key().name())
        .isEqualTo("com");
    assertThat(PassthroughGate.decide(s, OWN, "other.com").route().spec().key().name())
        .isEqualTo("com");
    assertThat(PassthroughGate.decide(s, OWN, "com").kind())
        .isEqualTo(PassthroughGate.Decision.Kind.REFUSE);
    assertThat(PassthroughGate.decide(s, OWN, "non.matching.org").kind())
        .isEqualTo(PassthroughGate.Decision.Kind.REFUSE);
    // a one-label wildcard keeps its reach
    RouteSnapshot one = snapshot(PT, example.withWildcardsAnyDepth(false));
    assertThat(PassthroughGate.decide(one, OWN, "a.b.example.com").kind())
        .isEqualTo(PassthroughGate.Decision.Kind.REFUSE);
  }

  @Test
  void decisions_by_name() {
    record Case(RouteSnapshot snapshot, @Nullable String sni, PassthroughGate.Decision.Kind want) {}
    RouteSnapshot named = snapshot(PT, WEB);
    RouteSnapshot catchAll = snapshot(PT, ANY);
    for (Case c :
        List.of(
            new Case(named, "pt.test", PassthroughGate.Decision.Kind.PASS),
            new Case(named, "PT.TEST", PassthroughGate.Decision.Kind.PASS),
            new Case(named, "web.test", PassthroughGate.Decision.Kind.TERMINATE),
            new Case(named, "nope.test", PassthroughGate.Decision.Kind.REFUSE),
            new Case(named, null, PassthroughGate.Decision.Kind.REFUSE),
            new Case(catchAll, "nope.test", PassthroughGate.Decision.Kind.TERMINATE),
            new Case(catchAll, null, PassthroughGate.Decision.Kind.TERMINATE),
            new Case(catchAll, "pt.test", PassthroughGate.Decision.Kind.PASS))) {
      assertThat(PassthroughGate.decide(c.snapshot(), OWN, c.sni()).kind())
          .as(c.toString())
          .isEqualTo(c.want());
    }
    assertThat(PassthroughGate.decide(null, OWN, "pt.test").kind())
        .isEqualTo(PassthroughGate.Decision.Kind.REFUSE);
  }

  /**
   * A Gateway socket decides among its own routes: a socket with passthrough routes alone refuses
   * every other name (and none), and the node's own listener never passes a Gateway's name.
   */
  @Test
  void decisions_on_a_gateway_socket_are_its_own() {
    ListenerKey gw = ListenerKey.of("team-a", "k8s", "gateway/team-a/gw/443");
    RouteSpec onGateway =
        RouteValidator.validate(
                TestRoutes.builder("pt-gw")
                    .host("pt.test")
                    .prefix("/")
                    .build()
                    .withTls(TlsSpec.passthrough(List.of())))
            .value()
            .withListener(gw);
    Map<RouteKey, RouteSpec> m = new HashMap<>();
    for (RouteSpec r : List.of(onGateway, WEB)) {
      m.put(r.key(), r);
    }
    RouteSnapshot s =
        SnapshotCompiler.compile(
            new TableView(
                1,
                m,
                Map.of(),
                Map.of(),
                Map.of(),
                Map.of(),
                Map.of(),
                Map.of(gw, new ListenerSpec(gw, "127.0.1.1", 443, ListenerProtocol.HTTPS)),
                Map.of(),
                null));
    int slot = s.listenerSlot(gw);
    PassthroughGate.Decision d = PassthroughGate.decide(s, slot, "pt.test");
    assertThat(d.kind()).isEqualTo(PassthroughGate.Decision.Kind.PASS);
    assertThat(d.route()).extracting(r -> r.spec().key()).isEqualTo(onGateway.key());
    assertThat(PassthroughGate.decide(s, slot, "web.test").kind())
        .isEqualTo(PassthroughGate.Decision.Kind.REFUSE);
    assertThat(PassthroughGate.decide(s, slot, null).kind())
        .isEqualTo(PassthroughGate.Decision.Kind.REFUSE);
    assertThat(PassthroughGate.decide(s, OWN, "pt.test").kind())
        .isEqualTo(PassthroughGate.Decision.Kind.REFUSE);
    assertThat(PassthroughGate.decide(s, OWN, "web.test").kind())
        .isEqualTo(PassthroughGate.Decision.Kind.TERMINATE);
  }

  @Test
  void an_exact_terminated_name_wins_over_a_passthrough_wildcard() {
    RouteSpec wildcard =
        RouteValidator.validate(
                TestRoutes.builder("wild")
                    .host("*.w.test")
                    .prefix("/")
                    .build()
                    .withTls(TlsSpec.passthrough(List.of())))
            .value();
    RouteSpec exact = TestRoutes.builder("exact").host("a.w.test").prefix("/").build();
    RouteSnapshot s = snapshot(wildcard, exact);
    assertThat(PassthroughGate.decide(s, OWN, "a.w.test").kind())
        .isEqualTo(PassthroughGate.Decision.Kind.TERMINATE);
    assertThat(PassthroughGate.decide(s, OWN, "A.W.TEST.").kind())
        .isEqualTo(PassthroughGate.Decision.Kind.TERMINATE);
    assertThat(PassthroughGate.decide(s, OWN, "b.w.test").kind())
        .isEqualTo(PassthroughGate.Decision.Kind.PASS);
    // an exact passthrough name still wins over the same exact terminated name
    RouteSpec exactPt =
        RouteValidator.validate(
                TestRoutes.builder("exact-pt")
                    .host("a.w.test")
                    .prefix("/")
                    .build()
                    .withTls(TlsSpec.passthrough(List.of())))
            .value();
    assertThat(PassthroughGate.decide(snapshot(wildcard, exact, exactPt), OWN, "a.w.test").route())
        .extracting(r -> r.spec().key())
        .isEqualTo(exactPt.key());
  }

  @Test
  void an_unresolved_backend_keeps_its_weight_and_its_connections_are_refused() {
    RouteBackend valid =
        new RouteBackend(
            new BackendRef.ServicePort("db", 5432, null, UpstreamProtocol.HTTP1, null, null, null),
            1);
    RouteBackend unresolved =
        new RouteBackend(new BackendRef.Unresolved(500, "BackendNotFound: db-next"), 1);
    CompiledRoute half = passthroughRoute("half", valid, unresolved);
    int refused = 0;
    for (int i = 0; i < 400; i++) {
      Target t = PassthroughGate.pickTarget(half);
      if (t == null) {
        refused++;
      } else {
        assertThat(t.fixed()).isFalse();
      }
    }
    // 1:1, so about half of 400 (the bounds are 8 standard deviations out)
    assertThat(refused).isBetween(120, 280);
    CompiledRoute none = passthroughRoute("none", unresolved);
    for (int i = 0; i < 50; i++) {
      assertThat(PassthroughGate.pickTarget(none)).isNull();
    }
  }

  private static CompiledRoute passthroughRoute(String name, RouteBackend... backends) {
    RouteSpec r =
        RouteValidator.validate(
                new RouteSpec(
                    RouteKey.of("default", "k8s", name),
                    List.of(name + ".test"),
                    List.of(PathMatch.prefix("/")),
                    Set.of(),
                    List.of(),
                    List.of(),
                    List.of(backends),
                    Timeouts.DEFAULTS,
                    Limits.DEFAULTS,
                    0,
                    TlsSpec.passthrough(List.of())))
            .value();
    return Objects.requireNonNull(
        snapshot(Objects.requireNonNull(r)).passthrough().lookup(name + ".test"));
  }

  @Test
  void an_endpoint_is_picked_among_the_available_ones_and_among_all_when_none_is() {
    io.gatehouse.model.Endpoint up = io.gatehouse.model.Endpoint.of("10.0.0.1", 8443);
    io.gatehouse.model.Endpoint down = io.gatehouse.model.Endpoint.of("10.0.0.2", 8443);
    RouteSpec two =
        RouteValidator.validate(
                RouteSpec.simple(
                        RouteKey.of("default", "file", "two"),
                        List.of("two.test"),
                        List.of(PathMatch.prefix("/")),
                        io.gatehouse.model.BackendSpec.http1(List.of(up, down)))
                    .withTls(TlsSpec.passthrough(List.of())))
            .value();
    EndpointIndex index = new EndpointIndex();
    RouteSnapshot s = new SnapshotCompiler(index).update(new TableView(1, Map.of(two.key(), two)));
    CompiledRoute route = s.passthrough().lookup("two.test");
    Availability notDown =
        new Availability() {
          @Override
          public long version() {
            return 1;
          }

          @Override
          public boolean available(io.gatehouse.model.Endpoint e) {
            return !e.equals(down);
          }
        };
    java.util.Set<io.gatehouse.model.Endpoint> picked = new java.util.HashSet<>();
    for (int i = 0; i < 200; i++) {
      picked.add(PassthroughGate.pick(route, index, notDown));
    }
    assertThat(picked).containsExactly(up);
    Availability none =
        new Availability() {
          @Override
          public long version() {
            return 2;
          }

          @Override
          public boolean available(io.gatehouse.model.Endpoint e) {
            return false;
          }
        };
    picked.clear();
    for (int i = 0; i < 200; i++) {
      picked.add(PassthroughGate.pick(route, index, none));
    }
    assertThat(picked).containsExactlyInAnyOrder(up, down);
  }

  @Test
  void a_terminated_name_goes_on_byte_for_byte_and_the_gate_leaves() throws Exception {
    byte[] hello = clientHello("web.test");
    Capture capture = new Capture();
    EmbeddedChannel ch = gated(snapshot(PT, WEB), capture);
    // In two pieces, as a slow client sends it.
    ch.writeInbound(Unpooled.wrappedBuffer(hello, 0, 10));
    assertThat(capture.seen).isEmpty();
    ch.writeInbound(Unpooled.wrappedBuffer(hello, 10, hello.length - 10));
    assertThat(capture.seen.stream().mapToInt(b -> b.length).sum()).isEqualTo(hello.length);
    assertThat(ch.pipeline().get(PassthroughGate.NAME)).isNull();
    assertThat(ch.isOpen()).isTrue();
    ch.finishAndReleaseAll();
    assertThat(counts()).containsExactly(PassthroughStats.Outcome.TERMINATED);
  }

  @Test
  void a_client_that_leaves_before_its_whole_client_hello_is_counted_once() throws Exception {
    byte[] hello = clientHello("pt.test");
    EmbeddedChannel ch = gated(snapshot(PT, WEB), new Capture());
    ch.writeInbound(Unpooled.wrappedBuffer(hello, 0, 10));
    ch.close();
    ch.finishAndReleaseAll();
    assertThat(counts()).containsExactly(PassthroughStats.Outcome.NO_CLIENT_HELLO);
    assertThat(stats.open()).isZero();
  }

  /** Each outcome counted, once per time it was counted. */
  private List<PassthroughStats.Outcome> counts() {
    List<PassthroughStats.Outcome> out = new ArrayList<>();
    for (PassthroughStats.Outcome o : PassthroughStats.Outcome.values()) {
      for (long i = 0; i < stats.connections(o); i++) {
        out.add(o);
      }
    }
    return out;
  }

  @Test
  void an_unknown_name_gets_an_unrecognized_name_alert_and_a_close() throws Exception {
    Capture capture = new Capture();
    EmbeddedChannel ch = gated(snapshot(PT, WEB), capture);
    ch.writeInbound(Unpooled.wrappedBuffer(clientHello("nope.test")));
    ByteBuf alert = ch.readOutbound();
    assertThat(ByteBufUtil.getBytes(alert))
        .containsExactly(0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x70);
    alert.release();
    assertThat(ch.isOpen()).isFalse();
    assertThat(capture.seen).isEmpty();
    assertThat(counts()).containsExactly(PassthroughStats.Outcome.REFUSED);
  }

  @Test
  void an_unknown_name_on_a_gateway_socket_is_closed_without_a_tls_answer() throws Exception {
    Capture capture = new Capture();
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.pipeline()
        .addLast(
            PassthroughGate.NAME,
            new PassthroughGate(passthrough(snapshot(PT, WEB)), NioSocketChannel::new, null, 1));
    ch.pipeline().addLast(capture);
    ch.writeInbound(Unpooled.wrappedBuffer(clientHello("nope.test")));
    assertThat((Object) ch.readOutbound()).isNull();
    assertThat(ch.isOpen()).isFalse();
    assertThat(capture.seen).isEmpty();
    assertThat(counts()).containsExactly(PassthroughStats.Outcome.REFUSED);
  }

  @Test
  void bytes_that_are_not_tls_are_refused_without_a_catch_all() {
    Capture capture = new Capture();
    EmbeddedChannel ch = gated(snapshot(PT, WEB), capture);
    ch.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: pt.test\r\n\r\n".getBytes()));
    assertThat(ch.isOpen()).isFalse();
    assertThat(capture.seen).isEmpty();
    ch.finishAndReleaseAll();
    assertThat(counts()).containsExactly(PassthroughStats.Outcome.REFUSED);
  }

  @Test
  void the_gate_goes_in_before_the_tls_handler_only_while_a_route_passes_through()
      throws Exception {
    for (RouteSnapshot s : List.of(snapshot(WEB), RouteSnapshot.empty())) {
      EmbeddedChannel ch = new EmbeddedChannel();
      ch.pipeline().addLast("ssl", new SslHandler(SSLContext.getDefault().createSSLEngine()));
      passthrough(s).install(ch, NioSocketChannel::new, null, OWN);
      assertThat(ch.pipeline().names()).doesNotContain(PassthroughGate.NAME);
      ch.finishAndReleaseAll();
    }
    // the node's passthrough routes are not a Gateway socket's (slot 1 and up)
    EmbeddedChannel other = new EmbeddedChannel();
    other.pipeline().addLast("ssl", new SslHandler(SSLContext.getDefault().createSSLEngine()));
    passthrough(snapshot(PT)).install(other, NioSocketChannel::new, null, 1);
    assertThat(other.pipeline().names()).doesNotContain(PassthroughGate.NAME);
    other.finishAndReleaseAll();
    EmbeddedChannel ch = new EmbeddedChannel();
    SSLEngine server = SSLContext.getDefault().createSSLEngine();
    server.setUseClientMode(false);
    ch.pipeline().addLast("ssl", new SslHandler(server));
    passthrough(snapshot(PT)).install(ch, NioSocketChannel::new, null, OWN);
    List<String> names = ch.pipeline().names();
    assertThat(names.indexOf(PassthroughGate.NAME)).isEqualTo(names.indexOf("ssl") - 1);
    ch.finishAndReleaseAll();
  }
}
