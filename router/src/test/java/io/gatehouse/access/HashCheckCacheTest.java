package io.gatehouse.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The cache of recent successful password checks: its key, its time to live and its bound. */
@Timeout(10)
class HashCheckCacheTest {
  private final AtomicLong now = new AtomicLong(1_000);
  private final HashCheckCache cache = new HashCheckCache(100, 10, now::get);

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void the_key_changes_with_the_user_the_password_and_the_hash() {
    Set<HashCheckCache.Key> keys = new HashSet<>();
    keys.add(cache.key("alice", b("secret"), "$2y$h1"));
    keys.add(cache.key("alice", b("secret"), "$2y$h2"));
    keys.add(cache.key("alice", b("Secret"), "$2y$h1"));
    keys.add(cache.key("alicf", b("secret"), "$2y$h1"));
    // Bytes moved from one field to the next make another key.
    keys.add(cache.key("alices", b("ecret"), "$2y$h1"));
    keys.add(cache.key("alice", b("secret$"), "2y$h1"));
    assertThat(keys).hasSize(6);
    assertThat(cache.key("alice", b("secret"), "$2y$h1"))
        .isEqualTo(cache.key("alice", b("secret"), "$2y$h1"));
  }

  @Test
  void two_nodes_key_the_same_credentials_differently() {
    HashCheckCache other = new HashCheckCache(100, 10, now::get);
    assertThat(other.key("alice", b("secret"), "h"))
        .isNotEqualTo(cache.key("alice", b("secret"), "h"));
  }

  @Test
  void a_success_is_remembered_until_its_time_to_live_passes() {
    HashCheckCache.Key k = cache.key("alice", b("secret"), "h");
    assertThat(cache.remembers(k)).isFalse();
    cache.remember(k);
    now.addAndGet(99);
    assertThat(cache.remembers(k)).isTrue();
    now.addAndGet(1);
    assertThat(cache.remembers(k)).isFalse();
    assertThat(cache.size()).as("an expired entry found is removed").isZero();
  }

  @Test
  void a_flood_of_distinct_credentials_stays_within_the_bound() {
    for (int i = 0; i < 1_000; i++) {
      cache.remember(cache.key("user" + i, b("pw"), "h"));
      assertThat(cache.size()).isLessThanOrEqualTo(10);
    }
    assertThat(cache.remembers(cache.key("user999", b("pw"), "h")))
        .as("the newest is kept")
        .isTrue();
  }

  @Test
  void expired_entries_are_swept_before_live_ones_are_dropped() {
    for (int i = 0; i < 9; i++) {
      cache.remember(cache.key("old" + i, b("pw"), "h"));
    }
    now.addAndGet(50);
    HashCheckCache.Key live = cache.key("live", b("pw"), "h");
    cache.remember(live);
    now.addAndGet(60); // the nine old ones have expired, "live" has not
    cache.remember(cache.key("new", b("pw"), "h"));
    assertThat(cache.remembers(live)).isTrue();
    assertThat(cache.size()).isEqualTo(2);
  }
}
