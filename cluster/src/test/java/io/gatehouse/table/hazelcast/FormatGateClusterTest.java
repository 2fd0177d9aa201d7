package io.gatehouse.table.hazelcast;

import static io.gatehouse.table.hazelcast.HazelcastClusterTest.await;
import static io.gatehouse.testing.TestRoutes.route;
import static io.gatehouse.testing.TestRoutes.servicePortRoute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.gatehouse.model.BackendObject;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.table.Batch;
import io.gatehouse.table.EntryKey;
import io.gatehouse.table.FormatGate;
import io.gatehouse.table.MemberInfo;
import io.gatehouse.table.Outcome;
import io.gatehouse.table.SourceApplied;
import io.gatehouse.table.Write;
import io.gatehouse.testing.TestRoutes;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A rolling upgrade: a member of the previous release (a member that advertises format 1, or no
 * format at all) shares the table with this release. An entry it cannot read is refused while it is
 * a member, nothing of the batch is written, and the same write goes through once it has left.
 */
@Timeout(120)
class FormatGateClusterTest {
  private final Members cluster = new Members(2);
  private HazelcastInstance old;

  @AfterEach
  void stop() {
    if (old != null) {
      old.getLifecycleService().terminate();
    }
    cluster.close();
  }

  /**
   * Member {@code index} as the previous release starts it: the same Hazelcast configuration, with
   * {@code readsFormat} as its attribute, or without the attribute when null. No table runs on it:
   * the gate reads only what a member advertises.
   */
  private Members.Member startWithOldMember(String readsFormat) throws InterruptedException {
    Members.Member current = cluster.start(0, null);
    CountDownLatch joined = new CountDownLatch(1);
    current.table().onMembersChanged(joined::countDown);
    Config config = HazelcastTableConfig.build(cluster.settings(1));
    if (readsFormat == null) {
      config.getMemberAttributeConfig().removeAttribute(HazelcastTableConfig.READS_FORMAT);
    } else {
      config
          .getMemberAttributeConfig()
          .setAttribute(HazelcastTableConfig.READS_FORMAT, readsFormat);
    }
    old = Hazelcast.newHazelcastInstance(config);
    assertThat(joined.await(30, TimeUnit.SECONDS)).as("old member joined").isTrue();
    assertThat(current.table().members()).hasSize(2);
    return current;
  }

