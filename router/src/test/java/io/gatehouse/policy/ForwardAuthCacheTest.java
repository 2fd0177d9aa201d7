package io.gatehouse.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ForwardAuthCacheTest {
  static final byte[] SCOPE = "route\npolicy".getBytes(StandardCharsets.UTF_8);
  static final ForwardAuthAnswer OK = new ForwardAuthAnswer(200, List.of("x-user", "a"));

  final AtomicLong now = new AtomicLong(1_000);

  static ForwardAuthCache.Key key(String... values) {
    return ForwardAuthCache.Key.of(SCOPE, values);
  }

  @Test
  void an_answer_is_kept_for_its_duration_and_not_a_nanosecond_longer() {
    ForwardAuthCache c = new ForwardAuthCache(10, now::get);
    c.put(key("a"), OK, 100);
    now.addAndGet(99);
    assertThat(c.get(key("a"))).isEqualTo(OK);
    now.addAndGet(1);
    assertThat(c.get(key("a"))).isNull();
    assertThat(c.size()).as("an expired entry is dropped when read").isZero();
    c.put(key("a"), OK, 0);
    assertThat(c.size()).as("no duration, no entry").isZero();
  }

  @Test
  void the_least_recently_used_entry_goes_first_when_the_bound_is_reached() {
    ForwardAuthCache c = new ForwardAuthCache(2, now::get);
    c.put(key("a"), OK, 1_000);
    c.put(key("b"), OK, 1_000);
    assertThat(c.get(key("a"))).isNotNull();
    c.put(key("c"), OK, 1_000);
    assertThat(c.size()).isEqualTo(2);
    assertThat(c.get(key("b"))).isNull();
    assertThat(c.get(key("a"))).isNotNull();
    assertThat(c.get(key("c"))).isNotNull();
    for (int i = 0; i < 10_000; i++) {
      c.put(key("flood-" + i), OK, 1_000);
    }
    assertThat(c.size()).isEqualTo(2);
    assertThatThrownBy(() -> new ForwardAuthCache(0, now::get))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void keys_tell_absent_from_empty_and_never_run_values_together() {
    assertThat(key((String) null)).isNotEqualTo(key(""));
    assertThat(key("ab", "c")).isNotEqualTo(key("a", "bc"));
    assertThat(key("a", null)).isNotEqualTo(key(null, "a"));
    assertThat(key("a", "b")).isEqualTo(key("a", "b"));
    assertThat(
            ForwardAuthCache.Key.of("other".getBytes(StandardCharsets.UTF_8), new String[] {"a"}))
        .isNotEqualTo(key("a"));
  }
}
