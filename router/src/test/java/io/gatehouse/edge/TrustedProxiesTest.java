package io.gatehouse.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(10)
class TrustedProxiesTest {

  static Stream<Arguments> cases() {
    return Stream.of(
        // name, cidr, peer, trusted
        Arguments.of("v4-slash-8-inside", "10.0.0.0/8", "10.255.1.2", true),
        Arguments.of("v4-slash-8-outside", "10.0.0.0/8", "11.0.0.1", false),
        Arguments.of("v4-odd-prefix-inside", "192.168.4.0/22", "192.168.7.255", true),
        Arguments.of("v4-odd-prefix-outside", "192.168.4.0/22", "192.168.8.0", false),
        Arguments.of("v4-slash-32-exact", "203.0.113.7/32", "203.0.113.7", true),
        Arguments.of("v4-slash-32-neighbour", "203.0.113.7/32", "203.0.113.8", false),
        Arguments.of("v4-bare-address-is-slash-32", "203.0.113.7", "203.0.113.7", true),
        Arguments.of("v4-bare-address-neighbour", "203.0.113.7", "203.0.113.6", false),
        Arguments.of("v4-slash-0-everything-v4", "0.0.0.0/0", "198.51.100.1", true),
        Arguments.of("v4-slash-0-not-v6", "0.0.0.0/0", "2001:db8::1", false),
        Arguments.of("v4-host-bits-ignored", "10.1.2.3/8", "10.9.9.9", true),
        Arguments.of("v6-loopback", "::1/128", "0:0:0:0:0:0:0:1", true),
        Arguments.of("v6-loopback-short", "::1", "::1", true),
        Arguments.of("v6-loopback-neighbour", "::1/128", "::2", false),
        Arguments.of("v6-slash-32-inside", "2001:db8::/32", "2001:db8:ffff::1", true),
        Arguments.of("v6-slash-32-outside", "2001:db8::/32", "2001:db9::1", false),
        Arguments.of("v6-odd-prefix", "2001:db8:8000::/33", "2001:db8:ffff::1", true),
        Arguments.of("v6-odd-prefix-outside", "2001:db8:8000::/33", "2001:db8:7fff::1", false),
        Arguments.of("v6-upper-case", "2001:DB8::/32", "2001:db8::5", true),
        Arguments.of("v6-slash-0-everything-v6", "::/0", "2001:db8::1", true),
        Arguments.of("v6-slash-0-not-v4", "::/0", "127.0.0.1", false),
        Arguments.of("v6-bracketed-peer", "2001:db8::/32", "[2001:db8::1]", true),
        Arguments.of("v4-mapped-peer-matches-v4-cidr", "10.0.0.0/8", "::ffff:10.1.2.3", true),
        Arguments.of("v4-mapped-peer-outside-v4-cidr", "10.0.0.0/8", "::ffff:11.1.2.3", false),
        Arguments.of("v4-mapped-cidr-matches-v4-peer", "::ffff:10.0.0.0/104", "10.20.30.40", true),
        Arguments.of("v4-mapped-cidr-outside", "::ffff:10.0.0.0/104", "11.0.0.1", false),
        Arguments.of("v4-mapped-bare-address", "::ffff:192.0.2.1", "192.0.2.1", true),
        Arguments.of("peer-hostname-never-trusted", "0.0.0.0/0", "localhost", false),
        Arguments.of("peer-empty-never-trusted", "0.0.0.0/0", "", false),
        Arguments.of("peer-bad-octet-never-trusted", "0.0.0.0/0", "256.1.1.1", false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void cidr_matching(String name, String cidr, String peer, boolean trusted) {
    assertThat(TrustedProxies.parse(List.of(cidr)).contains(peer)).isEqualTo(trusted);
  }

  @Test
  void any_of_several_networks_trusts() {
    TrustedProxies t = TrustedProxies.parse(List.of("10.0.0.0/8", " ::1/128 ", "192.0.2.1"));
    assertThat(t.isEmpty()).isFalse();
    assertThat(t.contains("10.1.1.1")).isTrue();
    assertThat(t.contains("::1")).isTrue();
    assertThat(t.contains("192.0.2.1")).isTrue();
    assertThat(t.contains("192.0.2.2")).isFalse();
    assertThat(t.contains(null)).isFalse();
  }

  @Test
  void none_trusts_nobody() {
    assertThat(TrustedProxies.none().isEmpty()).isTrue();
    assertThat(TrustedProxies.none().contains("127.0.0.1")).isFalse();
    assertThat(TrustedProxies.parse(List.of()).contains("127.0.0.1")).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "10.0.0.0/33",
        "10.0.0.0/-1",
        "10.0.0.0/",
        "10.0.0.0/+8",
        "10.0.0.0/8a",
        "10.0.0.0/8/9",
        "::1/129",
        "::ffff:10.0.0.0/95",
        "10.0.0/8",
        "10.0.0.0.0/8",
        "256.0.0.0/8",
        "10.00.0.0/8",
        "1.2.3.4x",
        "example.com/8",
        "localhost",
        "::g/64",
        "fe80::1%eth0/64"
      })
  void bad_cidrs_are_rejected_naming_them(String cidr) {
    assertThatThrownBy(() -> TrustedProxies.parse(List.of("127.0.0.1/32", cidr)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("trusted proxy \"" + cidr.trim() + "\"")
        .hasMessageContaining("expected: ");
  }

  @Test
  void prefix_error_names_the_allowed_range() {
    assertThatThrownBy(() -> TrustedProxies.parse(List.of("10.0.0.0/33")))
        .hasMessage("trusted proxy \"10.0.0.0/33\" (expected: prefix length 0-32)");
    assertThatThrownBy(() -> TrustedProxies.parse(List.of("::/129")))
        .hasMessage("trusted proxy \"::/129\" (expected: prefix length 0-128)");
  }
}
