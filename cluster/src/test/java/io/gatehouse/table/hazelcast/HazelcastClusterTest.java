package io.gatehouse.table.hazelcast;

import static io.gatehouse.testing.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.HostClaim;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.TenantId;
import io.gatehouse.table.Batch;
import io.gatehouse.table.EntryKey;
import io.gatehouse.table.Outcome;
import io.gatehouse.table.RouteTable;
import io.gatehouse.table.ServedReport;
import io.gatehouse.table.TableView;
import io.gatehouse.table.Write;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Three real members in one JVM: replication, conditions across members, loss and recovery. */
@Timeout(120)
class HazelcastClusterTest {
  @TempDir Path dir;
  private final List<Members> clusters = new ArrayList<>();

  @AfterEach
  void stop() {
    clusters.forEach(Members::close);
  }

  private Members cluster(int size) {
    Members m = new Members(size);
    clusters.add(m);
    return m;
  }

  private List<Members.Member> startAll(Members m, boolean durable) {
    List<Members.Member> out = new ArrayList<>();
    for (int i = 0; i < m.ports.size(); i++) {
      out.add(m.start(i, durable ? dir.resolve("node" + i) : null));
    }
    return out;
  }

  static void await(RouteTable t, Predicate<TableView> condition) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    try (AutoCloseable sub =
        t.subscribe(
            v -> {
              if (condition.test(v)) {
                done.countDown();
              }
            })) {
      assertThat(done.await(30, TimeUnit.SECONDS)).as("condition reached").isTrue();
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void a_write_on_one_member_is_served_by_the_others() throws Exception {
    List<Members.Member> ms = startAll(cluster(3), false);
    long gen = ms.get(0).table().put(route("t", "api", "a", 1));
    for (Members.Member m : ms) {
      await(m.table(), v -> v.generation() >= gen);
      assertThat(m.table().view().routes()).containsKey(RouteKey.of("t", "api", "a"));
    }
  }

  @Test
  void no_member_ever_sees_half_a_batch() throws Exception {
    List<Members.Member> ms = startAll(cluster(3), false);
    List<TableView> seen = new CopyOnWriteArrayList<>();
    try (AutoCloseable sub = ms.get(2).table().subscribe(seen::add)) {
      List<Write> writes = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        writes.add(Write.put(route("t", "api", "r" + i, 1)));
      }
      Outcome.Applied out = (Outcome.Applied) ms.get(0).table().apply(new Batch(writes, true));
      await(ms.get(2).table(), v -> v.generation() >= out.generation());
    }
    assertThat(seen).isNotEmpty().allSatisfy(v -> assertThat(v.routes().size()).isIn(0, 50));
  }

  @Test
  void two_writers_with_the_same_revision_on_two_members_one_wins() throws Exception {
    List<Members.Member> ms = startAll(cluster(2), false);
    Outcome.Applied first =
        (Outcome.Applied) ms.get(0).table().apply(Batch.of(Write.put(route("t", "api", "a", 1))));
    long rev = first.revisions().values().iterator().next();
    CompletableFuture<Outcome> one =
        CompletableFuture.supplyAsync(
            () -> ms.get(0).table().apply(Batch.of(Write.put(route("t", "api", "a", 2), rev))));
    CompletableFuture<Outcome> two =
        CompletableFuture.supplyAsync(
            () -> ms.get(1).table().apply(Batch.of(Write.put(route("t", "api", "a", 3), rev))));
    List<Outcome> outcomes = List.of(one.get(30, TimeUnit.SECONDS), two.get(30, TimeUnit.SECONDS));
    assertThat(outcomes).filteredOn(o -> o instanceof Outcome.Applied).hasSize(1);
    assertThat(outcomes).filteredOn(o -> o instanceof Outcome.Conflict).hasSize(1);
    int winner = outcomes.get(0) instanceof Outcome.Applied ? 0 : 1;
    int winnerPort = winner == 0 ? 2 : 3;
    long gen = ((Outcome.Applied) outcomes.get(winner)).generation();
    for (Members.Member m : ms) {
      await(m.table(), v -> v.generation() >= gen);
      assertThat(m.table().view().routes().get(RouteKey.of("t", "api", "a")).backend().endpoints())
          .extracting(e -> e.port())
          .containsExactly(winnerPort);
    }
  }

  @Test
  void two_tenants_racing_for_one_host_on_two_members_one_wins() throws Exception {
    List<Members.Member> ms = startAll(cluster(2), false);
    for (int round = 0; round < 10; round++) {
      String host = "h" + round + ".example";
      CompletableFuture<Outcome> a =
          CompletableFuture.supplyAsync(
              () ->
                  ms.get(0)
                      .table()
                      .apply(
                          Batch.of(
                              Write.put(new HostClaim(host, TenantId.of("a")), Write.ABSENT))));
      CompletableFuture<Outcome> b =
          CompletableFuture.supplyAsync(
              () ->
                  ms.get(1)
                      .table()
                      .apply(
                          Batch.of(
                              Write.put(new HostClaim(host, TenantId.of("b")), Write.ABSENT))));
      List<Outcome> outcomes = List.of(a.get(30, TimeUnit.SECONDS), b.get(30, TimeUnit.SECONDS));
      assertThat(outcomes).filteredOn(o -> o instanceof Outcome.Applied).hasSize(1);
    }
  }

