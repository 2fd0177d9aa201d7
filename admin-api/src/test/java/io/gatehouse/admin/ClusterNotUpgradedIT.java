package io.gatehouse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.table.Batch;
import io.gatehouse.table.EntryKind;
import io.gatehouse.table.FormatGate;
import io.gatehouse.table.InMemoryRouteTable;
import io.gatehouse.table.MemberInfo;
import io.gatehouse.table.Outcome;
import io.gatehouse.table.RouteTable;
import io.gatehouse.table.ServedReport;
import io.gatehouse.table.SourceApplied;
import io.gatehouse.table.TableView;
import io.gatehouse.table.Write;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A route write refused by the table's format gate (a member of the previous release is still in
 * the cluster) is a 409 {@code cluster-not-upgraded} problem that names the members and what they
 * read, and the same write succeeds once that member has left.
 */
@Timeout(60)
class ClusterNotUpgradedIT {
  private static final MemberInfo OLD =
      new MemberInfo("old-member-id", "10.0.0.9:5701", false, 4, 0, "0.9.0", 1);

  /**
   * An in-memory table with a second member that reads format 1, whose routes need format 2 (the
   * routes REST writes today are still format 1; splits and named backends will not be): the gate
   * decision is {@link FormatGate}'s, proven on a real cluster in the cluster module.
   */
  static final class TwoReleases implements RouteTable {
    final InMemoryRouteTable table = new InMemoryRouteTable();
    volatile boolean oldMemberPresent = true;

    @Override
    public List<MemberInfo> members() {
      List<MemberInfo> out = new ArrayList<>(table.members());
      if (oldMemberPresent) {
        out.add(OLD);
      }
      return out;
    }

    @Override
    public Outcome apply(Batch batch) {
      Map<io.gatehouse.table.EntryKey, Integer> formats = new HashMap<>();
      for (Write w : batch.writes()) {
        // Routes here stand in for a format-2 route; a named backend is always format 2.
        if (w instanceof Write.Put
            && (w.key().kind() == EntryKind.ROUTE || w.key().kind() == EntryKind.BACKEND)) {
          formats.put(w.key(), 2);
        }
      }
      Outcome.NotUpgraded refused = FormatGate.check(members(), formats);
      return refused != null ? refused : table.apply(batch);
    }

    @Override
    public TableView view() {
      return table.view();
    }

    @Override
    public SourceApplied applySource(String source, Collection<RouteSpec> routes) {
      return table.applySource(source, routes);
    }

    @Override
    public AutoCloseable subscribe(Consumer<TableView> listener) {
      return table.subscribe(listener);
    }

    @Override
    public void served(long generation) {
      table.served(generation);
    }

    @Override
    public CompletableFuture<ServedReport> awaitServed(long generation, Duration timeout) {
      return table.awaitServed(generation, timeout);
    }
  }

  private final TwoReleases table = new TwoReleases();
  private AdminApiFixture f;
  private String tenant;

  @BeforeEach
  void start() throws Exception {
    f = new AdminApiFixture(table);
    tenant = f.tenantWithToken("acme");
    assertThat(f.put("/v1/tenants/acme/host-claims/www.acme.example", tenant, null).status())
        .isEqualTo(201);
  }

  @AfterEach
  void stop() throws Exception {
    f.close();
  }

  private static final String ROUTE =
      "{\"hosts\":[\"www.acme.example\"],\"backend\":{\"endpoints\":[{\"address\":\"10.0.0.1:80\"}]}}";

