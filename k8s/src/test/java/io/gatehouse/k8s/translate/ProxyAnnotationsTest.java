package io.gatehouse.k8s.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.k8s.translate.NginxAnnotation.Outcome;
import io.gatehouse.validate.HeaderTemplate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The annotations {@link ProxyAnnotations} reads, and its catalogue entries. */
class ProxyAnnotationsTest {
  private static final IngressRef REF = new IngressRef("shop", "web");
  private static final String N = IngressAnnotations.NGINX;

  private static IngressAnnotations parse(Map<String, String> sample) {
    Map<String, String> a = new LinkedHashMap<>();
    sample.forEach((k, v) -> a.put(N + k, v));
    return IngressAnnotations.parse(REF, a);
  }

  private static IngressAnnotations parse(String key, String value) {
    return parse(Map.of(key, value));
  }

  private static List<String> messages(IngressAnnotations a) {
    return a.problems().stream().map(p -> p.reason() + " " + p.message()).toList();
  }

  static Stream<NginxAnnotation> entries() {
    return ProxyAnnotations.CATALOGUE.stream();
  }

  @ParameterizedTest
  @MethodSource("entries")
  void each_entry_sample_has_its_outcome(NginxAnnotation e) {
    IngressAnnotations a = parse(e.sample());
    assertThat(NginxCatalogue.find(e.name())).isEqualTo(e);
    if (e.outcome() == Outcome.REFUSED) {
      assertThat(a.refused()).as(e.name()).isTrue();
      assertThat(messages(a)).anyMatch(m -> m.contains(e.key()));
    } else {
      assertThat(a.refused()).as(e.name()).isFalse();
      assertThat(messages(a)).as(e.name()).isEmpty();
    }
  }

  @Test
  void refused_entries_change_security_or_routing_and_say_why() {
    assertThat(ProxyAnnotations.CATALOGUE)
        .filteredOn(e -> e.outcome() == Outcome.REFUSED)
        .allSatisfy(
            e -> {
              assertThat(e.effect()).isNotEqualTo(NginxAnnotation.Effect.OTHER);
              assertThat(e.note()).isNotBlank();
            });
    assertThat(ProxyAnnotations.CATALOGUE)
        .filteredOn(e -> e.effect() == NginxAnnotation.Effect.OTHER)
        .allSatisfy(e -> assertThat(e.outcome()).isNotEqualTo(Outcome.REFUSED));
  }

  static Stream<Arguments> bufferSizes() {
    return Stream.of(
        Arguments.of("128k", 128 * 1024),
        Arguments.of("64K", 64 * 1024),
        Arguments.of("1m", 1024 * 1024),
        Arguments.of("16384", 16384),
        Arguments.of("4096b", 4096),
        Arguments.of("0", 0));
  }

  @ParameterizedTest
  @MethodSource("bufferSizes")
  void proxy_buffer_size_is_the_route_response_head_limit(String value, int bytes) {
    IngressAnnotations a = parse("proxy-buffer-size", value);
    assertThat(messages(a)).isEmpty();
    assertThat(a.limits().maxResponseHeaderBytes()).isEqualTo(bytes);
    assertThat(a.proxy().maxResponseHeaderBytes()).isEqualTo(bytes);
  }

  @Test
  void without_proxy_buffer_size_the_node_limit_stays() {
    assertThat(parse(Map.of()).limits().maxResponseHeaderBytes()).isZero();
    IngressAnnotations bad = parse("proxy-buffer-size", "4 KB");
    assertThat(bad.limits().maxResponseHeaderBytes()).isZero();
  }

  @Test
  void a_proxy_buffer_size_above_1_mib_is_served_as_1_mib_with_a_warning() {
    for (String v : List.of("2m", "1g", "999999999999g")) {
      IngressAnnotations a = parse("proxy-buffer-size", v);
      assertThat(a.refused()).isFalse();
      assertThat(a.limits().maxResponseHeaderBytes()).isEqualTo(1024 * 1024);
      assertThat(messages(a))
          .singleElement()
          .asString()
          .startsWith(
              "UnsupportedAnnotation " + N + "proxy-buffer-size: \"" + v + "\" is served as 1m");
    }
  }

  @Test
  void the_gatehouse_key_wins_over_proxy_buffer_size() {
    Map<String, String> a = new LinkedHashMap<>();
    a.put(N + "proxy-buffer-size", "16k");
    a.put(IngressAnnotations.PREFIX + "max-response-header-size", "256k");
    IngressAnnotations parsed = IngressAnnotations.parse(REF, a);
    assertThat(messages(parsed)).isEmpty();
    assertThat(parsed.limits().maxResponseHeaderBytes()).isEqualTo(256 * 1024);
    IngressAnnotations own =
        IngressAnnotations.parse(
            REF, Map.of(IngressAnnotations.PREFIX + "max-response-header-size", "64k"));
    assertThat(messages(own)).isEmpty();
    assertThat(own.limits().maxResponseHeaderBytes()).isEqualTo(64 * 1024);
  }

