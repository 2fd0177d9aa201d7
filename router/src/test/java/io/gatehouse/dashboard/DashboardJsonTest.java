package io.gatehouse.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.endpoint.EndpointIndex;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.policy.BasicAuth;
import io.gatehouse.policy.PasswordChecks;
import io.gatehouse.policy.PolicyServices;
import io.gatehouse.snapshot.RouteSnapshot;
import io.gatehouse.snapshot.SnapshotCompiler;
import io.gatehouse.snapshot.SnapshotHolder;
import io.gatehouse.table.TableView;
import io.gatehouse.testing.MutableClock;
import io.gatehouse.testing.NodeFixture;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The dashboard's JSON: its shape, its filters, and that no secret reaches it. */
class DashboardJsonTest {
  /** A password hash a BasicAuth policy holds: it must never reach the dashboard. */
  private static final String HASH =
      "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$"
          + "7hAfyWA3F4iBZ2/JeRFx8i5RbzaYd0O7FiOXf3jRmkA";

  private static final String PLANTED = "PLANTED-SECRET-0123456789";

  private static final RouteSpec WEB =
      NodeFixture.valid(
          RouteSpec.simple(
              RouteKey.of("acme", "rest", "web"),
              List.of("www.acme.example"),
              List.of(PathMatch.prefix("/")),
              BackendSpec.http1(
                  List.of(Endpoint.of("10.0.0.1", 80), Endpoint.of("10.0.0.2", 80)))));

  private static final RouteSpec STAFF =
      NodeFixture.valid(
          RouteSpec.simple(
                  RouteKey.of("beta", "file", "staff"),
                  List.of("staff.beta.example"),
                  List.of(PathMatch.exact("/admin")),
                  BackendSpec.http1(List.of(Endpoint.of("10.0.0.9", 8080))))
              .withPolicies(
                  List.of(
                      new BasicAuth("staff", List.of(new BasicAuth.User("alice", HASH)), false))));

  private final EndpointIndex endpoints = new EndpointIndex();
  private final SnapshotHolder snapshots = new SnapshotHolder();
  private final RequestRates rates = new RequestRates();
  private JsonObject status = status();
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T21:00:00Z"));
  private final DashboardJson json =
      new DashboardJson(snapshots, endpoints, () -> status, rates, clock);

  /** A clock the test moves. */
  @BeforeEach
  void publish() {
    Map<RouteKey, io.gatehouse.model.RouteSpec> routes = new HashMap<>();
    routes.put(WEB.key(), WEB);
    routes.put(STAFF.key(), STAFF);
    SnapshotCompiler compiler = new SnapshotCompiler(endpoints);
    // a Basic auth route compiles only with a node's password checks; this one never checks
    compiler.policyServices(
        new PolicyServices() {
          @Override
          public PasswordChecks passwordChecks() {
            return (user, password, hash, waiter) -> PasswordChecks.Verdict.MISMATCH;
          }
        });
    RouteSnapshot s = compiler.rebuild(new TableView(42, routes));
    assertThat(s.problems()).isEmpty();
    snapshots.publish(s).join();
  }

