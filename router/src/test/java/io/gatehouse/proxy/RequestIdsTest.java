package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(10)
class RequestIdsTest {

  @ParameterizedTest
  @ValueSource(
      strings = {"abc-123", "A_b.c:d", "0", "f47ac10b-58cc-4372-a567-0e02b2c3d479", "trace:1.2_3"})
  void sane_ids_are_passed_through(String id) {
    assertThat(RequestIds.isAcceptable(id)).isTrue();
    assertThat(RequestIds.acceptOrGenerate(id)).isSameAs(id);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", " ", "a b", "a\r\nx: y", "<script>", "a\"b", "bücher", "a/b", "a,b", "a;b"})
  void unsafe_ids_are_replaced_by_a_generated_one(String id) {
    assertThat(RequestIds.isAcceptable(id)).isFalse();
    assertThat(RequestIds.acceptOrGenerate(id)).matches("[0-9a-f]{32}");
  }

  @Test
  void length_limit_is_inclusive() {
    assertThat(RequestIds.isAcceptable("a".repeat(RequestIds.MAX_LENGTH))).isTrue();
    assertThat(RequestIds.isAcceptable("a".repeat(RequestIds.MAX_LENGTH + 1))).isFalse();
  }

  @Test
  void missing_id_is_generated() {
    assertThat(RequestIds.isAcceptable(null)).isFalse();
    assertThat(RequestIds.acceptOrGenerate(null)).matches("[0-9a-f]{32}");
  }

  @Test
  void generated_ids_are_32_hex_and_distinct() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String id = RequestIds.generate();
      assertThat(id).matches("[0-9a-f]{32}");
      seen.add(id);
    }
    assertThat(seen).hasSize(10_000);
  }

  @Test
  void generated_ids_use_every_hex_digit_in_every_position() {
    // Catches a shift or mask slip that would pin some nibbles.
    boolean[][] seen = new boolean[32][16];
    for (int i = 0; i < 2000; i++) {
      String id = RequestIds.generate();
      for (int p = 0; p < 32; p++) {
        seen[p][Character.digit(id.charAt(p), 16)] = true;
      }
    }
    for (int p = 0; p < 32; p++) {
      for (int d = 0; d < 16; d++) {
        assertThat(seen[p][d]).as("position %d digit %x", p, d).isTrue();
      }
    }
  }
}
