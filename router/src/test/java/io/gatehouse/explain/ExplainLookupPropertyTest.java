package io.gatehouse.explain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import io.gatehouse.admin.Explainer.Explanation;
import io.gatehouse.admin.Explainer.Invalid;
import io.gatehouse.admin.Explainer.PassedOver;
import io.gatehouse.admin.Explainer.Question;
import io.gatehouse.admin.Explainer.Result;
import io.gatehouse.edge.QueryParams;
import io.gatehouse.edge.RequestPaths;
import io.gatehouse.endpoint.EndpointIndex;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.HeaderMatch;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.QueryMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TenantId;
import io.gatehouse.model.ValueMatchType;
import io.gatehouse.snapshot.CompiledRoute;
import io.gatehouse.snapshot.RequestView;
import io.gatehouse.snapshot.RouteSnapshot;
import io.gatehouse.snapshot.SnapshotCompiler;
import io.gatehouse.table.TableView;
import io.gatehouse.validate.Hostnames;
import io.gatehouse.validate.RouteValidator;
import io.gatehouse.validate.Validated;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Explain tells the truth: over random route sets of several tenants (exact and wildcard hosts,
 * catch-alls, Exact, Prefix and RegularExpression paths, methods, header and query conditions,
 * priorities), compiled as the node compiles them, the route explain names for a random request is
 * the route the data plane's {@link RouteSnapshot#match} selects, seen through the viewer's tenant;
 * when it names none, the data plane selects none (or another tenant's route) and the host level it
 * reports is the one the snapshot's hosts select. The universe is small so routes collide often.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ExplainLookupPropertyTest {
  private static final String[] TENANTS = {"acme", "beta", "gamma"};
  private static final List<List<String>> HOSTS =
      List.of(
          List.of(),
          List.of(),
          List.of("a.test"),
          List.of("a.test"),
          List.of("b.test"),
          List.of("*.w.test"),
          List.of("x.w.test"),
          List.of("a.test", "*.w.test"),
          List.of("*.a.test"),
          List.of("w.test"));
  private static final List<PathMatch> PATHS =
      List.of(
          PathMatch.exact("/"),
          PathMatch.exact("/api"),
          PathMatch.exact("/api/v1"),
          PathMatch.prefix("/"),
          PathMatch.prefix("/api"),
          PathMatch.prefix("/api/v1"),
          PathMatch.prefix("/api/v1/z"),
          PathMatch.prefix("/x"),
          PathMatch.regex("/api/.*"),
          PathMatch.regex("/r[0-9]+"),
          PathMatch.regex("/api/v[12]"),
          PathMatch.regex(".*"));
  private static final List<Set<String>> METHODS =
      List.of(Set.of(), Set.of(), Set.of("GET"), Set.of("POST"), Set.of("GET", "POST"));
  private static final List<List<HeaderMatch>> HEADERS =
      List.of(
          List.of(),
          List.of(),
          List.of(new HeaderMatch("x-h", ValueMatchType.EXACT, "1")),
          List.of(new HeaderMatch("x-h", ValueMatchType.PRESENT, null)),
          List.of(new HeaderMatch("x-v", ValueMatchType.REGULAR_EXPRESSION, "v[0-9]")),
          List.of(
              new HeaderMatch("x-h", ValueMatchType.EXACT, "1"),
              new HeaderMatch("x-v", ValueMatchType.PRESENT, null)));
  private static final List<List<QueryMatch>> QUERIES =
      List.of(
          List.of(),
          List.of(),
          List.of(new QueryMatch("q", ValueMatchType.EXACT, "1")),
          List.of(new QueryMatch("q", ValueMatchType.PRESENT, null)),
          List.of(new QueryMatch("q", ValueMatchType.REGULAR_EXPRESSION, "[0-9]+")));

  private static final String[] REQUEST_HOSTS = {
    "a.test",
    "A.TEST",
    "a.test:8080",
    "a.test.",
    "b.test",
    "x.w.test",
    "y.w.test",
    "p.q.w.test",
    "w.test",
    "b.a.test",
    "other.test",
    "127.0.0.1",
    "[::1]:80",
    "bad host"
  };
  private static final String[] REQUEST_PATHS = {
    "/",
    "",
    "/api",
    "/api/",
    "/api/v1",
    "/api/v1/",
    "/api/v1/z",
    "/api/v1/zz",
    "/api/v2",
    "/api//v1",
    "/api/./v1",
    "/api/x/../v1",
    "/api%2Fv1",
    "/%61pi",
    "/x",
    "/x/y",
    "/xy",
    "/r12",
    "/r",
    "/API",
    "/%zz",
    "/zzz"
  };
  private static final String[] METHOD_NAMES = {"GET", "POST", "PUT"};
  private static final String[] QUERY_STRINGS = {
    null, "", "q=1", "q=2", "q", "q=", "a=1&q=1", "q=%31", "q=1+", "Q=1", "q=x&q=1", "a&q=12"
  };

  @Test
  void explain_names_the_route_the_data_plane_serves() {
    qt().withExamples(400)
        .withShrinkCycles(100)
        .forAll(integers().all())
        .checkAssert(ExplainLookupPropertyTest::check);
  }

  private static void check(int seed) {
    SplittableRandom random = new SplittableRandom(seed);
    // Compiled as the node does: one compiler over the node's endpoint index, generation after
    // generation (incremental), then explained over that same index.
    Map<RouteKey, RouteSpec> routes = new HashMap<>();
    EndpointIndex endpoints = new EndpointIndex();
    SnapshotCompiler compiler = new SnapshotCompiler(endpoints);
    RouteSnapshot snapshot = null;
    int generations = 1 + random.nextInt(3);
    for (int g = 1; g <= generations; g++) {
      int puts = 2 + random.nextInt(8);
      for (int i = 0; i < puts; i++) {
        RouteSpec r = randomRoute(random);
        if (r != null) {
          routes.put(r.key(), r);
        }
      }
      snapshot = compiler.update(new TableView(g, routes));
      compiler.afterPublish();
    }
    RouteSnapshot served = snapshot;
    NodeExplainer explainer =
        new NodeExplainer(() -> served, endpoints, () -> null, () -> 0, spec -> 1L, "");
    for (int n = 0; n < 40; n++) {
      checkRequest(served, explainer, random, "seed " + seed + " routes " + routes.values());
    }
  }

  private static void checkRequest(
      RouteSnapshot snapshot, NodeExplainer explainer, SplittableRandom random, String context) {
    String rawHost = REQUEST_HOSTS[random.nextInt(REQUEST_HOSTS.length)];
    String rawPath = REQUEST_PATHS[random.nextInt(REQUEST_PATHS.length)];
    String method = METHOD_NAMES[random.nextInt(METHOD_NAMES.length)];
    String query = QUERY_STRINGS[random.nextInt(QUERY_STRINGS.length)];
    Map<String, String> headers = new LinkedHashMap<>();
    if (random.nextBoolean()) {
      headers.put("x-h", random.nextBoolean() ? "1" : "2");
    }
    if (random.nextBoolean()) {
      headers.put("x-v", random.nextBoolean() ? "v7" : "vv");
    }
    TenantId viewer =
        random.nextInt(3) == 0 ? null : TenantId.of(TENANTS[random.nextInt(TENANTS.length)]);
    String url = "http://" + rawHost + rawPath + (query == null ? "" : "?" + query);
    String where = context + " request " + method + " " + url + " " + headers + " as " + viewer;

    // The data plane: the edge's normalisation (RequestGuard), then the snapshot's lookup.
    Optional<String> host = Hostnames.normalizeRequestHost(rawHost);
    String path = RequestPaths.normalize(rawPath.isEmpty() ? "/" : rawPath);
    Result result = explainer.explain(new Question(method, url, headers, null), viewer);
    if (host.isEmpty() || path == null) {
      assertThat(result).as(where).isInstanceOf(Invalid.class);
      return;
    }
    CompiledRoute served =
        snapshot.match(host.get(), path, new DataPlaneView(method, headers, query));

    assertThat(result).as(where).isInstanceOf(Explanation.class);
    Explanation e = (Explanation) result;
    boolean visible =
        served != null && (viewer == null || served.spec().key().tenant().equals(viewer));
    assertThat(
            e.route() == null
                ? null
                : e.route().tenant() + "/" + e.route().source() + "/" + e.route().name())
        .as(where)
        .isEqualTo(visible ? served.spec().key().toString() : null);
    for (PassedOver p : e.reason().passedOver()) {
      assertThat(p.route()).as(where).isNotEqualTo(e.route() == null ? null : keyOf(e));
      if (viewer != null) {
        // Never another tenant's route, not even as one passed over.
        assertThat(p.route()).as(where).startsWith(viewer.value() + "/");
      }
    }
    if (e.route() != null) {
      assertThat(e.outcome()).as(where).isEqualTo("proxy");
      assertThat(e.reason().hostLevel()).as(where).isEqualTo(level(snapshot, host.get()));
      assertThat(e.reason().pathType()).as(where).isNotNull();
      return;
    }
    // Why not: nothing (of this tenant) serves it, and the level named is the one selected.
    assertThat(e.outcome()).as(where).isEqualTo("defaultBackend");
    assertThat(e.reason().detail()).as(where).isNotNull();
    if (served == null && viewer == null) {
      assertThat(e.reason().hostLevel()).as(where).isEqualTo(level(snapshot, host.get()));
    }
  }

  private static String keyOf(Explanation e) {
    return e.route().tenant() + "/" + e.route().source() + "/" + e.route().name();
  }

  /**
   * The host level a request host selects, worked out from the served routes' hosts alone (exact,
   * else a one-label wildcard, else the routes without hosts), independently of the host index.
   */
  private static String level(RouteSnapshot snapshot, String host) {
    boolean catchAll = false;
    boolean wildcard = false;
    String suffix = Hostnames.wildcardSuffix(host);
    for (CompiledRoute r : snapshot.routes()) {
      List<String> hosts = r.spec().hosts();
      if (hosts.contains(host)) {
        return "exact";
      }
      wildcard |= suffix != null && hosts.contains("*." + suffix);
      catchAll |= hosts.isEmpty();
    }
    return wildcard ? "wildcard" : catchAll ? "catchAll" : "none";
  }

  /** A valid route of a random tenant, or null when the validator refuses the combination. */
  private static RouteSpec randomRoute(SplittableRandom random) {
    RouteKey key =
        RouteKey.of(TENANTS[random.nextInt(TENANTS.length)], "api", "r" + random.nextInt(6));
    List<PathMatch> paths = new ArrayList<>();
    int count = random.nextInt(3);
    for (int i = 0; i < count; i++) {
      PathMatch p = PATHS.get(random.nextInt(PATHS.size()));
      if (!paths.contains(p)) {
        paths.add(p);
      }
    }
    RouteSpec spec =
        new RouteSpec(
            key,
            HOSTS.get(random.nextInt(HOSTS.size())),
            paths,
            METHODS.get(random.nextInt(METHODS.size())),
            HEADERS.get(random.nextInt(HEADERS.size())),
            QUERIES.get(random.nextInt(QUERIES.size())),
            BackendSpec.http1(List.of(Endpoint.of("10.0.0." + (1 + random.nextInt(4)), 80))),
            null,
            null,
            random.nextInt(3) - 1,
            null);
    Validated<RouteSpec> v = RouteValidator.validate(spec);
    return v.isValid() ? v.value() : null;
  }

  /**
   * The request as {@code ProxyExchange} shows it to the route conditions: the method as sent, the
   * first value of a header, and a query parameter decoded as the exchange decodes it.
   */
  private record DataPlaneView(String method, Map<String, String> headers, String query)
      implements RequestView {
    @Override
    public String header(String lowerCaseName) {
      for (Map.Entry<String, String> h : headers.entrySet()) {
        if (h.getKey().toLowerCase(Locale.ROOT).equals(lowerCaseName)) {
          return h.getValue();
        }
      }
      return null;
    }

    @Override
    public String queryParam(String name) {
      return QueryParams.first(query, name);
    }
  }
}