  private void oldMemberLeaves(Members.Member current) throws InterruptedException {
    CountDownLatch left = new CountDownLatch(1);
    try (AutoCloseable sub = current.table().onMembersChanged(left::countDown)) {
      old.shutdown();
      old = null;
      assertThat(left.await(30, TimeUnit.SECONDS)).as("old member left").isTrue();
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    assertThat(current.table().members()).hasSize(1);
  }

  @Test
  void a_format_2_write_is_refused_while_a_format_1_member_is_present_and_taken_after_it_left()
      throws Exception {
    Members.Member current = startWithOldMember("1");
    MemberInfo oldInfo =
        current.table().members().stream().filter(m -> !m.local()).findFirst().orElseThrow();
    assertThat(oldInfo.readsFormat()).isEqualTo(1);
    long before = current.table().view().generation();
    RouteSpec byService = servicePortRoute("t", "api", "svc");
    RouteSpec plain = route("t", "api", "plain", 1);
    Batch batch = new Batch(List.of(Write.put(byService), Write.put(plain)), true);

    Outcome refused = current.table().apply(batch);

    assertThat(refused).isInstanceOf(Outcome.NotUpgraded.class);
    Outcome.NotUpgraded n = (Outcome.NotUpgraded) refused;
    assertThat(n.format()).isEqualTo(2);
    assertThat(n.keys()).containsExactly(EntryKey.route(byService.key()));
    assertThat(n.members()).containsExactly(oldInfo);
    assertThat(n.members().get(0).address()).isEqualTo("127.0.0.1:" + cluster.ports.get(1));
    // all or nothing: the format 1 route of the batch is not written either
    assertThat(current.table().view().generation()).isEqualTo(before);
    assertThat(current.table().view().routes()).isEmpty();

    oldMemberLeaves(current);

    Outcome taken = current.table().apply(batch);
    assertThat(taken).isInstanceOf(Outcome.Applied.class);
    long gen = ((Outcome.Applied) taken).generation();
    await(current.table(), v -> v.generation() >= gen);
    assertThat(current.table().view().routes())
        .containsEntry(byService.key(), byService)
        .containsEntry(plain.key(), plain);
  }

  @Test
  void a_named_backend_is_refused_while_a_format_1_member_is_present() throws Exception {
    Members.Member current = startWithOldMember("1");
    BackendObject web = TestRoutes.backend("t", "rest", "web", 1);

    Outcome refused = current.table().apply(Batch.of(Write.put(web)));

    assertThat(refused).isInstanceOf(Outcome.NotUpgraded.class);
    assertThat(((Outcome.NotUpgraded) refused).keys()).containsExactly(EntryKey.backend(web.key()));
    assertThat(current.table().view().backends()).isEmpty();
    oldMemberLeaves(current);
    assertThat(current.table().apply(Batch.of(Write.put(web)))).isInstanceOf(Outcome.Applied.class);
  }

  @Test
  void a_member_that_advertises_no_format_reads_format_1() throws Exception {
    Members.Member current = startWithOldMember(null);

    assertThat(current.table().members())
        .extracting(MemberInfo::local, MemberInfo::readsFormat)
        .containsExactlyInAnyOrder(tuple(true, FormatGate.READS), tuple(false, 1));
    Outcome refused = current.table().apply(Batch.of(Write.put(servicePortRoute("t", "a", "s"))));
    assertThat(refused).isInstanceOf(Outcome.NotUpgraded.class);
    // what format 1 says is still written
    assertThat(current.table().apply(Batch.of(Write.put(route("t", "a", "p", 1)))))
        .isInstanceOf(Outcome.Applied.class);
  }

  @Test
  void a_source_keeps_the_entry_it_cannot_rewrite_and_writes_the_rest() throws Exception {
    Members.Member current = startWithOldMember("1");
    RouteSpec heldV1 = route("ns", "k8s", "web.r0.p0", 1);
    RouteSpec dropped = route("ns", "k8s", "gone.r0.p0", 1);
    long first = current.table().applySource("k8s", List.of(heldV1, dropped)).generation();
    await(current.table(), v -> v.generation() >= first);

    RouteSpec heldV2 = servicePortRoute("ns", "k8s", "web.r0.p0");
    RouteSpec added = route("ns", "k8s", "new.r0.p0", 1);
    RouteSpec addedV2 = servicePortRoute("ns", "k8s", "new-svc.r0.p0");
    SourceApplied out = current.table().applySource("k8s", List.of(heldV2, added, addedV2));

    assertThat(out.held()).isNotNull();
    assertThat(out.held().keys())
        .containsExactlyInAnyOrder(EntryKey.route(heldV2.key()), EntryKey.route(addedV2.key()));
    assertThat(out.held().members()).extracting(MemberInfo::readsFormat).containsExactly(1);
    await(current.table(), v -> v.generation() >= out.generation());
    assertThat(current.table().view().routes())
        // the route it could not rewrite is served as it was: never deleted
        .containsEntry(heldV1.key(), heldV1)
        .containsEntry(added.key(), added)
        .doesNotContainKey(addedV2.key())
        .doesNotContainKey(dropped.key());

    oldMemberLeaves(current);

    SourceApplied retried = current.table().applySource("k8s", List.of(heldV2, added, addedV2));
    assertThat(retried.held()).isNull();
    await(current.table(), v -> v.generation() >= retried.generation());
    assertThat(current.table().view().routes())
        .containsEntry(heldV2.key(), heldV2)
        .containsEntry(addedV2.key(), addedV2)
        .containsKey(RouteKey.of("ns", "k8s", "new.r0.p0"));
  }
}