  /**
   * The node's status as {@code GatehouseNode.statusJson} makes it, with fields planted where a
   * careless copy would pass them on.
   */
  private static JsonObject status() {
    return new JsonObject()
        .put("ready", true)
        .put("draining", false)
        .put("generation", 42)
        .put("routes", 2)
        .put("inFlight", 3)
        .put("uptimeSeconds", 61)
        .put("version", "0.1.0-test")
        .put("adminToken", PLANTED)
        .put(
            "problems",
            new JsonArray()
                .add(
                    new JsonObject()
                        .put("route", "k8s/ns/bad")
                        .put("reason", "paths[0]: \"x\" (expected: starts with '/')")
                        .put("spec", PLANTED)))
        .put(
            "fileSource",
            new JsonObject()
                .put("file", "/etc/gatehouse/routes.yaml")
                .put("routes", 4)
                .put("lastError", "line 3: bad"))
        .put(
            "cluster",
            new JsonObject()
                .put("enabled", true)
                .put("name", "edge")
                .put("tableGeneration", 43)
                .put("joinToken", PLANTED)
                .put(
                    "members",
                    new JsonArray()
                        .add(
                            new JsonObject()
                                .put("id", "m1")
                                .put("address", "10.1.0.1:5701")
                                .put("local", true)
                                .put("servedGeneration", 42)
                                .put("uptimeSeconds", 61)
                                .put("version", "0.1.0-test")
                                .put("secret", PLANTED))))
        .put(
            "certificates",
            new JsonArray()
                .add(
                    new JsonObject()
                        .put("name", "www")
                        .put("tenant", "acme")
                        .put("dnsNames", new JsonArray().add("www.acme.example"))
                        .put("notAfter", "2027-01-01T00:00:00Z")
                        .put("daysLeft", 25)
                        .put("source", "table")
                        .put("expiringSoon", true)
                        .put("privateKey", "-----BEGIN PRIVATE KEY-----" + PLANTED)))
        .put(
            "kubernetes",
            new JsonObject()
                .put("enabled", true)
                .put("synced", false)
                .put("token", PLANTED)
                .put(
                    "held",
                    new JsonArray()
                        .add(
                            new JsonObject()
                                .put("object", "shop/web")
                                .put("reason", "ClusterNotUpgraded")
                                .put("message", "a member runs an older release")
                                .put("spec", PLANTED))))
        .put(
            "health",
            new JsonObject()
                .put("ejected", new JsonArray())
                .put("failingChecks", new JsonArray().add("10.0.0.9:8080")));
  }

  @Test
  void the_overview_has_every_section() {
    JsonObject all = json.overview("", 0);
    assertThat(all.fieldNames()).containsExactlyInAnyOrderElementsOf(DashboardJson.SECTIONS);
    for (String name : DashboardJson.SECTIONS) {
      assertThat(json.section(name, "", 0)).as(name).isEqualTo(all.getValue(name));
    }
    assertThat(json.section("tokens", "", 0)).isNull();
  }

  @Test
  void a_route_shows_its_hosts_paths_backends_tenant_and_source() {
    JsonObject routes = json.overview("", 0).getJsonObject("routes");
    assertThat(routes.getLong("generation")).isEqualTo(42);
    assertThat(routes.getInteger("total")).isEqualTo(2);
    JsonObject web = routes.getJsonArray("items").getJsonObject(0);
    assertThat(web)
        .isEqualTo(
            new JsonObject()
                .put("id", "acme/rest/web")
                .put("tenant", "acme")
                .put("source", "rest")
                .put("name", "web")
                .put("hosts", new JsonArray().add("www.acme.example"))
                .put(
                    "paths",
                    new JsonArray().add(new JsonObject().put("type", "prefix").put("value", "/")))
                .put("methods", new JsonArray())
                .put(
                    "backends",
                    new JsonArray()
                        .add(
                            new JsonObject()
                                .put("kind", "endpoints")
                                .put("weight", 1)
                                .put("canary", false)
                                .put("backend", "acme/rest/web#0")))
                .put("tls", false)
                .put("policies", new JsonArray()));
  }

  @Test
  void policies_appear_by_kind_and_no_secret_reaches_the_answer() {
    JsonObject all = json.overview("", 0);
    JsonObject staff = all.getJsonObject("routes").getJsonArray("items").getJsonObject(1);
    assertThat(staff.getString("id")).isEqualTo("beta/file/staff");
    assertThat(staff.getJsonArray("policies")).containsExactly("BasicAuth");
    String text = all.encode();
    assertThat(text).doesNotContain(HASH).doesNotContain("argon2").doesNotContain("alice");
    assertThat(text).doesNotContain(PLANTED).doesNotContain("PRIVATE KEY");
    assertThat(text).doesNotContain("privateKey", "adminToken", "joinToken", "\"token\"");
  }

