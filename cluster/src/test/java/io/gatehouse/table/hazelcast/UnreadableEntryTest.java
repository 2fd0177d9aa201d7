package io.gatehouse.table.hazelcast;

import static io.gatehouse.table.hazelcast.HazelcastClusterTest.await;
import static io.gatehouse.testing.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.model.RouteKey;
import io.gatehouse.table.Batch;
import io.gatehouse.table.EntryKey;
import io.gatehouse.table.Write;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An entry this release cannot read (a later release's payload format) is skipped by every node
 * that reads it, and the rest of the table is still served: one entry never stops a node's reload
 * or its stream of generations.
 */
@Timeout(120)
class UnreadableEntryTest {
  private static final String FROM_A_LATER_RELEASE = "{\"v\":99,\"value\":{\"backends\":[]}}";

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

  /** Writes {@code key} as a later release would: one entry in a generation of its own. */
  private static long writeUnreadable(Members.Member m, RouteKey key) {
    var meta = m.hz().<String, String>getMap(HazelcastTableConfig.META);
    var entries = m.hz().<String, StoredEntry>getMap(HazelcastTableConfig.ENTRIES);
    Clock clock = Clock.parse(meta.get("clock"));
    Clock next = new Clock(clock.sequence() + 1, clock.revision() + 1);
    meta.set("clock", next.encode());
    String encoded = EntryKey.route(key).encoded();
    entries.set(
        encoded,
        new StoredEntry(encoded, next.revision(), next.sequence(), 1, FROM_A_LATER_RELEASE, true));
    return next.sequence();
  }

  @Test
  void a_member_joins_past_an_unreadable_entry_and_serves_the_rest() throws Exception {
    Members c = cluster(2);
    Members.Member first = c.start(0, null);
    first.table().put(route("t", "api", "a", 1));
    long unreadable = writeUnreadable(first, RouteKey.of("t", "api", "b"));

    Members.Member second = c.start(1, dir.resolve("second"));

    await(second.table(), v -> v.generation() >= unreadable);
    assertThat(second.table().view().routes().keySet())
        .containsExactly(RouteKey.of("t", "api", "a"));
    long later = second.table().put(route("t", "api", "c", 1));
    for (Members.Member m : List.of(first, second)) {
      await(m.table(), v -> v.generation() >= later);
      assertThat(m.table().view().routes().keySet())
          .containsExactlyInAnyOrder(RouteKey.of("t", "api", "a"), RouteKey.of("t", "api", "c"));
    }
  }

  @Test
  void an_unreadable_generation_is_skipped_and_the_next_one_is_served() throws Exception {
    Members.Member m = cluster(1).start(0, null);
    m.table().put(route("t", "api", "a", 1));
    writeUnreadable(m, RouteKey.of("t", "api", "b"));

    long later = m.table().put(route("t", "api", "c", 1));

    await(m.table(), v -> v.generation() >= later);
    assertThat(m.table().view().routes().keySet())
        .containsExactlyInAnyOrder(RouteKey.of("t", "api", "a"), RouteKey.of("t", "api", "c"));
  }

  @Test
  void an_unreadable_newer_copy_takes_the_older_one_out_of_service() throws Exception {
    Members.Member m = cluster(1).start(0, null);
    m.table().put(route("t", "api", "a", 1));
    m.table().put(route("t", "api", "keep", 1));
    long unreadable = writeUnreadable(m, RouteKey.of("t", "api", "a"));

    // Serving the older copy could serve what its writer changed on purpose: fail closed.
    await(
        m.table(),
        v -> v.generation() >= unreadable && !v.routes().containsKey(RouteKey.of("t", "api", "a")));
    assertThat(m.table().view().routes().keySet()).containsExactly(RouteKey.of("t", "api", "keep"));
  }

  @Test
  void a_write_over_an_unreadable_entry_is_refused_by_name() throws Exception {
    Members.Member m = cluster(1).start(0, null);
    RouteKey key = RouteKey.of("t", "api", "b");
    writeUnreadable(m, key);

    assertThatThrownBy(() -> m.table().apply(Batch.of(Write.put(route("t", "api", "b", 2)))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(EntryKey.route(key).encoded())
        .hasMessageContaining("payload format 99");
  }
}
