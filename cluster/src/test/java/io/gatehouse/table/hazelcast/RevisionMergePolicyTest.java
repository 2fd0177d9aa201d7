package io.gatehouse.table.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The split-brain rule, decided alike on every member whichever side it sees first. */
class RevisionMergePolicyTest {
  private static StoredEntry entry(long revision, String payload) {
    return new StoredEntry("ROUTE:t/api/a", revision, revision, 1, payload, true);
  }

  @Test
  void the_higher_revision_wins_either_way_round() {
    assertThat(RevisionMergePolicy.wins(entry(5, "a"), entry(4, "b"))).isTrue();
    assertThat(RevisionMergePolicy.wins(entry(4, "b"), entry(5, "a"))).isFalse();
  }

  @Test
  void on_equal_revisions_the_tombstone_wins() {
    assertThat(RevisionMergePolicy.wins(entry(5, null), entry(5, "a"))).isTrue();
    assertThat(RevisionMergePolicy.wins(entry(5, "a"), entry(5, null))).isFalse();
  }

  @Test
  void on_equal_revisions_and_both_live_the_larger_payload_wins_so_all_agree() {
    assertThat(RevisionMergePolicy.wins(entry(5, "b"), entry(5, "a"))).isTrue();
    assertThat(RevisionMergePolicy.wins(entry(5, "a"), entry(5, "b"))).isFalse();
  }

  @Test
  void the_clock_keeps_the_larger_of_each_counter() {
    assertThat(new Clock(10, 3).max(new Clock(7, 9))).isEqualTo(new Clock(10, 9));
    assertThat(Clock.parse(new Clock(12, 40).encode())).isEqualTo(new Clock(12, 40));
    assertThat(Clock.parse(null)).isEqualTo(Clock.ZERO);
  }
}
