package io.gatehouse.table.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.table.HealthNotice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HazelcastHealthTopicTest {
  @Test
  void a_notice_reads_back_as_it_was_sent() {
    HealthNotice n =
        new HealthNotice(
            "member-1",
            HealthNotice.Kind.EJECTED,
            "fd00::1",
            8443,
            1_700_000_010_000L,
            10_000,
            "consecutive-5xx");
    assertThat(HazelcastHealthTopic.decode(HazelcastHealthTopic.encode(n))).isEqualTo(n);
  }

  @Test
  void a_tab_in_the_reason_cannot_shift_the_fields() {
    HealthNotice n =
        new HealthNotice("m", HealthNotice.Kind.UNHEALTHY, "10.0.0.1", 80, 0, 0, "a\tb");
    assertThat(HazelcastHealthTopic.decode(HazelcastHealthTopic.encode(n)).reason())
        .isEqualTo("a b");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "h2\tm\tEJECTED\th\t80\t1\t1\tr",
        "h1\tm\tEVICTED\th\t80\t1\t1\tr",
        "h1\tm\tEJECTED\th\teighty\t1\t1\tr",
        "h1\tm\tEJECTED\th\t80\t1\t1",
        "h1\tm\tEJECTED\th\t80\t1\t1\tr\textra"
      })
  void a_message_this_release_cannot_read_is_skipped(String text) {
    assertThat(HazelcastHealthTopic.decode(text)).isNull();
  }
}
