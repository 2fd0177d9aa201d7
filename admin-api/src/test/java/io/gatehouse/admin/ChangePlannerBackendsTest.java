package io.gatehouse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.admin.ChangePlanner.Change;
import io.gatehouse.admin.ChangePlanner.Kind;
import io.gatehouse.admin.ChangePlanner.Plan;
import io.gatehouse.admin.translate.RestRoutes;
import io.gatehouse.model.BackendKey;
import io.gatehouse.model.BackendObject;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.HostClaim;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.TenantId;
import io.gatehouse.model.TenantSpec;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.table.Batch;
import io.gatehouse.table.EntryKey;
import io.gatehouse.table.InMemoryRouteTable;
import io.gatehouse.table.Outcome;
import io.gatehouse.table.Write;
import io.gatehouse.validate.EndpointPolicy;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the planner makes of changes to named backends: the table writes of a put and a delete, and
 * the refusals (the endpoint policy, another source's backend, a backend a route still names).
 */
class ChangePlannerBackendsTest {
  private static final TenantId ACME = TenantId.of("acme");
  private static final String ROUTE_TO_POOL =
      "{\"hosts\":[\"www.acme.example\"],\"backendRefs\":[{\"backend\":\"pool\"}]}";

  private final ChangePlanner planner =
      new ChangePlanner(EndpointPolicy.withDefaults(List.of()), Clock.systemUTC());
  private InMemoryRouteTable table;

  @BeforeEach
  void tenantWithAClaim() {
    table = new InMemoryRouteTable();
    applied(
        Batch.of(
            Write.put(new TenantSpec(ACME, "")),
            Write.put(new HostClaim("www.acme.example", ACME))));
  }

  private void applied(Batch batch) {
    assertThat(table.apply(batch)).isInstanceOf(Outcome.Applied.class);
  }

  private Plan plan(Change... changes) {
    return planner.plan(table.view(), ACME, false, List.of(changes));
  }

  private static Change putBackend(String name, String body) {
    return new Change(Kind.BACKEND, true, name, new JsonObject(body), -1, "", "name");
  }

  private static Change deleteBackend(String name) {
    return new Change(Kind.BACKEND, false, name, null, -1, "", "name");
  }

  private static Change putRoute(String name, String body) {
    return new Change(Kind.ROUTE, true, name, new JsonObject(body), -1, "", "name");
  }

  private Plan.Ready ready(Plan p) {
    assertThat(p).isInstanceOf(Plan.Ready.class);
    Plan.Ready r = (Plan.Ready) p;
    applied(r.batch());
    return r;
  }

  private static Problem refused(Plan p) {
    assertThat(p).isInstanceOf(Plan.Refused.class);
    return ((Plan.Refused) p).problem();
  }

  @Test
  void a_put_writes_the_backend_under_its_tenant_and_name_owned_by_the_api() {
    Plan.Ready r = ready(plan(putBackend("pool", "{\"endpoints\":[\"10.0.0.1:80\"]}")));

    BackendObject stored = table.view().backends().get(new BackendKey(ACME, "pool"));
    assertThat(stored.source()).isEqualTo("api");
    assertThat(stored.spec().endpoints())
        .extracting(Endpoint::authority)
        .containsExactly("10.0.0.1:80");
    assertThat(r.targets())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.kind()).isEqualTo(Kind.BACKEND);
              assertThat(t.existed()).isFalse();
              assertThat(t.key()).isEqualTo(EntryKey.backend(new BackendKey(ACME, "pool")));
            });
  }

  @Test
  void an_endpoint_the_policy_denies_is_a_field_error_at_its_pointer() {
    Problem p =
        refused(
            plan(
                putBackend(
                    "pool",
                    "{\"endpoints\":[\"10.0.0.1:80\",{\"address\":\"169.254.169.254:80\"}]}")));

    assertThat(p.status()).isEqualTo(400);
    assertThat(p.errors())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.pointer()).isEqualTo("/endpoints/1/address");
              assertThat(e.value()).isEqualTo("169.254.169.254:80");
            });
    assertThat(table.view().backends()).isEmpty();
  }

  @Test
  void a_batch_item_reports_its_errors_under_the_item() {
    Change c =
        new Change(
            Kind.BACKEND,
            true,
            "pool",
            new JsonObject("{\"endpoints\":[\"nohost\"]}"),
            -1,
            "/items/2/backend",
            "/items/2/name");
    Problem p = refused(plan(c));
    assertThat(p.errors())
        .extracting(e -> e.pointer())
        .containsExactly("/items/2/backend/endpoints/0");
  }

  @Test
  void a_backend_of_the_routes_file_is_neither_replaced_nor_deleted() {
    BackendKey key = new BackendKey(ACME, "shared");
    applied(
        Batch.of(
            Write.put(
                new BackendObject(
                    key,
                    "file",
                    new BackendSpec(
                        UpstreamProtocol.HTTP1, List.of(Endpoint.of("10.0.0.9", 80)), null)))));

    for (Change c :
        List.of(
            putBackend("shared", "{\"endpoints\":[\"10.0.0.1:80\"]}"), deleteBackend("shared"))) {
      Problem p = refused(plan(c));
      assertThat(p.status()).isEqualTo(409);
      assertThat(p.slug()).isEqualTo("backend-owned-elsewhere");
      assertThat(p.detail()).contains("'shared'", "file source");
      assertThat(p.toJson().getString("source")).isEqualTo("file");
    }
    assertThat(table.view().backends().get(key).source()).isEqualTo("file");
  }

  @Test
  void a_backend_a_route_names_is_not_deleted_unless_the_batch_also_drops_the_route() {
    ready(plan(putBackend("pool", "{\"endpoints\":[\"10.0.0.1:80\"]}")));
    ready(plan(putRoute("web", ROUTE_TO_POOL)));

    Problem p = refused(plan(deleteBackend("pool")));
    assertThat(p.status()).isEqualTo(409);
    assertThat(p.slug()).isEqualTo("backend-in-use");
    assertThat(p.detail()).contains("route 'web'", "backend 'pool'");
    assertThat(p.toJson().getString("route")).isEqualTo("api/web");
    assertThat(table.view().backends()).containsKey(new BackendKey(ACME, "pool"));

    // The route moves to its own endpoints in the same batch: then the backend may go.
    ready(
        plan(
            deleteBackend("pool"),
            putRoute(
                "web",
                "{\"hosts\":[\"www.acme.example\"],\"backend\":{\"endpoints\":[\"10.0.0.2:80\"]}}")));
    assertThat(table.view().backends()).isEmpty();
  }

  @Test
  void a_route_of_another_source_naming_the_backend_keeps_it_too() {
    ready(plan(putBackend("pool", "{\"endpoints\":[\"10.0.0.1:80\"]}")));
    RouteKey fileRoute = RouteKey.of("acme", "file", "site");
    applied(Batch.of(Write.put(RestRoutes.read(fileRoute, new JsonObject(ROUTE_TO_POOL)).value())));

    Problem p = refused(plan(deleteBackend("pool")));
    assertThat(p.slug()).isEqualTo("backend-in-use");
    assertThat(p.toJson().getString("route")).isEqualTo("file/site");
  }

  @Test
  void a_route_may_name_a_backend_put_in_the_same_batch_and_deleting_an_absent_one_is_404() {
    Plan.Ready r =
        ready(
            plan(
                putRoute("web", ROUTE_TO_POOL),
                putBackend("pool", "{\"endpoints\":[\"10.0.0.1:80\"]}")));
    assertThat(r.targets())
        .extracting(ChangePlanner.Target::kind)
        .containsExactly(Kind.BACKEND, Kind.ROUTE);

    assertThat(refused(plan(deleteBackend("nope"))).status()).isEqualTo(404);
  }
}