  @Test
  void nodes_certificates_and_problems_copy_the_status_fields_they_show() {
    JsonObject all = json.overview("", 0);
    assertThat(all.getJsonObject("node").getLong("generation")).isEqualTo(42);
    JsonObject nodes = all.getJsonObject("nodes");
    assertThat(nodes.getLong("tableGeneration")).isEqualTo(43);
    assertThat(nodes.getJsonArray("members").getJsonObject(0).fieldNames())
        .containsExactlyInAnyOrder(
            "id", "address", "local", "servedGeneration", "uptimeSeconds", "version");
    JsonObject cert = all.getJsonArray("certificates").getJsonObject(0);
    assertThat(cert.fieldNames())
        .containsExactlyInAnyOrder(
            "name", "tenant", "dnsNames", "notAfter", "daysLeft", "source", "expiringSoon");
    JsonObject problems = all.getJsonObject("problems");
    assertThat(problems.getJsonArray("routes").getJsonObject(0))
        .isEqualTo(
            new JsonObject()
                .put("route", "k8s/ns/bad")
                .put("reason", "paths[0]: \"x\" (expected: starts with '/')")
                .put("since", "2026-12-06T21:00:00Z"));
    assertThat(problems.getJsonObject("file").getString("lastError")).isEqualTo("line 3: bad");
    assertThat(problems.getJsonObject("kubernetes").getBoolean("synced")).isFalse();
    assertThat(problems.getJsonObject("kubernetes").getJsonArray("held"))
        .containsExactly(
            new JsonObject()
                .put("object", "shop/web")
                .put("reason", "ClusterNotUpgraded")
                .put("message", "a member runs an older release"));
    assertThat(problems.getJsonArray("failingChecks")).containsExactly("10.0.0.9:8080");
  }

  @Test
  void a_problem_keeps_the_time_it_was_first_seen_until_it_goes_away() {
    JsonObject first = json.overview("", 0).getJsonObject("problems");
    assertThat(first.getJsonObject("file").getString("since")).isEqualTo("2026-12-06T21:00:00Z");
    clock.advance(Duration.ofMinutes(5));
    JsonObject later = json.overview("", 0).getJsonObject("problems");
    assertThat(later.getJsonArray("routes").getJsonObject(0).getString("since"))
        .isEqualTo("2026-12-06T21:00:00Z");
    assertThat(later.getJsonObject("file").getString("since")).isEqualTo("2026-12-06T21:00:00Z");

    JsonArray saved = status.getJsonArray("problems");
    status.put("problems", new JsonArray());
    status.getJsonObject("fileSource").putNull("lastError");
    JsonObject gone = json.overview("", 0).getJsonObject("problems");
    assertThat(gone.getJsonArray("routes")).isEmpty();
    assertThat(gone.getJsonObject("file").containsKey("since")).isFalse();

    clock.advance(Duration.ofMinutes(1));
    status.put("problems", saved);
    assertThat(
            json.overview("", 0)
                .getJsonObject("problems")
                .getJsonArray("routes")
                .getJsonObject(0)
                .getString("since"))
        .isEqualTo("2026-12-06T21:06:00Z");
  }