  @Test
  void a_route_write_the_cluster_cannot_read_yet_is_409_naming_the_members_by_format() {
    long before = f.table.view().generation();

    AdminApiFixture.Resp r = f.put("/v1/tenants/acme/routes/web", tenant, ROUTE);

    assertThat(r.status()).as(r.toString()).isEqualTo(409);
    assertThat(r.header("Content-Type")).isEqualTo("application/problem+json");
    JsonObject p = r.json();
    assertThat(p.getString("type")).isEqualTo(Problem.TYPE_BASE + "cluster-not-upgraded");
    assertThat(p.getString("title")).isEqualTo("The cluster is not upgraded");
    assertThat(p.getInteger("status")).isEqualTo(409);
    assertThat(p.getInteger("format")).isEqualTo(2);
    assertThat(p.getString("detail"))
        .contains("needs entry format 2", "1 member", "0.9.0, reads format 1", "rolling upgrade");
    // a tenant token learns what the members read, never where they are
    assertThat(p.getJsonArray("members"))
        .containsExactly(new JsonObject().put("version", "0.9.0").put("readsFormat", 1));
    assertThat(r.body()).doesNotContain("10.0.0.9", "old-member-id");
    assertThat(f.table.view().generation()).isEqualTo(before);
    assertThat(f.table.view().routes()).doesNotContainKey(RouteKey.of("acme", "api", "web"));
  }

  @Test
  void an_admin_token_sees_the_members_ids_and_addresses() {
    AdminApiFixture.Resp r = f.put("/v1/tenants/acme/routes/web", AdminApiFixture.ADMIN, ROUTE);

    assertThat(r.status()).as(r.toString()).isEqualTo(409);
    JsonArray members = r.json().getJsonArray("members");
    assertThat(members)
        .containsExactly(
            new JsonObject()
                .put("version", "0.9.0")
                .put("readsFormat", 1)
                .put("id", "old-member-id")
                .put("address", "10.0.0.9:5701"));
    assertThat(r.json().getString("detail")).contains("10.0.0.9:5701 (0.9.0, reads format 1)");
  }

  @Test
  void a_batch_is_refused_whole_and_succeeds_once_the_old_member_left() {
    long before = f.table.view().generation();
    String body =
        "{\"items\":["
            + "{\"op\":\"put\",\"kind\":\"hostClaim\",\"name\":\"api.acme.example\"},"
            + "{\"op\":\"put\",\"kind\":\"route\",\"name\":\"web\",\"route\":"
            + ROUTE
            + "}]}";

    AdminApiFixture.Resp refused = f.send("POST", "/v1/tenants/acme/batch", tenant, body);

    assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
    assertThat(refused.json().getString("type")).endsWith("/cluster-not-upgraded");
    assertThat(f.table.view().generation()).isEqualTo(before);
    assertThat(f.table.view().hostClaims()).doesNotContainKey("api.acme.example");

    table.oldMemberPresent = false;

    assertThat(f.send("POST", "/v1/tenants/acme/batch", tenant, body).status()).isEqualTo(200);
    assertThat(f.put("/v1/tenants/acme/routes/web2", tenant, ROUTE).status()).isEqualTo(201);
    assertThat(f.table.view().routes()).containsKey(RouteKey.of("acme", "api", "web2"));
  }

  @Test
  void a_named_backend_is_409_while_a_member_cannot_read_it_and_written_once_it_left() {
    long before = f.table.view().generation();
    String backend = "{\"endpoints\":[\"10.0.0.1:80\"]}";

    AdminApiFixture.Resp r = f.put("/v1/tenants/acme/backends/pool", tenant, backend);

    assertThat(r.status()).as(r.toString()).isEqualTo(409);
    assertThat(r.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(r.json().getString("type")).isEqualTo(Problem.TYPE_BASE + "cluster-not-upgraded");
    assertThat(r.json().getInteger("format")).isEqualTo(2);
    assertThat(r.body()).doesNotContain("10.0.0.9", "old-member-id");
    assertThat(f.table.view().generation()).isEqualTo(before);
    assertThat(f.table.view().backends()).isEmpty();

    table.oldMemberPresent = false;

    assertThat(f.put("/v1/tenants/acme/backends/pool", tenant, backend).status()).isEqualTo(201);
    assertThat(f.table.view().backends()).hasSize(1);
  }

  @Test
  void the_cluster_status_shows_what_each_member_reads() {
    AdminApiFixture.Resp r = f.get("/v1/cluster", AdminApiFixture.ADMIN);

    assertThat(r.status()).isEqualTo(200);
    assertThat(
            r.json().getJsonArray("members").stream()
                .map(m -> ((JsonObject) m).getInteger("readsFormat")))
        .containsExactlyInAnyOrder(FormatGate.READS, 1);
  }
}
