package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(10)
class ForwardedHeadersTest {

  static Stream<Arguments> elements() {
    return Stream.of(
        Arguments.of(
            "v4-peer-plain-host",
            "192.0.2.60",
            "http",
            "a.example",
            "for=192.0.2.60;host=\"a.example\";proto=http"),
        Arguments.of(
            "host-with-port-is-quoted",
            "192.0.2.60",
            "https",
            "a.example:8443",
            "for=192.0.2.60;host=\"a.example:8443\";proto=https"),
        Arguments.of(
            "v6-peer-bracketed-and-quoted",
            "2001:db8:cafe::17",
            "http",
            "a.example",
            "for=\"[2001:db8:cafe::17]\";host=\"a.example\";proto=http"),
        Arguments.of(
            "v6-host-literal-quoted",
            "::1",
            "http",
            "[::1]:8080",
            "for=\"[::1]\";host=\"[::1]:8080\";proto=http"),
        Arguments.of("no-authority", "192.0.2.60", "http", null, "for=192.0.2.60;proto=http"),
        Arguments.of(
            "quote-in-host-is-dropped", "192.0.2.60", "http", "a\"b", "for=192.0.2.60;proto=http"),
        Arguments.of(
            "backslash-in-host-is-dropped",
            "192.0.2.60",
            "http",
            "a\\b",
            "for=192.0.2.60;proto=http"),
        Arguments.of(
            "space-in-host-is-dropped", "192.0.2.60", "http", "a b", "for=192.0.2.60;proto=http"),
        Arguments.of(
            "non-ascii-host-is-dropped",
            "192.0.2.60",
            "http",
            "bücher.example",
            "for=192.0.2.60;proto=http"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("elements")
  void rfc7239_element(String name, String peer, String scheme, String authority, String expected) {
    assertThat(ForwardedHeaders.element(peer, scheme, authority)).isEqualTo(expected);
  }

  @Test
  void a_connection_memo_rebuilds_the_element_only_when_peer_scheme_or_host_change() {
    ForwardedHeaders.Memo memo = new ForwardedHeaders.Memo();
    String first = memo.element("10.0.0.9", "http", "a.example");
    assertThat(memo.element("10.0.0.9", "http", "a.example")).isSameAs(first);
    assertThat(memo.element("10.0.0.9", "http", "b.example"))
        .isEqualTo("for=10.0.0.9;host=\"b.example\";proto=http");
    assertThat(memo.element("10.0.0.9", "http", null)).isEqualTo("for=10.0.0.9;proto=http");
    assertThat(memo.element("10.0.0.9", "https", null)).isEqualTo("for=10.0.0.9;proto=https");
    assertThat(memo.element("10.0.0.7", "https", null)).isEqualTo("for=10.0.0.7;proto=https");
    assertThat(memo.element("10.0.0.7", "https", "a.example"))
        .isEqualTo("for=10.0.0.7;host=\"a.example\";proto=https");
  }

  private static MultiMap clientHeaders() {
    return MultiMap.caseInsensitiveMultiMap()
        .add("X-Forwarded-For", "198.51.100.1")
        .add("X-Forwarded-For", "198.51.100.2")
        .add("X-Forwarded-Proto", "https")
        .add("X-Forwarded-Host", "public.example")
        .add("X-Forwarded-Port", "443")
        .add("X-Real-IP", "198.51.100.1")
        .add("Forwarded", "for=198.51.100.1;proto=https");
  }

  @Test
  void untrusted_peer_values_are_replaced() {
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    ForwardedHeaders.write(
        clientHeaders(), out, false, "10.0.0.9", "10.0.0.9", "http", "a.example:80", "80", null);
    assertThat(out.getAll("x-forwarded-for")).containsExactly("10.0.0.9");
    assertThat(out.get("x-forwarded-proto")).isEqualTo("http");
    assertThat(out.get("x-forwarded-host")).isEqualTo("a.example:80");
    assertThat(out.get("x-forwarded-port")).isEqualTo("80");
    assertThat(out.get("x-real-ip")).isEqualTo("10.0.0.9");
    assertThat(out.getAll("forwarded"))
        .containsExactly("for=10.0.0.9;host=\"a.example:80\";proto=http");
  }

  @Test
  void trusted_peer_chain_is_extended_and_originals_kept() {
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    // The client comes from edge.ClientAddresses (the rightmost untrusted X-Forwarded-For entry),
    // never from the client's own X-Real-IP.
    ForwardedHeaders.write(
        clientHeaders(), out, true, "10.0.0.9", "198.51.100.2", "http", "a.example", "80", null);
    assertThat(out.getAll("x-forwarded-for"))
        .containsExactly("198.51.100.1, 198.51.100.2, 10.0.0.9");
    assertThat(out.get("x-forwarded-proto")).isEqualTo("https");
    assertThat(out.get("x-forwarded-host")).isEqualTo("public.example");
    assertThat(out.get("x-forwarded-port")).isEqualTo("443");
    assertThat(out.get("x-real-ip")).isEqualTo("198.51.100.2");
    assertThat(out.getAll("forwarded"))
        .containsExactly(
            "for=198.51.100.1;proto=https, for=10.0.0.9;host=\"a.example\";proto=http");
  }

  @Test
  void trusted_peer_without_prior_headers_starts_the_chain() {
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    ForwardedHeaders.write(
        MultiMap.caseInsensitiveMultiMap(), out, true, "::1", "::1", "http", null, "8080", null);
    assertThat(out.get("x-forwarded-for")).isEqualTo("::1");
    assertThat(out.get("x-forwarded-host")).isNull();
    assertThat(out.get("x-forwarded-port")).isEqualTo("8080");
    assertThat(out.get("forwarded")).isEqualTo("for=\"[::1]\";proto=http");
  }

  @Test
  void forwarding_header_names_are_recognised_in_any_case() {
    for (String n :
        new String[] {
          "Forwarded",
          "X-Real-IP",
          "x-forwarded-for",
          "X-FORWARDED-HOST",
          "x-forwarded-port",
          "X-Forwarded-Proto"
        }) {
      assertThat(ForwardedHeaders.isForwardingHeader(n)).as(n).isTrue();
    }
    for (String n : new String[] {"forwarder", "x-forwarded", "x-forwarded-fox", "host"}) {
      assertThat(ForwardedHeaders.isForwardingHeader(n)).as(n).isFalse();
    }
  }
}