  @Test
  void a_refused_configuration_reload_is_a_problem_until_a_reload_applies() {
    JsonObject reload =
        new JsonObject()
            .put("file", "/etc/gatehouse/gatehouse.yaml")
            .put("applied", 0)
            .put(
                "last",
                new JsonObject()
                    .put("at", "2026-12-06T20:59:30Z")
                    .put("result", "refused")
                    .put("detail", "configuration key \"http.port\" cannot change"));
    status.put("configReload", reload);
    JsonObject refused = json.overview("", 0).getJsonObject("problems");
    assertThat(refused.getJsonObject("configReload"))
        .isEqualTo(
            new JsonObject()
                .put("at", "2026-12-06T20:59:30Z")
                .put("result", "refused")
                .put("detail", "configuration key \"http.port\" cannot change")
                .put("file", "/etc/gatehouse/gatehouse.yaml")
                .put("since", "2026-12-06T20:59:30Z"));

    clock.advance(Duration.ofMinutes(2));
    reload
        .put("applied", 1)
        .put(
            "last",
            new JsonObject()
                .put("at", "2026-12-06T21:01:50Z")
                .put("result", "applied")
                .put("detail", "log.level"));
    JsonObject applied = json.overview("", 0).getJsonObject("problems");
    assertThat(applied.getValue("configReload")).isNull();
    JsonObject entry = recentOf(applied, "configReload").getJsonObject(0);
    assertThat(entry)
        .isEqualTo(
            new JsonObject()
                .put("kind", "configReload")
                .put("subject", "/etc/gatehouse/gatehouse.yaml")
                .put("message", "configuration key \"http.port\" cannot change")
                .put("appeared", "2026-12-06T20:59:30Z")
                .put("resolved", "2026-12-06T21:02:00Z"));
  }

  @Test
  void a_problem_that_went_away_stays_in_the_recent_list_as_resolved() {
    json.observeProblems();
    clock.advance(Duration.ofMinutes(3));
    status.getJsonObject("fileSource").putNull("lastError");
    json.observeProblems(); // the node's timer: no page is polling
    clock.advance(Duration.ofMinutes(1));
    status.getJsonObject("fileSource").put("lastError", "line 9: worse");
    JsonObject problems = json.overview("", 0).getJsonObject("problems");

    JsonArray file = recentOf(problems, "routesFile");
    assertThat(file).hasSize(2);
    // newest first; the fixed error keeps when it appeared and when it was resolved
    assertThat(file.getJsonObject(0))
        .isEqualTo(
            new JsonObject()
                .put("kind", "routesFile")
                .put("subject", "/etc/gatehouse/routes.yaml")
                .put("message", "line 9: worse")
                .put("appeared", "2026-12-06T21:04:00Z")
                .putNull("resolved"));
    assertThat(file.getJsonObject(1).getString("message")).isEqualTo("line 3: bad");
    assertThat(file.getJsonObject(1).getString("appeared")).isEqualTo("2026-12-06T21:00:00Z");
    assertThat(file.getJsonObject(1).getString("resolved")).isEqualTo("2026-12-06T21:03:00Z");
    // the problems still current are listed once each, not once per look
    assertThat(recentOf(problems, "route")).hasSize(1);
    assertThat(recentOf(problems, "endpoint"))
        .extracting(o -> ((JsonObject) o).getString("subject"))
        .containsExactly("10.0.0.9:8080");
    assertThat(recentOf(problems, "kubernetes"))
        .extracting(o -> ((JsonObject) o).getString("subject"))
        .containsExactlyInAnyOrder("controller", "Ingress shop/web");
  }

  @Test
  void the_recent_list_keeps_the_last_200_problems() {
    for (int i = 0; i < 250; i++) {
      status.getJsonObject("fileSource").put("lastError", "line " + i + ": bad");
      json.observeProblems();
      clock.advance(Duration.ofSeconds(1));
    }
    JsonArray recent = json.overview("", 0).getJsonObject("problems").getJsonArray("recent");
    assertThat(recent).hasSize(ProblemHistory.CAPACITY);
    assertThat(recent.getJsonObject(0).getString("message")).isEqualTo("line 249: bad");
    assertThat(recent.getJsonObject(0).getValue("resolved")).isNull();
    assertThat(recent.getJsonObject(1).getString("resolved")).isNotNull();
    // a problem current all along stays current, though its entry left the list
    assertThat(
            json.overview("", 0)
                .getJsonObject("problems")
                .getJsonArray("routes")
                .getJsonObject(0)
                .getString("since"))
        .isEqualTo("2026-12-06T21:00:00Z");
  }