  static Stream<Arguments> malformed() {
    return Stream.of(
        Arguments.of("proxy-buffering", "yes"),
        Arguments.of("proxy-request-buffering", "true"),
        Arguments.of("proxy-buffer-size", "4 KB"),
        Arguments.of("proxy-busy-buffers-size", "-1"),
        Arguments.of("proxy-max-temp-file-size", "1t"),
        Arguments.of("client-body-buffer-size", "big"),
        Arguments.of("proxy-buffers-number", "four"),
        Arguments.of("http2-push-preload", "on"),
        Arguments.of("enable-access-log", "no"),
        Arguments.of("enable-rewrite-log", "1"),
        Arguments.of("enable-opentelemetry", "yes"),
        Arguments.of("opentelemetry-trust-incoming-span", "off"),
        Arguments.of("connection-proxy-header", "keep alive; close"));
  }

  @ParameterizedTest
  @MethodSource("malformed")
  void a_malformed_value_is_reported_and_the_ingress_served(String key, String value) {
    IngressAnnotations a = parse(key, value);
    assertThat(a.refused()).isFalse();
    assertThat(messages(a))
        .singleElement()
        .asString()
        .startsWith("InvalidAnnotation " + N + key + ": \"" + value + "\" (expected: ")
        .doesNotContain("is ignored");
  }

  @ParameterizedTest
  @MethodSource("wellFormed")
  void nginx_values_in_any_case_are_accepted(String key, String value) {
    assertThat(messages(parse(key, value))).isEmpty();
  }

  static Stream<Arguments> wellFormed() {
    return Stream.of(
        Arguments.of("proxy-buffering", "OFF"),
        Arguments.of("proxy-request-buffering", " on "),
        Arguments.of("proxy-buffer-size", "8K"),
        Arguments.of("proxy-max-temp-file-size", "1024m"),
        Arguments.of("client-body-buffer-size", "1000"),
        Arguments.of("enable-access-log", "False"),
        Arguments.of("connection-proxy-header", "upgrade, keep-alive"));
  }

  @Test
  void custom_headers_names_a_configmap_of_the_ingress_namespace() {
    assertThat(parse("custom-headers", "shop/headers").proxy().customHeaders())
        .isEqualTo(new ProxyAnnotations.ConfigMapRef(N + "custom-headers", "shop", "headers"));
    assertThat(parse("custom-headers", " headers ").proxy().customHeaders())
        .isEqualTo(new ProxyAnnotations.ConfigMapRef(N + "custom-headers", "shop", "headers"));
    IngressAnnotations empty = parse("custom-headers", "");
    assertThat(empty.proxy()).isEqualTo(ProxyAnnotations.Result.NONE);
    assertThat(messages(empty)).isEmpty();
  }

  static Stream<Arguments> refusedHeaders() {
    return Stream.of(
        Arguments.of("other/headers", "own namespace"),
        Arguments.of("shop/Headers", "expected: namespace/name"),
        Arguments.of("shop/", "expected: namespace/name"),
        Arguments.of("a/b/c", "expected: namespace/name"),
        Arguments.of("shop/headers-${client.address}", "expected: namespace/name"));
  }

  @ParameterizedTest
  @MethodSource("refusedHeaders")
  void custom_headers_that_cannot_name_such_a_configmap_refuse_the_ingress(
      String value, String why) {
    IngressAnnotations a = parse("custom-headers", value);
    assertThat(a.refused()).isTrue();
    assertThat(a.proxy().customHeaders()).isNull();
    assertThat(messages(a))
        .singleElement()
        .asString()
        .startsWith("InvalidAnnotation " + N + "custom-headers: \"" + value + "\"")
        .contains(why);
  }

  /** The translator escapes each value: whatever ingress-nginx accepts reads back literally. */
  @ParameterizedTest
  @ValueSource(strings = {"${client.address}", "$5 and $$ and $request_id", "$", "a$", "${", "$$$"})
  void custom_header_values_are_literal_once_escaped(String value) {
    assertThat(ProxyAnnotations.HEADER_VALUE.matcher(value).matches()).isTrue();
    HeaderTemplate t = HeaderTemplate.parse(HeaderTemplate.escape(value));
    assertThat(t.isLiteral()).isTrue();
    assertThat(t.literalText()).isEqualTo(value);
  }

  @Test
  void custom_headers_rules_are_ingress_nginx_ones() {
    assertThat(ProxyAnnotations.HEADER_NAME.matcher("X-Frame_Options2").matches()).isTrue();
    assertThat(ProxyAnnotations.HEADER_NAME.matcher("X.Dotted").matches()).isFalse();
    assertThat(ProxyAnnotations.HEADER_VALUE.matcher("default-src 'self'; img-src *").matches())
        .isTrue();
    assertThat(ProxyAnnotations.HEADER_VALUE.matcher("a\r\nb").matches()).isFalse();
    assertThat(ProxyAnnotations.HEADER_VALUE.matcher("café").matches()).isFalse();
    assertThat(ProxyAnnotations.HEADER_VALUE.matcher("").matches()).isFalse();
  }
}
