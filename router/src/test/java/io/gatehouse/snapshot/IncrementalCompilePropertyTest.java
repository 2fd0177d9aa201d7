package io.gatehouse.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.gatehouse.endpoint.EndpointIndex;
import io.gatehouse.endpoint.EndpointSet;
import io.gatehouse.endpoint.EndpointsKey;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.ClientAuth;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.HeaderMatch;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.UpstreamTls;
import io.gatehouse.model.ValueMatchType;
import io.gatehouse.policy.ClientCertificateCheck;
import io.gatehouse.table.TableView;
import io.gatehouse.testing.TestPki;
import io.gatehouse.upstream.Balancer;
import io.gatehouse.upstream.Balancers;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Incremental compile serves exactly what a full compile of the same view serves: random sequences
 * of puts, removes and endpoint changes (alone, or several merged into one compile as the debounce
 * does) over a small universe of hosts, paths, conditions and backends, where routes collide often.
 * Some routes ask for client certificates (one with a CA bundle that cannot be used, so it is
 * dropped) and some backends are reached over upstream TLS, whose setting changes apart from the
 * endpoints. Some routes split across two backends (weights 0, 1 or 3), whose endpoints change one
 * backend at a time. Some routes' wildcards cover any number of labels (Gateway API hostnames).
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class IncrementalCompilePropertyTest {
  private static final String[] REQUEST_HOSTS = {
    null, "a.test", "b.test", "x.w.test", "y.w.test", "other.test", "p.q.w.test", "r.p.q.w.test"
  };
  private static final String[] REQUEST_PATHS = {
    "/", "/api", "/api/", "/api/v1", "/api/v1/z", "/x", "/r12", "/zzz"
  };
  private static final List<List<String>> HOSTS =
      List.of(
          List.of(),
          List.of("a.test"),
          List.of("b.test"),
          List.of("*.w.test"),
          List.of("*.q.w.test"),
          List.of("a.test", "*.w.test"),
          List.of("x.w.test", "b.test"),
          List.of("A.Test"),
          List.of("bad host!"),
          List.of("a.test", "bad host!"));
  private static final List<List<PathMatch>> PATHS =
      List.of(
          List.of(),
          List.of(PathMatch.prefix("/")),
          List.of(PathMatch.prefix("/api")),
          List.of(PathMatch.prefix("/api/v1"), PathMatch.exact("/x")),
          List.of(PathMatch.exact("/api")),
          List.of(PathMatch.regex("/r[0-9]+")),
          List.of(PathMatch.regex("("), PathMatch.prefix("/api/v1")),
          List.of(PathMatch.exact("nope")));
  private static final String[] SNI_NAMES = {
    "a.test", "b.test", "x.w.test", "A.TEST.", "other.test", "p.q.w.test", ""
  };
  private static final List<List<String>> TLS_HOSTS =
      List.of(List.of("a.test"), List.of("*.w.test"), List.of("a.test", "*.w.test"));
  private static final String CA_PEM = TestPki.ca("property CA").caPem();
  private static final List<ClientAuth> CLIENT_AUTHS =
      List.of(
          ClientAuth.NONE,
          ClientAuth.optional(CA_PEM),
          ClientAuth.required(CA_PEM),
          ClientAuth.required("junk"));

  /** Index 0: plain TCP. */
  private static final List<UpstreamTls> UPSTREAM_TLS =
      List.of(
          UpstreamTls.DEFAULT,
          UpstreamTls.DEFAULT,
          UpstreamTls.DEFAULT.withServerName("svc.internal"),
          UpstreamTls.withCa(CA_PEM));

  private static final int KEYS = 8;
  private static final int ENDPOINT_SETS = 4;

  @Test
  void incremental_compile_serves_what_a_full_compile_serves() {
    qt().withExamples(300)
        .withShrinkCycles(200)
        .forAll(lists().of(integers().all()).ofSizeBetween(1, 40))
        .checkAssert(IncrementalCompilePropertyTest::replay);
  }

  /**
   * Each code is one batch of one to three changes, then one incremental and one full compile; now
   * and then a full rebuild replaces the incremental one, as the publisher's fallback does.
   */
  private static void replay(List<Integer> codes) {
    Map<RouteKey, RouteSpec> routes = new HashMap<>();
    EndpointIndex index = new EndpointIndex();
    SnapshotCompiler compiler = new SnapshotCompiler(index);
    TableView view = new TableView(1, routes);
    RouteSnapshot incremental = compiler.update(view);
    compiler.afterPublish();
    Balancers balancers = new Balancers();
    for (int step = 0; step < codes.size(); step++) {
      SplittableRandom random = new SplittableRandom(codes.get(step));
      int changes = 1 + random.nextInt(3);
      for (int c = 0; c < changes; c++) {
        change(routes, random);
      }
      TableView next = new TableView(view.generation() + 1, routes);
      incremental = random.nextInt(5) == 0 ? compiler.rebuild(next) : compiler.update(next);
      compiler.afterPublish();
      view = next;
      RouteSnapshot full = SnapshotCompiler.compile(view);
      String context = "step " + step + " " + routes.values();
      assertSameService(incremental, index, full, context);
      // The index holds exactly the keys of the compiled routes' targets, each with its
      // backend's endpoints.
      assertThat(index.size())
          .as(context)
          .isEqualTo(incremental.routes().stream().mapToInt(r -> r.targets().size()).sum());
      for (CompiledRoute r : incremental.routes()) {
        for (int i = 0; i < r.targets().size(); i++) {
          Target t = r.targets().get(i);
          // One key per backend (its variant moves when a recompile changes its endpoints too),
          // holding the table's endpoints (the compiled spec may be older: endpoint-only changes
          // keep it).
          assertThat(t.key()).as(context).isInstanceOf(EndpointsKey.Inline.class);
          EndpointsKey.Inline key = (EndpointsKey.Inline) t.key();
          assertThat(key.route()).as(context).isEqualTo(r.spec().key());
          assertThat(key.backend()).as(context).isEqualTo(i);
          BackendSpec now = (BackendSpec) routes.get(key.route()).backends().get(i).ref();
          assertThat(index.get(t.slot()).endpoints())
              .as(context)
              .isEqualTo(EndpointSet.sorted(now.endpoints()));
          assertThat(index.get(key))
              .as("%s set of %s", context, r.id())
              .isSameAs(index.get(t.slot()));
          Balancer b = balancers.forSlot(t.slot(), t.key(), index.get(t.slot()));
          assertThat(b.set()).as("balancer of %s", r.id()).isSameAs(index.get(t.slot()));
        }
      }
    }
  }

  private static void change(Map<RouteKey, RouteSpec> routes, SplittableRandom random) {
    RouteKey key = key(random.nextInt(KEYS));
    switch (random.nextInt(8)) {
      case 0, 1 -> routes.put(key, randomRoute(key, random));
      case 2 -> routes.remove(key);
      case 3 -> {
        // One backend's endpoints alone.
        RouteSpec r = routes.get(key);
        if (r != null) {
          int i = random.nextInt(r.backends().size());
          routes.put(key, withBackend(r, i, backend(random.nextInt(ENDPOINT_SETS), backend(r, i))));
        }
      }
      case 4 -> {
        // One backend's upstream TLS setting alone (same endpoints): never endpoint-only.
        RouteSpec r = routes.get(key);
        if (r != null) {
          int i = random.nextInt(r.backends().size());
          routes.put(key, withBackend(r, i, backend(r, i).withTls(upstreamTls(random))));
        }
      }
      case 5 -> {
        // One route's own TLS: client certificates switched on, off or to other hosts.
        RouteSpec r = routes.get(key);
        if (r != null) {
          routes.put(key, r.withTls(tls(random)));
        }
      }
      default -> {
        // A service's endpoints change: every route on that backend follows (Endpoints update).
        UpstreamTls tls = upstreamTls(random);
        BackendSpec from =
            backend(random.nextInt(ENDPOINT_SETS), UpstreamProtocol.HTTP1).withTls(tls);
        BackendSpec to =
            backend(random.nextInt(ENDPOINT_SETS), UpstreamProtocol.HTTP1).withTls(tls);
        routes.replaceAll((k, r) -> from.equals(r.staticBackend()) ? r.withBackend(to) : r);
      }
    }
  }

  private static RouteSpec randomRoute(RouteKey key, SplittableRandom random) {
    Set<String> methods = random.nextInt(4) == 0 ? Set.of("POST") : Set.of();
    List<HeaderMatch> headers =
        random.nextInt(4) == 0
            ? List.of(new HeaderMatch("x-h", ValueMatchType.EXACT, "1"))
            : List.of();
    UpstreamProtocol protocol =
        random.nextInt(5) == 0 ? UpstreamProtocol.H2C : UpstreamProtocol.HTTP1;
    RouteSpec one = oneBackend(key, random, methods, headers, protocol);
    if (random.nextInt(4) == 0) {
      one = one.withWildcardsAnyDepth(true); // a Gateway API route: wildcards of any depth
    }
    if (random.nextInt(4) != 0) {
      return one;
    }
    int[] weights = {0, 1, 3};
    return one.withBackends(
        List.of(
            new RouteBackend(one.backend(), weights[random.nextInt(3)]),
            new RouteBackend(
                backend(random.nextInt(ENDPOINT_SETS), UpstreamProtocol.HTTP1)
                    .withTls(upstreamTls(random)),
                weights[random.nextInt(3)])));
  }

  private static RouteSpec oneBackend(
      RouteKey key,
      SplittableRandom random,
      Set<String> methods,
      List<HeaderMatch> headers,
      UpstreamProtocol protocol) {
    return new RouteSpec(
        key,
        HOSTS.get(random.nextInt(HOSTS.size())),
        PATHS.get(random.nextInt(PATHS.size())),
        methods,
        headers,
        List.of(),
        backend(random.nextInt(ENDPOINT_SETS), protocol).withTls(upstreamTls(random)),
        null,
        null,
        random.nextInt(2),
        tls(random));
  }

  /** Null (plain TCP) half the time. */
  private static UpstreamTls upstreamTls(SplittableRandom random) {
    int i = random.nextInt(2 * UPSTREAM_TLS.size());
    return i < UPSTREAM_TLS.size() ? null : UPSTREAM_TLS.get(i - UPSTREAM_TLS.size());
  }

  /** Null half the time; otherwise HTTPS on some hosts, with or without client certificates. */
  private static TlsSpec tls(SplittableRandom random) {
    if (random.nextBoolean()) {
      return null;
    }
    return TlsSpec.of(TLS_HOSTS.get(random.nextInt(TLS_HOSTS.size())), "www")
        .withClientAuth(CLIENT_AUTHS.get(random.nextInt(CLIENT_AUTHS.size())));
  }

  /** Another endpoint set, same protocol and upstream TLS setting. */
  private static BackendSpec backend(int set, BackendSpec like) {
    return backend(set, like.protocol()).withTls(like.tls());
  }

  private static BackendSpec backend(RouteSpec r, int i) {
    return (BackendSpec) r.backends().get(i).ref();
  }

  /** {@code r} with backend {@code i} replaced, at the same weight. */
  private static RouteSpec withBackend(RouteSpec r, int i, BackendSpec b) {
    List<RouteBackend> backends = new ArrayList<>(r.backends());
    backends.set(i, new RouteBackend(b, backends.get(i).weight()));
    return r.withBackends(backends);
  }

  private static BackendSpec backend(int set, UpstreamProtocol protocol) {
    List<Endpoint> eps = new ArrayList<>();
    eps.add(Endpoint.of("e" + set + ".internal", 8080));
    if (set % 2 == 1) {
      eps.add(Endpoint.of("e" + set + "b.internal", 8080));
    }
    return new BackendSpec(protocol, eps);
  }

  private static RouteKey key(int i) {
    return RouteKey.of("t1", "api", "r" + i);
  }

  /**
   * Same route and target for every request, same routes and problems; the endpoints of the
   * incremental compile are read from {@code index}, those of the full compile from its specs.
   */
  static void assertSameService(
      RouteSnapshot incremental, EndpointIndex index, RouteSnapshot full, String context) {
    assertThat(incremental.generation()).isEqualTo(full.generation());
    assertThat(ids(incremental)).as(context).isEqualTo(ids(full));
    assertThat(incremental.problems()).as(context).isEqualTo(full.problems());
    assertThat(incremental.upstreamTlsSettings())
        .as("%s upstream TLS settings", context)
        .isEqualTo(full.upstreamTlsSettings());
    for (CompiledRoute r : incremental.routes()) {
      CompiledRoute f = full.route(r.spec().key());
      assertThat(backendOf(index, r))
          .as("%s backend of %s", context, r.id())
          .isEqualTo(backendOf(f));
      assertThat(clientCertificates(r))
          .as("%s client certificates of %s", context, r.id())
          .isEqualTo(clientCertificates(f));
      assertThat(r.spec().tls()).as("%s tls of %s", context, r.id()).isEqualTo(f.spec().tls());
    }
    for (String name : SNI_NAMES) {
      assertThat(incremental.asksForClientCertificate(name))
          .as("%s asks on %s", context, name)
          .isEqualTo(full.asksForClientCertificate(name));
      assertThat(incremental.asksByWildcardOnly(name))
          .as("%s asks by wildcard only on %s", context, name)
          .isEqualTo(full.asksByWildcardOnly(name));
    }
    for (String host : REQUEST_HOSTS) {
      for (String path : REQUEST_PATHS) {
        for (String method : List.of("GET", "POST")) {
          for (boolean header : new boolean[] {false, true}) {
            Routes.Request req = Routes.req(host, path).method(method);
            if (header) {
              req.header("x-h", "1");
            }
            CompiledRoute a = incremental.match(host, path, req);
            CompiledRoute b = full.match(host, path, req);
            assertThat(a == null ? null : a.id())
                .as("%s: %s", context, req)
                .isEqualTo(b == null ? null : b.id());
            if (a != null) {
              assertThat(backendOf(index, a)).as("%s: %s", context, req).isEqualTo(backendOf(b));
            }
          }
        }
      }
    }
  }

  /** "none", "optional" or "required": checks are compared by what they ask, not by identity. */
  private static String clientCertificates(CompiledRoute r) {
    ClientCertificateCheck c = r.clientCertificates();
    return c == null ? "none" : c.required() ? "required" : "optional";
  }

  private static List<String> ids(RouteSnapshot s) {
    return s.routes().stream().map(CompiledRoute::id).toList();
  }

  /**
   * Protocol, upstream TLS, endpoints (sorted as the index keeps them) and weight of one backend
   * the route serves; split weights are the compiled split's (reduced), 1 without a split.
   */
  private record Served(
      UpstreamProtocol protocol, UpstreamTls tls, List<Endpoint> endpoints, int weight) {}

  private static List<Served> backendOf(EndpointIndex index, CompiledRoute r) {
    List<Served> out = new ArrayList<>();
    for (int i = 0; i < r.targets().size(); i++) {
      Target t = r.targets().get(i);
      int w = r.split() == null ? 1 : r.split().weight(i);
      out.add(new Served(t.protocol(), t.tls(), index.get(t.slot()).endpoints(), w));
    }
    return out;
  }

  /** A full compile's route serves its spec's backends. */
  private static List<Served> backendOf(CompiledRoute r) {
    List<Served> out = new ArrayList<>();
    for (int i = 0; i < r.targets().size(); i++) {
      BackendSpec b = (BackendSpec) r.spec().backends().get(i).ref();
      Target t = r.targets().get(i);
      EndpointSet sorted = new EndpointSet(t.key(), b.endpoints(), 1);
      assertThat(t.protocol()).isEqualTo(b.protocol());
      assertThat(t.tls()).isEqualTo(b.tls());
      assertThat(t.weight()).isEqualTo(r.spec().backends().get(i).weight());
      int w = r.split() == null ? 1 : r.split().weight(i);
      out.add(new Served(b.protocol(), b.tls(), sorted.endpoints(), w));
    }
    return out;
  }
}