  @Test
  void kubernetes_objects_refused_by_the_translation_are_copied_field_by_field() {
    status
        .getJsonObject("kubernetes")
        .put("synced", true)
        .put("problemsTotal", 1)
        .put(
            "problems",
            new JsonArray()
                .add(
                    new JsonObject()
                        .put("kind", "HTTPRoute")
                        .put("object", "shop/web parent shop/edge")
                        .put("reason", "NotAllowedByListeners")
                        .put("message", "no listener accepts the route")
                        .put("since", "2026-12-06T20:58:00Z")
                        .put("spec", PLANTED)));
    JsonObject problems = json.overview("", 0).getJsonObject("problems");
    JsonObject k8s = problems.getJsonObject("kubernetes");
    assertThat(k8s.getInteger("problemsTotal")).isEqualTo(1);
    assertThat(k8s.getJsonArray("problems").getJsonObject(0))
        .isEqualTo(
            new JsonObject()
                .put("kind", "HTTPRoute")
                .put("object", "shop/web parent shop/edge")
                .put("reason", "NotAllowedByListeners")
                .put("message", "no listener accepts the route")
                .put("since", "2026-12-06T20:58:00Z"));
    assertThat(problems.encode()).doesNotContain(PLANTED);
    assertThat(recentOf(problems, "kubernetes"))
        .extracting(o -> ((JsonObject) o).getString("subject"))
        .containsExactlyInAnyOrder("HTTPRoute shop/web parent shop/edge", "Ingress shop/web");
    // the node's own first-seen time, not this look's
    assertThat(recentOf(problems, "kubernetes"))
        .filteredOn(o -> ((JsonObject) o).getString("subject").startsWith("HTTPRoute"))
        .extracting(o -> ((JsonObject) o).getString("appeared"))
        .containsExactly("2026-12-06T20:58:00Z");
  }

  private static JsonArray recentOf(JsonObject problems, String kind) {
    JsonArray out = new JsonArray();
    for (Object o : problems.getJsonArray("recent")) {
      if (((JsonObject) o).getString("kind").equals(kind)) {
        out.add(o);
      }
    }
    return out;
  }

  @Test
  void without_a_cluster_kubernetes_or_routes_file_the_sections_are_still_there() {
    status =
        new JsonObject()
            .put("ready", false)
            .put("cluster", new JsonObject().put("enabled", false).put("members", new JsonArray()));
    JsonObject all = json.overview("", 0);
    JsonObject problems = all.getJsonObject("problems");
    assertThat(problems.getJsonArray("routes")).isEmpty();
    assertThat(problems.getValue("file")).isNull();
    assertThat(problems.getValue("kubernetes")).isNull();
    assertThat(problems.getValue("configReload")).isNull();
    assertThat(problems.getJsonArray("recent")).isEmpty();
    assertThat(all.getJsonArray("certificates")).isEmpty();
    assertThat(all.getJsonObject("nodes").getJsonArray("members")).isEmpty();
  }

