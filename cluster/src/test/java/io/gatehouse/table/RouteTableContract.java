package io.gatehouse.table;

import static io.gatehouse.testing.TestRoutes.backend;
import static io.gatehouse.testing.TestRoutes.route;
import static io.gatehouse.testing.TestRoutes.servicePortRoute;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.BackendObject;
import io.gatehouse.model.HostClaim;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TenantId;
import io.gatehouse.model.TenantSpec;
import io.gatehouse.table.codec.EntryCodec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What every {@link RouteTable} promises; each implementation's test extends this. */
@Timeout(60)
public abstract class RouteTableContract {
  protected RouteTable table;

  /** A fresh, empty table. */
  protected abstract RouteTable newTable() throws Exception;

  protected RouteTable table() throws Exception {
    if (table == null) {
      table = newTable();
    }
    return table;
  }

  @AfterEach
  void closeTable() {
    if (table != null) {
      table.close();
    }
  }

  private static Outcome.Applied applied(Outcome o) {
    assertThat(o).isInstanceOf(Outcome.Applied.class);
    return (Outcome.Applied) o;
  }

  @Test
  void a_put_gets_a_revision_and_a_new_generation() throws Exception {
    RouteTable t = table();
    long before = t.view().generation();
    RouteSpec a = route("t1", "api", "a", 1);
    Outcome.Applied out = applied(t.apply(Batch.of(Write.put(a))));
    assertThat(out.generation()).isEqualTo(before + 1);
    long rev = out.revisions().get(EntryKey.route(a.key()));
    assertThat(rev).isPositive();
    awaitGeneration(t, out.generation());
    assertThat(t.view().routes()).containsEntry(a.key(), a);
    assertThat(t.view().revision(EntryKey.route(a.key()))).isEqualTo(rev);
  }

  @Test
  void an_unchanged_put_keeps_revision_and_generation() throws Exception {
    RouteTable t = table();
    RouteSpec a = route("t1", "api", "a", 1);
    Outcome.Applied first = applied(t.apply(Batch.of(Write.put(a))));
    Outcome.Applied again = applied(t.apply(Batch.of(Write.put(a))));
    assertThat(again.generation()).isEqualTo(first.generation());
    assertThat(again.revisions()).isEqualTo(first.revisions());
  }

  @Test
  void a_stale_expected_revision_is_a_conflict_and_changes_nothing() throws Exception {
    RouteTable t = table();
    RouteSpec a = route("t1", "api", "a", 1);
    RouteSpec b = route("t1", "api", "b", 1);
    long rev = applied(t.apply(Batch.of(Write.put(a)))).revisions().get(EntryKey.route(a.key()));
    long gen = applied(t.apply(Batch.of(Write.put(route("t1", "api", "a", 2), rev)))).generation();
    awaitGeneration(t, gen);

    Outcome out =
        t.apply(new Batch(List.of(Write.put(route("t1", "api", "a", 3), rev), Write.put(b)), true));

    assertThat(out).isInstanceOf(Outcome.Conflict.class);
    Outcome.Mismatch m = ((Outcome.Conflict) out).mismatches().get(0);
    assertThat(m.key()).isEqualTo(EntryKey.route(a.key()));
    assertThat(m.expectedRevision()).isEqualTo(rev);
    assertThat(m.actualRevision()).isGreaterThan(rev);
    assertThat(t.view().generation()).isEqualTo(gen);
    assertThat(t.view().routes()).doesNotContainKey(b.key());
    assertThat(t.view().routes().get(a.key()).backend().endpoints().get(0).port()).isEqualTo(2);
  }

  @Test
  void absent_condition_lets_exactly_one_claim_win() throws Exception {
    RouteTable t = table();
    HostClaim first = new HostClaim("shop.example", TenantId.of("t1"));
    HostClaim second = new HostClaim("shop.example", TenantId.of("t2"));
    long gen = applied(t.apply(Batch.of(Write.put(first, Write.ABSENT)))).generation();
    Outcome out = t.apply(Batch.of(Write.put(second, Write.ABSENT)));
    awaitGeneration(t, gen);
    assertThat(out).isInstanceOf(Outcome.Conflict.class);
    assertThat(t.view().hostClaims().get("shop.example").tenant()).isEqualTo(TenantId.of("t1"));
  }

