package io.gatehouse.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link RangeMap#with} against a HashMap: puts, removes, growth and shrink in any order. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RangeMapTest {

  @Test
  void with_applies_puts_and_removes_like_a_hash_map() {
    qt().withExamples(500)
        .forAll(lists().of(integers().all()).ofSizeBetween(1, 60))
        .checkAssert(
            codes -> {
              Map<String, Integer> expected = new HashMap<>();
              RangeMap<Integer> map = new RangeMap<>(Map.of());
              for (int code : codes) {
                SplittableRandom random = new SplittableRandom(code);
                Map<String, Integer> changes = new HashMap<>();
                for (int n = random.nextInt(1, 40); n > 0; n--) {
                  // Few distinct keys, so removes hit present keys and probe runs collide.
                  String k = "k" + random.nextInt(50);
                  Integer v = random.nextInt(3) == 0 ? null : random.nextInt(1000);
                  changes.put(k, v);
                }
                RangeMap<Integer> before = map;
                Map<String, Integer> beforeExpected = new HashMap<>(expected);
                map = map.with(changes);
                changes.forEach(
                    (k, v) -> {
                      if (v == null) {
                        expected.remove(k);
                      } else {
                        expected.put(k, v);
                      }
                    });
                assertSame(map, expected);
                assertSame(before, beforeExpected); // the old map is never modified
              }
            });
  }

  @Test
  void probes_with_a_range_of_a_longer_string() {
    RangeMap<Integer> map = new RangeMap<Integer>(Map.of("b.test", 1)).with(Map.of("c.test", 2));
    assertThat(map.get("a.b.test", 2, 8)).isEqualTo(1);
    assertThat(map.get("x.c.test", 2, 8)).isEqualTo(2);
    assertThat(map.get("x.d.test", 2, 8)).isNull();
  }

  private static void assertSame(RangeMap<Integer> map, Map<String, Integer> expected) {
    assertThat(map.size()).isEqualTo(expected.size());
    for (int i = 0; i < 50; i++) {
      String k = "k" + i;
      assertThat(map.get(k)).as(k).isEqualTo(expected.get(k));
    }
    Map<String, Integer> seen = new HashMap<>();
    map.forEach(seen::put);
    assertThat(seen).isEqualTo(expected);
    assertThat(List.copyOf(seen.keySet())).hasSize(expected.size());
  }
}
