package io.gatehouse.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.snapshot.Split;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class SplitPickerTest {
  private static final int ALL = -1;

  private static int[] counts(SplitPicker picker, Split split, int picks, int live) {
    int[] n = new int[split.size()];
    for (int i = 0; i < picks; i++) {
      int t = picker.next(split, live);
      if (t >= 0) {
        n[t]++;
      }
    }
    return n;
  }

  @Test
  void ninety_ten_over_ten_thousand_picks_is_exact_whatever_the_seeded_start() {
    for (long seed = 0; seed < 20; seed++) {
      SplitPicker picker = new SplitPicker(new SplittableRandom(seed));
      assertThat(counts(picker, Split.of(0, 90, 10), 10_000, ALL))
          .as("seed %d", seed)
          .containsExactly(9_000, 1_000);
    }
  }

  @Test
  void the_canary_is_spread_out_not_sent_in_bursts() {
    SplitPicker picker = new SplitPicker(new SplittableRandom(3));
    Split split = Split.of(0, 90, 10);
    int run = 0;
    for (int i = 0; i < 1_000; i++) {
      if (picker.next(split, ALL) == 1) {
        assertThat(run).as("picks between two canary picks").isBetween(i < 10 ? 0 : 9, 9);
        run = 0;
      } else {
        run++;
      }
    }
  }

  @Test
  void a_target_at_weight_0_is_never_picked_and_all_0_picks_none() {
    SplitPicker picker = new SplitPicker(new SplittableRandom(1));
    assertThat(counts(picker, Split.of(0, 0, 3, 1), 4_000, ALL)).containsExactly(0, 3_000, 1_000);
    assertThat(picker.next(Split.of(1, 0, 0), ALL)).isEqualTo(-1);
    assertThat(picker.next(Split.of(2, 0), ALL)).isEqualTo(-1);
  }

  @Test
  void a_target_without_endpoints_is_skipped_and_its_share_goes_to_the_others() {
    SplitPicker picker = new SplitPicker(new SplittableRandom(5));
    Split split = Split.of(0, 50, 30, 20);
    int firstMissing = 0b110;
    int[] without = counts(picker, split, 1_000, firstMissing);
    assertThat(without[0]).isZero();
    assertThat(without[1]).isBetween(598, 602);
    assertThat(picker.next(split, 0)).as("no target has endpoints: 503").isEqualTo(-1);
    // Back with endpoints, each gets its share again over a window.
    int[] back = counts(picker, split, 10_000, ALL);
    assertThat(back[0]).isBetween(4_990, 5_010);
    assertThat(back[1]).isBetween(2_990, 3_010);
  }

  @Test
  void the_rotation_is_kept_for_the_same_split_and_restarts_for_another() {
    // A start that plays nothing ahead (nextInt answers 0), so the sequence from zero is known.
    SplitPicker picker =
        new SplitPicker(
            new RandomGenerator() {
              @Override
              public long nextLong() {
                return 0;
              }

              @Override
              public int nextInt(int bound) {
                return 0;
              }
            });
    Split split = Split.of(4, 2, 1); // sequence from zero: 0 1 0, 0 1 0, ...
    assertThat(picker.next(split, ALL)).isEqualTo(0);
    assertThat(picker.next(split, ALL)).isEqualTo(1);
    // The same object in the next snapshot (equal weights): the rotation goes on.
    assertThat(picker.next(split, ALL)).isEqualTo(0);
    assertThat(picker.next(split, ALL)).isEqualTo(0);
    // Another split on that slot (new weights): a fresh rotation, from zero.
    Split renewed = Split.of(4, 2, 1);
    assertThat(picker.next(renewed, ALL)).isEqualTo(0);
    assertThat(picker.next(renewed, ALL)).isEqualTo(1);
  }

  @Test
  void event_loops_with_different_starts_pick_different_first_targets() {
    Split split = Split.of(0, 1, 1, 1, 1, 1, 1, 1, 1);
    Set<Integer> firsts = new HashSet<>();
    for (long seed = 0; seed < 32; seed++) {
      firsts.add(new SplitPicker(new SplittableRandom(seed)).next(split, ALL));
    }
    assertThat(firsts.size()).isGreaterThan(3);
  }

  @Test
  void a_slot_beyond_the_first_array_grows_it() {
    SplitPicker picker = new SplitPicker(new SplittableRandom(2));
    assertThat(counts(picker, Split.of(100, 1, 1), 10, ALL)).containsExactly(5, 5);
  }
}