  @Test
  void backends_list_their_endpoints_and_each_endpoint_s_health() {
    JsonObject backends = json.overview("", 0).getJsonObject("backends");
    assertThat(backends.getInteger("total")).isEqualTo(2);
    JsonObject web = backends.getJsonArray("items").getJsonObject(0);
    assertThat(web.getString("backend")).isEqualTo("acme/rest/web#0");
    assertThat(web.getString("kind")).isEqualTo("endpoints");
    assertThat(web.getString("protocol")).isEqualTo("http1");
    assertThat(web.getJsonArray("routes")).containsExactly("acme/rest/web");
    assertThat(web.getInteger("healthy")).isEqualTo(2);
    assertThat(web.getJsonArray("endpoints"))
        .containsExactly(
            new JsonObject().put("address", "10.0.0.1:80").put("weight", 1).put("state", "healthy"),
            new JsonObject()
                .put("address", "10.0.0.2:80")
                .put("weight", 1)
                .put("state", "healthy"));

    // the node's status names an ejection and a failing check (as GatehouseNode.statusJson does)
    status
        .getJsonObject("health")
        .put(
            "ejected",
            new JsonArray()
                .add(
                    new JsonObject()
                        .put("endpoint", "10.0.0.1:80")
                        .put("reason", "consecutive-gateway-errors")
                        .put("by", "this node")
                        .put("expires", "2026-12-06T22:00:00Z")
                        .put("ejections", 1)))
        .put("failingChecks", new JsonArray().add("10.0.0.2:80"));
    JsonObject after =
        json.overview("", 0).getJsonObject("backends").getJsonArray("items").getJsonObject(0);
    assertThat(after.getInteger("healthy")).isZero();
    assertThat(after.getJsonArray("endpoints").getJsonObject(0).getString("state"))
        .isEqualTo("ejected");
    assertThat(after.getJsonArray("endpoints").getJsonObject(1).getString("state"))
        .isEqualTo("failing-check");
    JsonObject problems = json.overview("", 0).getJsonObject("problems");
    assertThat(problems.getJsonArray("ejected").getJsonObject(0).getString("reason"))
        .isEqualTo("consecutive-gateway-errors");
  }

  @Test
  void a_query_filters_routes_and_backends_and_a_limit_cuts_the_list() {
    JsonObject beta = json.overview("STAFF.beta", 0);
    assertThat(beta.getJsonObject("routes").getInteger("matching")).isEqualTo(1);
    assertThat(beta.getJsonObject("routes").getInteger("total")).isEqualTo(2);
    assertThat(beta.getJsonObject("routes").getJsonArray("items").getJsonObject(0).getString("id"))
        .isEqualTo("beta/file/staff");
    assertThat(beta.getJsonObject("backends").getInteger("matching")).isEqualTo(1);
    assertThat(json.overview("/admin", 0).getJsonObject("routes").getInteger("matching"))
        .isEqualTo(1);
    assertThat(json.overview("nothing-like-it", 0).getJsonObject("routes").getJsonArray("items"))
        .isEmpty();

    JsonObject one = json.overview("", 1).getJsonObject("routes");
    assertThat(one.getJsonArray("items")).hasSize(1);
    assertThat(one.getInteger("matching")).isEqualTo(2);
    assertThat(DashboardJson.limit(0)).isEqualTo(DashboardJson.DEFAULT_LIMIT);
    assertThat(DashboardJson.limit(1_000_000)).isEqualTo(DashboardJson.MAX_LIMIT);
  }

  @Test
  void rates_show_the_last_minute() {
    JsonObject r = json.overview("", 0).getJsonObject("rates");
    assertThat(r.getInteger("windowSeconds")).isEqualTo(60);
    assertThat(r.getJsonArray("requests")).hasSize(60);
    assertThat(r.getJsonArray("errors")).hasSize(60);
    assertThat(r.getDouble("requestsPerSecond")).isZero();
  }

  @Test
  void the_label_of_each_kind_of_backend() {
    assertThat(
            DashboardJson.label(
                new io.gatehouse.endpoint.EndpointsKey.Service("shop", "web", 8080, null)))
        .isEqualTo("shop/web:8080");
    assertThat(
            DashboardJson.label(
                new io.gatehouse.endpoint.EndpointsKey.Service("shop", "web", 8080, "http")))
        .isEqualTo("shop/web:http");
    assertThat(
            DashboardJson.label(
                new io.gatehouse.endpoint.EndpointsKey.Named(
                    new io.gatehouse.model.BackendKey(
                        io.gatehouse.model.TenantId.of("acme"), "api"))))
        .isEqualTo("acme/api");
  }
}
