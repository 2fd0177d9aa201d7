package io.gatehouse.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(10)
class ClientAddressesTest {
  private static final TrustedProxies PROXIES =
      TrustedProxies.parse(List.of("10.0.0.0/8", "2001:db8:ffff::/48"));

  static Stream<Arguments> cases() {
    return Stream.of(
        // name, peer, headers (name, value...), client
        Arguments.of(
            "untrusted-peer-xff-ignored",
            "198.51.100.9",
            new String[] {"X-Forwarded-For", "6.6.6.6"},
            "198.51.100.9"),
        Arguments.of(
            "untrusted-peer-forwarded-ignored",
            "198.51.100.9",
            new String[] {"Forwarded", "for=6.6.6.6"},
            "198.51.100.9"),
        Arguments.of(
            "trusted-peer-without-headers-is-the-client", "10.0.0.1", new String[] {}, "10.0.0.1"),
        Arguments.of(
            "trusted-peer-one-hop",
            "10.0.0.1",
            new String[] {"X-Forwarded-For", "203.0.113.5"},
            "203.0.113.5"),
        Arguments.of(
            "rightmost-untrusted-wins-over-a-spoofed-left",
            "10.0.0.1",
            new String[] {"X-Forwarded-For", "6.6.6.6, 203.0.113.5"},
            "203.0.113.5"),
        Arguments.of(
            "trusted-hops-are-skipped-recursively",
            "10.0.0.1",
            new String[] {"X-Forwarded-For", "6.6.6.6, 203.0.113.5, 10.9.9.9, 10.8.8.8"},
            "203.0.113.5"),
        Arguments.of(
            "all-trusted-gives-the-leftmost",
            "10.0.0.1",
            new String[] {"X-Forwarded-For", "10.1.1.1, 10.2.2.2"},
            "10.1.1.1"),
        Arguments.of(
            "several-header-lines-are-one-list",
            "10.0.0.1",
            new String[] {"X-Forwarded-For", "6.6.6.6", "x-forwarded-for", "203.0.113.5"},
            "203.0.113.5"),
        Arguments.of(
            "garbage-stops-at-the-last-trusted-hop",
            "10.0.0.1",
            new String[] {"X-Forwarded-For", "203.0.113.5, nonsense, 10.2.2.2"},
            "10.2.2.2"),
        Arguments.of(
            "garbage-right-of-everything-keeps-the-peer",
            "10.0.0.1",
            new String[] {"X-Forwarded-For", "203.0.113.5, unknown"},
            "10.0.0.1"),
        Arguments.of(
            "empty-entry-stops",
            "10.0.0.1",
            new String[] {"X-Forwarded-For", "203.0.113.5,"},
            "10.0.0.1"),
        Arguments.of(
            "hostname-never-a-client",
            "10.0.0.1",
            new String[] {"X-Forwarded-For", "localhost"},
            "10.0.0.1"),
        Arguments.of(
            "leading-zero-never-a-client",
            "10.0.0.1",
            new String[] {"X-Forwarded-For", "010.0.0.1"},
            "10.0.0.1"),
        Arguments.of(
            "v4-port-dropped",
            "10.0.0.1",
            new String[] {"X-Forwarded-For", "203.0.113.5:4711"},
            "203.0.113.5"),
        Arguments.of(
            "v6-bracketed-with-port",
            "10.0.0.1",
            new String[] {"X-Forwarded-For", "[2001:db8::1]:4711"},
            "2001:db8:0:0:0:0:0:1"),
        Arguments.of(
            "v6-bare-written-as-the-peer-is",
            "10.0.0.1",
            new String[] {"X-Forwarded-For", "2001:DB8::1"},
            "2001:db8:0:0:0:0:0:1"),
        Arguments.of(
            "v4-mapped-is-v4",
            "10.0.0.1",
            new String[] {"X-Forwarded-For", "::ffff:203.0.113.5"},
            "203.0.113.5"),
        Arguments.of(
            "trusted-v6-peer",
            "2001:db8:ffff:0:0:0:0:1",
            new String[] {"X-Forwarded-For", "203.0.113.5"},
            "203.0.113.5"),
        Arguments.of(
            "trusted-v6-hop-skipped",
            "10.0.0.1",
            new String[] {"X-Forwarded-For", "203.0.113.5, 2001:db8:ffff::2"},
            "203.0.113.5"),
        Arguments.of(
            "forwarded-for",
            "10.0.0.1",
            new String[] {"Forwarded", "for=203.0.113.5;proto=https"},
            "203.0.113.5"),
        Arguments.of(
            "forwarded-recursive",
            "10.0.0.1",
            new String[] {"Forwarded", "for=6.6.6.6, for=203.0.113.5;by=x, for=10.3.3.3"},
            "203.0.113.5"),
        Arguments.of(
            "forwarded-quoted-v6-with-port",
            "10.0.0.1",
            new String[] {"Forwarded", "For=\"[2001:db8:cafe::17]:4711\""},
            "2001:db8:cafe:0:0:0:0:17"),
        Arguments.of(
            "forwarded-quoted-comma-in-host",
            "10.0.0.1",
            new String[] {"Forwarded", "for=203.0.113.5;host=\"a,b\";proto=http"},
            "203.0.113.5"),
        Arguments.of(
            "forwarded-unknown-stops",
            "10.0.0.1",
            new String[] {"Forwarded", "for=203.0.113.5, for=unknown"},
            "10.0.0.1"),
        Arguments.of(
            "forwarded-obfuscated-stops",
            "10.0.0.1",
            new String[] {"Forwarded", "for=_hidden, for=10.3.3.3"},
            "10.3.3.3"),
        Arguments.of(
            "forwarded-element-without-for-stops",
            "10.0.0.1",
            new String[] {"Forwarded", "for=203.0.113.5, proto=https"},
            "10.0.0.1"),
        Arguments.of(
            "xff-wins-over-forwarded",
            "10.0.0.1",
            new String[] {"Forwarded", "for=198.51.100.1", "X-Forwarded-For", "203.0.113.5"},
            "203.0.113.5"),
        Arguments.of(
            "x-real-ip-is-never-read",
            "10.0.0.1",
            new String[] {"X-Real-IP", "6.6.6.6"},
            "10.0.0.1"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void the_client_is_the_rightmost_address_a_trusted_proxy_vouches_for(
      String name, String peer, String[] headers, String client) {
    String[] padded = java.util.Arrays.copyOf(headers, headers.length + 2); // null ends the pairs
    assertThat(ClientAddresses.resolve(peer, PROXIES, padded)).isEqualTo(client);
  }

  @Test
  void without_trusted_proxies_the_peer_is_the_client_and_headers_are_not_read() {
    String[] headers = {"X-Forwarded-For", "6.6.6.6"};
    String peer = "10.0.0.1";
    assertThat(ClientAddresses.resolve(peer, TrustedProxies.none(), headers)).isSameAs(peer);
  }
}