  @Test
  void a_batch_lands_in_one_generation() throws Exception {
    RouteTable t = table();
    long before = t.view().generation();
    Outcome.Applied out =
        applied(
            t.apply(
                new Batch(
                    List.of(
                        Write.put(new TenantSpec(TenantId.of("t1"), "Team one")),
                        Write.put(route("t1", "api", "a", 1)),
                        Write.put(route("t1", "api", "b", 1))),
                    true)));
    assertThat(out.generation()).isEqualTo(before + 1);
    awaitGeneration(t, out.generation());
    assertThat(t.view().routes()).hasSize(2);
    assertThat(t.view().tenants()).containsKey(TenantId.of("t1"));
  }

  @Test
  void a_delete_leaves_no_live_entry_and_a_recreate_gets_a_higher_revision() throws Exception {
    RouteTable t = table();
    RouteSpec a = route("t1", "api", "a", 1);
    long rev1 = applied(t.apply(Batch.of(Write.put(a)))).revisions().get(EntryKey.route(a.key()));
    Outcome.Applied del = applied(t.apply(Batch.of(Write.delete(EntryKey.route(a.key())))));
    awaitGeneration(t, del.generation());
    assertThat(t.view().routes()).doesNotContainKey(a.key());
    assertThat(t.view().revision(EntryKey.route(a.key()))).isZero();
    long rev2 =
        applied(t.apply(Batch.of(Write.put(a, Write.ABSENT))))
            .revisions()
            .get(EntryKey.route(a.key()));
    assertThat(rev2).isGreaterThan(rev1);
  }

  @Test
  void replace_source_touches_only_that_source() throws Exception {
    RouteTable t = table();
    t.put(route("t1", "api", "a", 1));
    t.replaceSource("file", List.of(route("t1", "file", "f1", 1), route("t1", "file", "f2", 1)));
    long gen = t.replaceSource("file", List.of(route("t1", "file", "f2", 9)));
    awaitGeneration(t, gen);
    assertThat(t.view().routes().keySet())
        .containsExactlyInAnyOrder(RouteKey.of("t1", "api", "a"), RouteKey.of("t1", "file", "f2"));
  }

