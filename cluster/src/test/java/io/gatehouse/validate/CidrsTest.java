package io.gatehouse.validate;

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
class CidrsTest {

  static Stream<Arguments> matches() {
    return Stream.of(
        // name, cidr, address, contained
        Arguments.of("v4-slash-8-inside", "10.0.0.0/8", "10.255.1.2", true),
        Arguments.of("v4-slash-8-outside", "10.0.0.0/8", "11.0.0.1", false),
        Arguments.of("v4-odd-prefix-first", "192.168.4.0/22", "192.168.4.0", true),
        Arguments.of("v4-odd-prefix-last", "192.168.4.0/22", "192.168.7.255", true),
        Arguments.of("v4-odd-prefix-past-the-end", "192.168.4.0/22", "192.168.8.0", false),
        Arguments.of("v4-odd-prefix-before", "192.168.4.0/22", "192.168.3.255", false),
        Arguments.of("v4-slash-31", "198.51.100.6/31", "198.51.100.7", true),
        Arguments.of("v4-slash-31-outside", "198.51.100.6/31", "198.51.100.8", false),
        Arguments.of("v4-slash-32-exact", "203.0.113.7/32", "203.0.113.7", true),
        Arguments.of("v4-slash-32-neighbour", "203.0.113.7/32", "203.0.113.8", false),
        Arguments.of("v4-bare-address-is-slash-32", "203.0.113.7", "203.0.113.7", true),
        Arguments.of("v4-bare-address-neighbour", "203.0.113.7", "203.0.113.6", false),
        Arguments.of("v4-slash-0-everything-v4", "0.0.0.0/0", "198.51.100.1", true),
        Arguments.of("v4-slash-0-not-v6", "0.0.0.0/0", "2001:db8::1", false),
        Arguments.of("v4-host-bits-ignored", "10.1.2.3/8", "10.9.9.9", true),
        Arguments.of("v4-broadcast", "0.0.0.0/0", "255.255.255.255", true),
        Arguments.of("v6-loopback", "::1/128", "0:0:0:0:0:0:0:1", true),
        Arguments.of("v6-loopback-short", "::1", "::1", true),
        Arguments.of("v6-loopback-neighbour", "::1/128", "::2", false),
        Arguments.of("v6-slash-32-inside", "2001:db8::/32", "2001:db8:ffff::1", true),
        Arguments.of("v6-slash-32-outside", "2001:db8::/32", "2001:db9::1", false),
        Arguments.of("v6-odd-prefix", "2001:db8:8000::/33", "2001:db8:ffff::1", true),
        Arguments.of("v6-odd-prefix-outside", "2001:db8:8000::/33", "2001:db8:7fff::1", false),
        Arguments.of("v6-slash-127", "2001:db8::/127", "2001:db8::1", true),
        Arguments.of("v6-slash-127-outside", "2001:db8::/127", "2001:db8::2", false),
        Arguments.of("v6-upper-case", "2001:DB8::/32", "2001:db8::5", true),
        Arguments.of("v6-upper-case-address", "2001:db8::/32", "2001:DB8::5", true),
        Arguments.of("v6-slash-0-everything-v6", "::/0", "2001:db8::1", true),
        Arguments.of("v6-slash-0-not-v4", "::/0", "127.0.0.1", false),
        Arguments.of("v6-bracketed-address", "2001:db8::/32", "[2001:db8::1]", true),
        Arguments.of("v6-embedded-v4-form", "64:ff9b::/96", "64:ff9b::192.0.2.1", true),
        Arguments.of("v4-mapped-address-matches-v4-cidr", "10.0.0.0/8", "::ffff:10.1.2.3", true),
        Arguments.of("v4-mapped-address-outside-v4-cidr", "10.0.0.0/8", "::ffff:11.1.2.3", false),
        Arguments.of("v4-mapped-cidr-matches-v4-address", "::ffff:10.0.0.0/104", "10.2.3.4", true),
        Arguments.of("v4-mapped-cidr-outside", "::ffff:10.0.0.0/104", "11.0.0.1", false),
        Arguments.of("v4-mapped-bare-address", "::ffff:192.0.2.1", "192.0.2.1", true),
        Arguments.of("v4-mapped-slash-96-is-all-v4", "::ffff:0.0.0.0/96", "198.51.100.1", true),
        Arguments.of("hostname-never-matches", "0.0.0.0/0", "localhost", false),
        Arguments.of("empty-never-matches", "0.0.0.0/0", "", false),
        Arguments.of("bad-octet-never-matches", "0.0.0.0/0", "256.1.1.1", false),
        Arguments.of("leading-zero-never-matches", "0.0.0.0/0", "010.1.1.1", false),
        Arguments.of("three-octets-never-match", "0.0.0.0/0", "10.1.1", false),
        Arguments.of("five-octets-never-match", "0.0.0.0/0", "10.1.1.1.1", false),
        Arguments.of("zone-never-matches", "::/0", "fe80::1%eth0", false),
        Arguments.of("port-never-matches", "0.0.0.0/0", "10.1.1.1:80", false),
        Arguments.of("empty-brackets-never-match", "::/0", "[]", false),
        Arguments.of("v4-in-brackets-is-no-v6", "0.0.0.0/0", "[10.0.0.1]", true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("matches")
  void an_address_is_in_a_network_when_its_prefix_bits_agree(
      String name, String cidr, String address, boolean contained) {
    assertThat(Cidrs.parse(List.of(cidr)).contains(address)).isEqualTo(contained);
  }

  @Test
  void any_of_several_networks_contains() {
    Cidrs c = Cidrs.parse(List.of("10.0.0.0/8", " ::1/128 ", "192.0.2.1"));
    assertThat(c.isEmpty()).isFalse();
    assertThat(c.contains("10.1.1.1")).isTrue();
    assertThat(c.contains("::1")).isTrue();
    assertThat(c.contains("192.0.2.1")).isTrue();
    assertThat(c.contains("192.0.2.2")).isFalse();
    assertThat(c.contains((String) null)).isFalse();
    assertThat(c.source()).containsExactly("10.0.0.0/8", " ::1/128 ", "192.0.2.1");
  }

  @Test
  void none_contains_nothing() {
    assertThat(Cidrs.NONE.isEmpty()).isTrue();
    assertThat(Cidrs.NONE.contains("127.0.0.1")).isFalse();
    assertThat(Cidrs.parse(List.of())).isSameAs(Cidrs.NONE);
  }

  static Stream<Arguments> literals() {
    return Stream.of(
        Arguments.of("10.1.2.3", new byte[] {10, 1, 2, 3}),
        Arguments.of("0.0.0.0", new byte[] {0, 0, 0, 0}),
        Arguments.of("255.255.255.255", new byte[] {-1, -1, -1, -1}),
        Arguments.of("::ffff:10.1.2.3", new byte[] {10, 1, 2, 3}),
        Arguments.of("[::ffff:10.1.2.3]", new byte[] {10, 1, 2, 3}),
        Arguments.of("::1", new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}),
        Arguments.of(
            "[2001:db8::1]",
            new byte[] {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("literals")
  void a_literal_gives_its_address_bytes_and_v4_mapped_is_v4(String text, byte[] bytes) {
    assertThat(Cidrs.literal(text)).isEqualTo(bytes);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "[]",
        "localhost",
        "example.com",
        "256.1.1.1",
        "1.2.3.04",
        "01.2.3.4",
        "1.2.3",
        "1.2.3.4.5",
        "1.2.3.",
        ".1.2.3",
        "1..2.3",
        "1234.1.1.1",
        "1.2.3.4x",
        "+1.2.3.4",
        "0x7f.0.0.1",
        "2130706433",
        "::g",
        "fe80::1%eth0",
        "1:2:3:4:5:6:7:8:9",
        "[::1",
        "::1]"
      })
  void a_bad_literal_is_no_address_and_never_looked_up(String text) {
    // 2130706433 and 0x7f.0.0.1 are 127.0.0.1 to inet_aton; a leading zero is octal to some parsers
    assertThat(Cidrs.literal(text)).isNull();
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
        "10.0.0.0/0008",
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
  void bad_cidrs_are_refused_naming_them(String cidr) {
    assertThat(Cidrs.problem(cidr)).startsWith("\"" + cidr.trim() + "\"").contains("expected: ");
    assertThatThrownBy(() -> Cidrs.parse(List.of("127.0.0.1/32", cidr)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(Cidrs.problem(cidr));
    assertThat(Cidrs.problems(List.of("10.0.0.0/8", cidr, "::1"))).hasSize(1);
  }

  @Test
  void a_missing_cidr_is_a_problem() {
    assertThat(Cidrs.problem(null)).contains("missing");
  }

  @Test
  void a_prefix_problem_names_the_allowed_range() {
    assertThat(Cidrs.problem("10.0.0.0/33"))
        .isEqualTo("\"10.0.0.0/33\" has a bad prefix length (expected: 0-32)");
    assertThat(Cidrs.problem("::/129"))
        .isEqualTo("\"::/129\" has a bad prefix length (expected: 0-128)");
    assertThat(Cidrs.problem("::ffff:10.0.0.0/95"))
        .isEqualTo(
            "\"::ffff:10.0.0.0/95\" has a bad prefix length (expected: 96-128 for an IPv4-mapped"
                + " address)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.0/8", " 10.0.0.0/8 ", "::/0", "::1", "203.0.113.7"})
  void good_cidrs_have_no_problem(String cidr) {
    assertThat(Cidrs.problem(cidr)).isNull();
  }
}