  @Test
  void await_served_waits_for_every_live_member_and_names_the_laggard() throws Exception {
    List<Members.Member> ms = startAll(cluster(3), false);
    // Members 0 and 1 behave like routers: they report each view they hold as served.
    List<AutoCloseable> routers = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      RouteTable t = ms.get(i).table();
      routers.add(t.subscribe(v -> t.served(v.generation())));
    }
    long gen = ms.get(0).table().put(route("t", "api", "a", 1));
    // Members 0 and 1 report within milliseconds on a quiet machine, but CI once took longer
    // than one 500 ms window (member 1 still at generation 0): ask again until only the silent
    // member is left, bounded, then check it is the one named.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    ServedReport lagging;
    do {
      lagging =
          ms.get(0).table().awaitServed(gen, Duration.ofMillis(500)).get(30, TimeUnit.SECONDS);
    } while (lagging.lagging().size() > 1 && System.nanoTime() < deadline);
    assertThat(lagging.complete()).isFalse();
    assertThat(lagging.lagging()).hasSize(1);
    assertThat(lagging.lagging().get(0).id())
        .isEqualTo(ms.get(2).hz().getCluster().getLocalMember().getUuid().toString());

    CompletableFuture<ServedReport> all =
        ms.get(0).table().awaitServed(gen, Duration.ofSeconds(30));
    RouteTable third = ms.get(2).table();
    routers.add(third.subscribe(v -> third.served(v.generation())));
    assertThat(all.get(30, TimeUnit.SECONDS).complete()).isTrue();
    for (AutoCloseable r : routers) {
      r.close();
    }
  }

  @Test
  void a_killed_member_loses_nothing_and_its_restart_serves_the_same_generation() throws Exception {
    Members c = cluster(3);
    List<Members.Member> ms = startAll(c, false);
    long gen = 0;
    for (int i = 0; i < 100; i++) {
      gen = ms.get(i % 3).table().put(route("t", "api", "r" + i, 1));
    }
    ms.get(2).kill();
    long last = gen;
    for (int i = 0; i < 2; i++) {
      await(ms.get(i).table(), v -> v.generation() >= last);
      assertThat(ms.get(i).table().view().routes()).hasSize(100);
    }
    long after = ms.get(1).table().put(route("t", "api", "after", 1));
    Members.Member back = c.start(2, null);
    await(back.table(), v -> v.generation() >= after);
    assertThat(back.table().view().routes()).hasSize(101);
    assertThat(back.table().view().generation()).isEqualTo(ms.get(0).table().view().generation());
  }

  @Test
  void a_whole_cluster_restart_brings_back_every_acknowledged_write_and_no_deleted_one()
      throws Exception {
    Members c = cluster(3);
    List<Members.Member> ms = startAll(c, true);
    List<RouteKey> live = new ArrayList<>();
    List<RouteKey> deleted = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      RouteKey k = RouteKey.of("t", "api", "r" + i);
      ms.get(i % 3).table().put(route("t", "api", "r" + i, 1));
      if (i % 5 == 0) {
        ms.get((i + 1) % 3).table().remove(k);
        deleted.add(k);
      } else {
        live.add(k);
      }
    }
    ms.forEach(Members.Member::kill);

    Members again = new Members(3);
    clusters.add(again);
    List<Members.Member> back = startAll(again, true);
    for (Members.Member m : back) {
      await(m.table(), v -> v.routes().keySet().containsAll(live));
      assertThat(m.table().view().routes().keySet()).doesNotContainAnyElementsOf(deleted);
    }
    assertThat(back.get(0).table().view().routes()).hasSize(live.size());
    // New writes get revisions above every recovered one.
    Outcome.Applied w =
        (Outcome.Applied)
            back.get(0).table().apply(Batch.of(Write.put(route("t", "api", "new", 1))));
    long newest = w.revisions().get(EntryKey.route(RouteKey.of("t", "api", "new")));
    assertThat(back.get(0).table().view().revisions().values()).allMatch(r -> r <= newest);
  }

  @Test
  void clusters_with_different_names_never_merge() throws Exception {
    Members x = cluster(1);
    Members y = cluster(1);
    Members.Member a = x.start(0, null);
    // y's member lists x's address as a peer; the name differs, so it must stay alone.
    Members.Member b = y.startWithExtraMember(0, "127.0.0.1:" + x.ports.get(0));
    assertThat(a.hz().getCluster().getMembers()).hasSize(1);
    assertThat(b.hz().getCluster().getMembers()).hasSize(1);
    a.table().put(route("t", "api", "only-x", 1));
    assertThat(b.table().view().routes()).isEmpty();
  }
}