  @Test
  void replace_source_writes_only_what_changed() throws Exception {
    RouteTable t = table();
    List<RouteSpec> first = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      first.add(route("t1", "k8s", "r" + i, 1));
    }
    long gen = t.replaceSource("k8s", first);
    awaitGeneration(t, gen);
    long untouched = t.view().revision(EntryKey.route(RouteKey.of("t1", "k8s", "r0")));
    // nothing changed: no new generation
    assertThat(t.replaceSource("k8s", first)).isEqualTo(gen);
    List<RouteSpec> next = new java.util.ArrayList<>(first);
    next.set(5, route("t1", "k8s", "r5", 2));
    long gen2 = t.replaceSource("k8s", next);
    assertThat(gen2).isEqualTo(gen + 1);
    awaitGeneration(t, gen2);
    assertThat(t.view().routes().get(RouteKey.of("t1", "k8s", "r5"))).isEqualTo(next.get(5));
    assertThat(t.view().revision(EntryKey.route(RouteKey.of("t1", "k8s", "r0"))))
        .isEqualTo(untouched);
    assertThat(t.view().revision(EntryKey.route(RouteKey.of("t1", "k8s", "r5"))))
        .isGreaterThan(untouched);
  }

  @Test
  void replace_source_is_exact_while_other_writes_are_still_arriving() throws Exception {
    RouteTable t = table();
    long gen = 0;
    for (int round = 0; round < 30; round++) {
      // a write from elsewhere, then at once a replacement: the view may not have caught up
      t.put(route("t1", "api", "a" + round, round));
      List<RouteSpec> routes = new java.util.ArrayList<>();
      for (int i = 0; i <= round % 4; i++) {
        routes.add(route("t1", "k8s", "r" + i, round));
      }
      gen = t.replaceSource("k8s", routes);
    }
    awaitGeneration(t, gen);
    assertThat(t.view().routes().keySet().stream().filter(k -> k.source().equals("k8s")))
        .containsExactlyInAnyOrder(RouteKey.of("t1", "k8s", "r0"), RouteKey.of("t1", "k8s", "r1"));
    assertThat(t.view().routes().get(RouteKey.of("t1", "k8s", "r1")))
        .isEqualTo(route("t1", "k8s", "r1", 29));
  }

  @Test
  void await_served_completes_once_the_router_reports_the_generation() throws Exception {
    RouteTable t = table();
    long gen = t.put(route("t1", "api", "a", 1));
    var pending = t.awaitServed(gen, Duration.ofSeconds(20));
    assertThat(pending).isNotDone();
    t.served(gen);
    ServedReport report = pending.get(30, TimeUnit.SECONDS);
    assertThat(report.complete()).isTrue();
  }

  @Test
  void await_served_times_out_with_the_lagging_members() throws Exception {
    RouteTable t = table();
    long gen = t.put(route("t1", "api", "a", 1));
    t.served(gen - 1);
    ServedReport report = t.awaitServed(gen, Duration.ofMillis(200)).get(30, TimeUnit.SECONDS);
    assertThat(report.complete()).isFalse();
    assertThat(report.lagging()).hasSize(1);
    assertThat(report.lagging().get(0).servedGeneration()).isEqualTo(gen - 1);
  }

  @Test
  void every_member_advertises_the_newest_format_and_takes_entries_that_need_it() throws Exception {
    RouteTable t = table();
    assertThat(t.members()).isNotEmpty();
    assertThat(t.members())
        .allSatisfy(m -> assertThat(m.readsFormat()).isEqualTo(EntryCodec.FORMAT));
    RouteSpec byService = servicePortRoute("t1", "api", "svc");
    assertThat(new EntryCodec().formatOf(byService)).as("a format 2 route").isEqualTo(2);

    long gen = applied(t.apply(Batch.of(Write.put(byService)))).generation();
    SourceApplied k8s = t.applySource("k8s", List.of(servicePortRoute("t1", "k8s", "svc")));

    assertThat(k8s.held()).isNull();
    awaitGeneration(t, Math.max(gen, k8s.generation()));
    assertThat(t.view().routes())
        .containsEntry(byService.key(), byService)
        .containsKey(RouteKey.of("t1", "k8s", "svc"));
  }

  @Test
  void a_named_backend_is_put_changed_and_deleted_like_a_route_and_listed_in_the_delta()
      throws Exception {
    RouteTable t = table();
    assertThat(new EntryCodec().formatOf(backend("t1", "rest", "web", 1)))
        .as("a named backend is format 2")
        .isEqualTo(2);
    BackendObject web = backend("t1", "rest", "web", 1);
    EntryKey key = EntryKey.backend(web.key());
    Outcome.Applied put = applied(t.apply(Batch.of(Write.put(web, Write.ABSENT))));
    long rev = put.revisions().get(key);
    awaitGeneration(t, put.generation());
    TableView first = t.view();
    assertThat(first.backends()).containsEntry(web.key(), web);
    assertThat(first.revision(key)).isEqualTo(rev);
    // another tenant's backend of the same name is another entry
    BackendObject other = backend("t2", "rest", "web", 1);
    applied(t.apply(Batch.of(Write.put(other, Write.ABSENT))));

    BackendObject moved = backend("t1", "rest", "web", 2);
    assertThat(t.apply(Batch.of(Write.put(moved, rev + 100)))).isInstanceOf(Outcome.Conflict.class);
    Outcome.Applied changed = applied(t.apply(Batch.of(Write.put(moved, rev))));
    assertThat(changed.generation()).isGreaterThan(put.generation());
    assertThat(changed.revisions().get(key)).isGreaterThan(rev);
    awaitGeneration(t, changed.generation());
    TableView second = t.view();
    assertThat(second.backends()).containsEntry(web.key(), moved).containsValue(other);
    TableDelta delta = second.changesSince(first);
    if (delta != null) { // a table that logs its changes names the backends it wrote
      assertThat(delta.backends()).contains(web.key(), other.key());
      assertThat(delta.routes()).isEmpty();
    }

    Outcome.Applied deleted = applied(t.apply(Batch.of(Write.delete(key))));
    awaitGeneration(t, deleted.generation());
    assertThat(t.view().backends()).doesNotContainKey(web.key()).containsKey(other.key());
    assertThat(t.view().revision(key)).isZero();
    // a replaced source leaves backends alone, whoever owns them
    t.replaceSource("rest", List.of());
    assertThat(t.view().backends()).containsKey(other.key());
  }

  /** Clustered tables apply their own writes through events; wait for that. */
  protected static void awaitGeneration(RouteTable t, long generation) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    Object lock = new Object();
    try (AutoCloseable sub =
        t.subscribe(
            v -> {
              synchronized (lock) {
                lock.notifyAll();
              }
            })) {
      synchronized (lock) {
        while (t.view().generation() < generation) {
          long left = deadline - System.nanoTime();
          assertThat(left).as("generation %d reached", generation).isPositive();
          lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
      }
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
