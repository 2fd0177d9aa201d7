package io.gatehouse.table.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(180)
class HazelcastLimitCountersTest {
  @Test
  void a_report_reads_back_as_it_was_sent_whatever_its_bucket_ids_hold() {
    Map<String, Long> counts =
        Map.of(
            "route:t/a|x|CLIENT_ADDRESS\n10.0.0.1", 3L, "id\nvalue with spaces 1:2 \n", 7L, "", 1L);
    assertThat(HazelcastLimitCounters.decode(HazelcastLimitCounters.encode("m1", counts)))
        .isEqualTo(counts);
    assertThat(HazelcastLimitCounters.decode(HazelcastLimitCounters.encode("m1", Map.of())))
        .isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "c2 m 1 1:a", "c1 m x 1:a", "c1 m 1 9:a", "c1 m 1 1a", "c1 m -1 1:a"})
  void a_report_this_release_cannot_read_is_skipped(String text) {
    assertThat(HazelcastLimitCounters.decode(text)).isNull();
  }

  private final Object changed = new Object();

  private void signal() {
    synchronized (changed) {
      changed.notifyAll();
    }
  }

  /** Waits, bounded, for {@code condition}, woken by the counters' listeners (and each second). */
  private void until(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    synchronized (changed) {
      while (!condition.getAsBoolean()) {
        long left = deadline - System.nanoTime();
        assertThat(left).as(what).isPositive();
        changed.wait(Math.min(1000, Math.max(1, left / 1_000_000)));
      }
    }
  }

  @Test
  void members_hear_one_anothers_reports_and_tell_a_goodbye_from_a_member_lost()
      throws InterruptedException {
    try (Members members = new Members(3)) {
      List<Members.Member> m =
          List.of(members.start(0, null), members.start(1, null), members.start(2, null));
      List<HazelcastLimitCounters> counters =
          m.stream().map(x -> HazelcastLimitCounters.on(x.table())).toList();
      counters.forEach(c -> c.onMembersChanged(g -> signal()));
      until("three members", () -> counters.stream().allMatch(c -> c.members() == 3));
      Map<String, Long> heard = new ConcurrentHashMap<>();
      List<Boolean> changes = new CopyOnWriteArrayList<>();
      counters
          .get(0)
          .subscribe(
              r -> {
                r.forEach((k, v) -> heard.merge(k, v, Long::sum));
                signal();
              });
      counters.get(0).onMembersChanged(changes::add);
      Map<String, Long> own = new ConcurrentHashMap<>();
      counters
          .get(1)
          .subscribe(
              r -> {
                r.forEach((k, v) -> own.merge(k, v, Long::sum));
                signal();
              });
      counters.get(1).publish(Map.of("a\nk", 2L));
      counters.get(2).publish(Map.of("a\nk", 3L));
      until("both reports", () -> Long.valueOf(5).equals(heard.get("a\nk")));
      // Each member's topic delivery is its own: member 0 hearing both says nothing of member 1.
      // Its own report (2) was published first and would have been delivered locally at once.
      until("member 1 hears member 2", () -> own.containsKey("a\nk"));
      assertThat(own).as("a member does not hear itself").containsEntry("a\nk", 3L);

      counters.get(2).close(); // goodbye, then the member leaves
      m.get(2).kill();
      until("two members", () -> counters.get(0).members() == 2);
      until("a graceful leave", () -> changes.contains(Boolean.TRUE));
      changes.clear();
      m.get(1).kill(); // lost from sight: no goodbye
      until("one member", () -> counters.get(0).members() == 1 && !changes.isEmpty());
      assertThat(changes).containsOnly(Boolean.FALSE);
    }
  }
}
