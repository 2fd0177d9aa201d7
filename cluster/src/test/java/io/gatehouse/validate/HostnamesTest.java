package io.gatehouse.validate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(10)
class HostnamesTest {

  static Stream<Arguments> valid() {
    return Stream.of(
        Arguments.of("plain", "app.example.com", "app.example.com"),
        Arguments.of("lower-cased", "App.EXAMPLE.com", "app.example.com"),
        Arguments.of("trailing-dot-removed", "app.example.com.", "app.example.com"),
        Arguments.of("port-stripped", "app.example.com:8080", "app.example.com"),
        Arguments.of("port-and-trailing-dot", "app.example.com.:443", "app.example.com"),
        Arguments.of("single-label", "localhost", "localhost"),
        Arguments.of("idn-to-punycode", "bücher.example", "xn--bcher-kva.example"),
        Arguments.of("idn-upper-case", "BÜCHER.example", "xn--bcher-kva.example"),
        Arguments.of("punycode-kept", "xn--bcher-kva.example", "xn--bcher-kva.example"),
        Arguments.of("wildcard", "*.example.com", "*.example.com"),
        Arguments.of("wildcard-lower-cased", "*.Example.COM", "*.example.com"),
        Arguments.of("wildcard-idn", "*.bücher.example", "*.xn--bcher-kva.example"),
        Arguments.of("digits-and-hyphens", "a-1.b2.example", "a-1.b2.example"),
        Arguments.of("label-of-63", "a".repeat(63) + ".example", "a".repeat(63) + ".example"),
        Arguments.of("name-of-253", name253(), name253()));
  }

  private static String name253() {
    // 3 labels of 63 + 1 label of 61, joined by 3 dots = 253
    return "a".repeat(63) + "." + "b".repeat(63) + "." + "c".repeat(63) + "." + "d".repeat(61);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valid")
  void configured_hosts_are_normalised(String name, String raw, String expected) {
    Validated<String> v = Hostnames.normalizeConfigured("hosts[0]", raw);
    assertThat(v.violations()).isEmpty();
    assertThat(v.value()).isEqualTo(expected);
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of("empty", "", "a host name such as app.example.com or *.example.com"),
        Arguments.of("null", null, "a host name such as app.example.com or *.example.com"),
        Arguments.of(
            "wildcard-not-first-label", "a.*.example.com", "'*' only as the whole first label"),
        Arguments.of(
            "wildcard-inside-label", "a*.example.com", "'*' only as the whole first label"),
        Arguments.of("double-wildcard", "*.*.example.com", "'*' only as the whole first label"),
        Arguments.of("bare-star", "*", "'*' only as the whole first label"),
        Arguments.of("wildcard-over-one-label", "*.com", "a wildcard over at least two labels"),
        Arguments.of("ipv4", "192.0.2.1", "a DNS name, not an IP address"),
        Arguments.of("ipv4-with-port", "192.0.2.1:80", "a DNS name, not an IP address"),
        Arguments.of("empty-label", "a..example", "a valid DNS name"),
        Arguments.of("leading-dot", ".example.com", "a valid DNS name"),
        Arguments.of("label-of-64", "a".repeat(64) + ".example", "a valid DNS name"),
        Arguments.of("name-of-254", name253() + "d", "a DNS name of 1-253 characters"),
        Arguments.of("leading-hyphen", "-a.example", "a valid DNS name"),
        Arguments.of("underscore", "a_b.example", "a valid DNS name"),
        Arguments.of("space", "a b.example", "a valid DNS name"),
        Arguments.of("non-numeric-port", "a.example:http", "a valid DNS name"),
        Arguments.of("path", "a.example/x", "a valid DNS name"),
        Arguments.of("ipv6-literal", "[::1]", "a valid DNS name"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void invalid_hosts_are_explained_naming_value_and_rule(String name, String raw, String rule) {
    Validated<String> v = Hostnames.normalizeConfigured("hosts[2]", raw);
    assertThat(v.isValid()).isFalse();
    assertThat(v.violations()).hasSize(1);
    Violation violation = v.violations().get(0);
    assertThat(violation.field()).isEqualTo("hosts[2]");
    assertThat(violation.value()).isEqualTo(raw);
    assertThat(violation.rule()).contains(rule);
    // Long values are cut in messages; the start is always shown.
    String shown = raw == null ? "null" : "\"" + raw.substring(0, Math.min(raw.length(), 100));
    assertThat(violation.message()).startsWith("hosts[2]: " + shown).contains("(expected: " + rule);
  }

  static Stream<Arguments> requestHosts() {
    return Stream.of(
        Arguments.of("plain", "a.example", Optional.of("a.example")),
        Arguments.of("upper-case", "A.Example", Optional.of("a.example")),
        Arguments.of("port", "a.example:8080", Optional.of("a.example")),
        Arguments.of("trailing-dot-and-port", "a.example.:80", Optional.of("a.example")),
        Arguments.of("ipv4", "192.0.2.1:80", Optional.of("192.0.2.1")),
        Arguments.of("ipv6-with-port", "[::1]:8080", Optional.of("[::1]")),
        Arguments.of("ipv6-upper", "[FE80::1]", Optional.of("[fe80::1]")),
        Arguments.of("ipv6-unclosed", "[::1", Optional.empty()),
        Arguments.of("empty", "", Optional.empty()),
        Arguments.of("null", null, Optional.empty()),
        Arguments.of("only-port", ":80", Optional.empty()),
        Arguments.of("space", "a example", Optional.empty()),
        Arguments.of("non-ascii", "bücher.example", Optional.empty()),
        Arguments.of("userinfo", "user@a.example", Optional.empty()),
        Arguments.of("too-long", "a".repeat(254), Optional.empty()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requestHosts")
  void request_hosts_are_normalised_for_lookup(String name, String raw, Optional<String> want) {
    assertThat(Hostnames.normalizeRequestHost(raw)).isEqualTo(want);
  }

  @Test
  void a_gateway_api_hostname_may_be_a_wildcard_over_one_label() {
    assertThat(Hostnames.normalizeGatewayHostname("h", "*.COM").value()).isEqualTo("*.com");
    assertThat(Hostnames.normalizeGatewayHostname("h", "*.Example.com.").value())
        .isEqualTo("*.example.com");
    assertThat(Hostnames.normalizeConfigured("h", "*.com").isValid()).isFalse();
    // every other rule holds
    assertThat(Hostnames.normalizeGatewayHostname("h", "*").isValid()).isFalse();
    assertThat(Hostnames.normalizeGatewayHostname("h", "*.*.com").isValid()).isFalse();
    assertThat(Hostnames.normalizeGatewayHostname("h", "192.0.2.1").isValid()).isFalse();
  }

  @Test
  void wildcard_suffix_drops_exactly_the_first_label() {
    assertThat(Hostnames.wildcardSuffix("a.b.example")).isEqualTo("b.example");
    assertThat(Hostnames.wildcardSuffix("example")).isNull();
    assertThat(Hostnames.wildcardSuffix("example.")).isNull();
  }
}
