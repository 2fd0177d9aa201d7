package io.gatehouse.document;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.model.Endpoint;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The forms every source accepts: durations, byte sizes, HOST:PORT, and their texts. */
class FormsTest {

  @Test
  void a_duration_takes_one_unit_of_ms_s_m_h_or_d() {
    assertThat(Quantities.parseDuration("250ms")).contains(Duration.ofMillis(250));
    assertThat(Quantities.parseDuration("10s")).contains(Duration.ofSeconds(10));
    assertThat(Quantities.parseDuration("5m")).contains(Duration.ofMinutes(5));
    assertThat(Quantities.parseDuration("1h")).contains(Duration.ofHours(1));
    assertThat(Quantities.parseDuration("365d")).contains(Duration.ofDays(365));
  }

  @Test
  void a_duration_may_be_compound_and_is_trimmed() {
    assertThat(Quantities.parseDuration(" 1h30m ")).contains(Duration.ofMinutes(90));
    assertThat(Quantities.parseDuration("1m30s500ms")).contains(Duration.ofMillis(90_500));
  }

  @Test
  void a_duration_may_be_iso_8601_in_any_case_but_not_negative() {
    assertThat(Quantities.parseDuration("PT10S")).contains(Duration.ofSeconds(10));
    assertThat(Quantities.parseDuration("pt1m")).contains(Duration.ofMinutes(1));
    assertThat(Quantities.parseDuration("PT-1S")).isEmpty();
    assertThat(Quantities.parseDuration("P")).isEmpty();
  }

  @Test
  void zero_needs_no_unit() {
    assertThat(Quantities.parseDuration("0")).contains(Duration.ZERO);
  }

  @Test
  void a_duration_without_a_known_unit_or_with_a_fraction_is_refused() {
    for (String bad :
        new String[] {"", " ", "10", "10 s", "1.5s", "10parsecs", "s", "-5s", "10S", "1h 30m"}) {
      assertThat(Quantities.parseDuration(bad)).as(bad).isEmpty();
    }
    assertThat(Quantities.parseDuration(null)).isEmpty();
  }

  @Test
  void a_duration_that_overflows_is_refused_not_thrown() {
    assertThat(Quantities.parseDuration("999999999999d".repeat(120))).isEmpty();
  }

  @Test
  void a_duration_too_long_for_milliseconds_is_formatted_not_thrown() {
    assertThat(Quantities.formatDuration(Duration.ofDays(999_999_999_999L)))
        .isEqualTo("23999999999976h");
    assertThat(Quantities.formatDuration(Duration.ofSeconds(Long.MAX_VALUE / 1000, 1_000_000)))
        .isEqualTo(Duration.ofSeconds(Long.MAX_VALUE / 1000, 1_000_000).toString());
  }

  @Test
  void format_duration_picks_the_largest_whole_unit() {
    assertThat(Quantities.formatDuration(Duration.ZERO)).isEqualTo("0s");
    assertThat(Quantities.formatDuration(Duration.ofMillis(250))).isEqualTo("250ms");
    assertThat(Quantities.formatDuration(Duration.ofSeconds(90))).isEqualTo("90s");
    assertThat(Quantities.formatDuration(Duration.ofMinutes(5))).isEqualTo("5m");
    assertThat(Quantities.formatDuration(Duration.ofDays(1))).isEqualTo("24h");
    assertThat(Quantities.formatDuration(Duration.ofNanos(1))).isEqualTo("PT0.000000001S");
    for (String s : new String[] {"250ms", "90s", "5m", "24h"}) {
      assertThat(Quantities.parseDuration(s).map(Quantities::formatDuration)).contains(s);
    }
  }

  @Test
  void a_byte_size_is_an_integer_with_an_optional_binary_unit_in_any_case() {
    assertThat(Quantities.parseBytes("32768")).contains(32_768L);
    assertThat(Quantities.parseBytes("32KiB")).contains(32L << 10);
    assertThat(Quantities.parseBytes("10MiB")).contains(10L << 20);
    assertThat(Quantities.parseBytes("2gib")).contains(2L << 30);
    assertThat(Quantities.parseBytes("1 M")).contains(1L << 20);
    assertThat(Quantities.parseBytes("7b")).contains(7L);
  }

  @Test
  void a_byte_size_that_is_negative_fractional_decimal_or_too_big_is_refused() {
    for (String bad : new String[] {"-1", "1.5MiB", "10MB", "10TiB", "", "MiB"}) {
      assertThat(Quantities.parseBytes(bad)).as(bad).isEmpty();
    }
    assertThat(Quantities.parseBytes("9223372036854775807")).contains(Long.MAX_VALUE);
    assertThat(Quantities.parseBytes("9223372036854775807K")).isEmpty();
    assertThat(Quantities.parseBytes("99999999999999999999")).isEmpty();
    assertThat(Quantities.parseBytes(null)).isEmpty();
  }

  @Test
  void host_port_takes_a_name_or_ipv4_and_a_port() {
    assertThat(HostPort.parse("127.0.0.1:8080", 3)).contains(new Endpoint("127.0.0.1", 8080, 3));
    assertThat(HostPort.parse(" api.internal:443 ", 1))
        .contains(new Endpoint("api.internal", 443, 1));
  }

  @Test
  void host_port_takes_ipv6_only_in_brackets() {
    assertThat(HostPort.parse("[::1]:8080", 1)).contains(new Endpoint("::1", 8080, 1));
    assertThat(HostPort.parse("::1:8080", 1)).isEmpty();
    assertThat(HostPort.parse("[]:8080", 1)).isEmpty();
    assertThat(HostPort.parse("[::1]8080", 1)).isEmpty();
    assertThat(HostPort.parse("[::1]", 1)).isEmpty();
  }

  @Test
  void host_port_refuses_a_missing_or_out_of_range_port() {
    for (String bad :
        new String[] {"nohost", "host:", ":80", "h:0", "h:65536", "h:123456", "h:8o", "h:-1"}) {
      assertThat(HostPort.parse(bad, 1)).as(bad).isEmpty();
    }
    assertThat(HostPort.parse("h:65535", 1)).map(Endpoint::port).contains(65535);
    assertThat(HostPort.parse(null, 1)).isEqualTo(Optional.empty());
  }

  @Test
  void byte_sizes_take_the_short_binary_units_too() {
    assertThat(Quantities.parseBytes("64Ki")).contains(64L * 1024);
    assertThat(Quantities.parseBytes("2mi")).contains(2L << 20);
    assertThat(Quantities.parseBytes("1Gi")).contains(1L << 30);
    assertThat(Quantities.parseBytes("1Ti")).isEmpty();
  }

  @Test
  void the_form_texts_name_an_example_of_each_form() {
    assertThat(Forms.HOST_PORT).contains("127.0.0.1:8080").contains("[::1]:8080");
    assertThat(Forms.DURATION).contains("10s").contains("PT10S");
    assertThat(Forms.BYTES).contains("10MiB");
  }

  @Test
  void key_sets_keep_document_order_and_cannot_change() {
    assertThat(Forms.BACKEND_KEYS)
        .containsExactly(
            "protocol",
            "endpoints",
            "tls",
            "proxyProtocol",
            "loadBalancing",
            "healthCheck",
            "outlierDetection",
            "circuitBreaker");
    assertThat(Forms.ROUTE_KEYS)
        .startsWith("name", "tenant", "hosts")
        .endsWith("priority", "tls", "policies");
    assertThatThrownBy(() -> Forms.PATH_KEYS.add("x"))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
