package io.gatehouse.k8s.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.k8s.translate.UpstreamTlsAnnotations.Scheme;
import io.gatehouse.model.UpstreamProtocol;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The upstream TLS annotations as {@link UpstreamTlsAnnotations} reads them (ingress-nginx's). */
class UpstreamTlsAnnotationsTest {
  private static final IngressRef REF = new IngressRef("shop", "web");
  private static final String N = IngressAnnotations.NGINX;

  private static IngressAnnotations parse(String... keyValues) {
    Map<String, String> a = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      String k = keyValues[i];
      a.put(k.contains("/") ? k : N + k, keyValues[i + 1]);
    }
    return IngressAnnotations.parse(REF, a);
  }

  private static List<String> messages(IngressAnnotations a) {
    return a.problems().stream().map(p -> p.reason() + " " + p.message()).toList();
  }

  static Stream<Arguments> protocols() {
    return Stream.of(
        Arguments.of("HTTP", UpstreamProtocol.HTTP1, Scheme.PLAIN),
        Arguments.of("http", UpstreamProtocol.HTTP1, Scheme.PLAIN),
        Arguments.of("GRPC", UpstreamProtocol.H2C, Scheme.PLAIN),
        Arguments.of(" grpc ", UpstreamProtocol.H2C, Scheme.PLAIN),
        Arguments.of("HTTPS", UpstreamProtocol.HTTP1, Scheme.TLS),
        Arguments.of("GRPCS", UpstreamProtocol.H2, Scheme.TLS),
        Arguments.of("AUTO_HTTP", UpstreamProtocol.HTTP1, Scheme.AUTO),
        // not ingress-nginx values: it proxies them over HTTP/1.1
        Arguments.of("H2C", UpstreamProtocol.HTTP1, Scheme.PLAIN),
        Arguments.of("SPDY", UpstreamProtocol.HTTP1, Scheme.PLAIN));
  }

  @ParameterizedTest(name = "backend-protocol {0}")
  @MethodSource("protocols")
  void backend_protocol_values_mean_what_ingress_nginx_means(
      String value, UpstreamProtocol protocol, Scheme scheme) {
    IngressAnnotations a = parse("backend-protocol", value);
    assertThat(a.refused()).isFalse();
    assertThat(a.protocol()).isEqualTo(protocol);
    assertThat(a.upstreamTls().protocol()).isEqualTo(protocol);
    assertThat(a.upstreamTls().scheme()).isEqualTo(scheme);
  }

  @Test
  void gatehouse_h2c_is_h2c_and_wins_over_nginx() {
    IngressAnnotations a =
        parse("gatehouse.io/backend-protocol", "H2C", "backend-protocol", "HTTPS");
    assertThat(a.protocol()).isEqualTo(UpstreamProtocol.H2C);
    assertThat(a.upstreamTls().scheme()).isEqualTo(Scheme.PLAIN);
  }

  @ParameterizedTest
  @ValueSource(strings = {"FCGI", "AJP", "fcgi"})
  void protocols_gatehouse_does_not_speak_refuse_the_ingress(String value) {
    IngressAnnotations a = parse("backend-protocol", value);
    assertThat(a.refused()).isTrue();
    assertThat(messages(a)).anyMatch(m -> m.contains("is not spoken by Gatehouse"));
  }

  @Test
  void a_verified_secret_carries_its_name_and_the_checked_name() {
    IngressAnnotations a =
        parse(
            "backend-protocol", "HTTPS",
            "proxy-ssl-secret", "shop/backend-tls",
            "proxy-ssl-verify", "on",
            "proxy-ssl-name", "API.Internal",
            "proxy-ssl-protocols", "TLSv1.3 TLSv1.2",
            "proxy-ssl-ciphers", "DEFAULT");
    assertThat(a.refused()).isFalse();
    assertThat(a.upstreamTls())
        .isEqualTo(
            new UpstreamTlsAnnotations.Result(
                UpstreamProtocol.HTTP1,
                Scheme.TLS,
                "backend-tls",
                true,
                "api.internal",
                false,
                false));
    assertThat(a.problems()).isEmpty();
  }

  @Test
  void verification_is_off_by_default_and_the_name_is_then_not_used() {
    IngressAnnotations a =
        parse(
            "backend-protocol", "HTTPS",
            "proxy-ssl-secret", "shop/backend-tls",
            "proxy-ssl-name", "api.internal",
            "proxy-ssl-verify-depth", "5");
    assertThat(a.refused()).isFalse();
    assertThat(a.upstreamTls().verify()).isFalse();
    assertThat(a.upstreamTls().sslName()).isNull();
  }

  static Stream<Arguments> refusals() {
    return Stream.of(
        Arguments.of(
            Map.of("proxy-ssl-secret", "other/backend-tls"), "Secret of another namespace"),
        Arguments.of(Map.of("proxy-ssl-secret", "backend-tls"), "expected: namespace/name"),
        Arguments.of(Map.of("proxy-ssl-secret", "shop/a/b"), "expected: namespace/name"),
        Arguments.of(
            Map.of("proxy-ssl-secret", "shop/backend-tls", "proxy-ssl-verify", "true"),
            "expected: on or off"),
        Arguments.of(
            Map.of(
                "proxy-ssl-secret",
                "shop/backend-tls",
                "proxy-ssl-verify",
                "on",
                "proxy-ssl-verify-depth",
                "1"),
            "cannot limit the depth"),
        Arguments.of(
            Map.of("proxy-ssl-secret", "shop/backend-tls", "proxy-ssl-protocols", "TLSv1.3"),
            "TLSv1.2 and TLSv1.3 together"),
        Arguments.of(
            Map.of("proxy-ssl-secret", "shop/backend-tls", "proxy-ssl-protocols", "TLSv1 TLSv1.1"),
            "TLSv1.2 and TLSv1.3 together"),
        Arguments.of(
            Map.of("proxy-ssl-secret", "shop/backend-tls", "proxy-ssl-ciphers", "HIGH:!aNULL"),
            "no OpenSSL cipher lists"),
        Arguments.of(
            Map.of(
                "proxy-ssl-secret",
                "shop/backend-tls",
                "proxy-ssl-name",
                "api.internal",
                "proxy-ssl-server-name",
                "on"),
            "sends a name only when it verifies it"),
        Arguments.of(
            Map.of(
                "proxy-ssl-secret",
                "shop/backend-tls",
                "proxy-ssl-verify",
                "on",
                "proxy-ssl-name",
                "a b"),
            "expected: a host name"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("refusals")
  void settings_gatehouse_cannot_honour_refuse_the_ingress(
      Map<String, String> settings, String why) {
    Map<String, String> a = new LinkedHashMap<>();
    a.put(N + "backend-protocol", "HTTPS");
    settings.forEach((k, v) -> a.put(N + k, v));
    IngressAnnotations parsed = IngressAnnotations.parse(REF, a);
    assertThat(parsed.refused()).isTrue();
    assertThat(messages(parsed)).anyMatch(m -> m.contains(why));
  }

  @Test
  void proxy_ssl_settings_have_no_effect_without_tls_or_without_a_secret() {
    IngressAnnotations plain = parse("proxy-ssl-secret", "shop/x", "proxy-ssl-verify", "on");
    assertThat(plain.refused()).isFalse();
    assertThat(plain.upstreamTls().secret()).isNull();
    assertThat(messages(plain))
        .allMatch(m -> m.contains("has no effect: the backend protocol is not HTTPS"));
    IngressAnnotations noSecret = parse("backend-protocol", "HTTPS", "proxy-ssl-verify-depth", "3");
    assertThat(noSecret.refused()).isFalse();
    assertThat(messages(noSecret))
        .containsExactly(
            "UnsupportedAnnotation "
                + N
                + "proxy-ssl-verify-depth: has no effect without proxy-ssl-secret (as in"
                + " ingress-nginx)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"true", "True", "TRUE", "1", "t"})
  void service_upstream_reads_go_booleans(String value) {
    assertThat(parse("service-upstream", value).upstreamTls().serviceUpstream()).isTrue();
  }

  @Test
  void service_upstream_invalid_is_false_with_a_warning() {
    IngressAnnotations a = parse("service-upstream", "yes");
    assertThat(a.upstreamTls().serviceUpstream()).isFalse();
    assertThat(messages(a)).singleElement().asString().contains("false is used");
  }

  @Test
  void listener_tls_annotations_that_cannot_be_served_per_ingress_refuse_it() {
    assertThat(parse("ssl-passthrough", "true").refused()).isFalse();
    assertThat(parse("ssl-passthrough", "true").upstreamTls().passthrough()).isTrue();
    assertThat(parse("ssl-passthrough", "False").upstreamTls().passthrough()).isFalse();
    assertThat(parse("ssl-ciphers", "HIGH").refused()).isTrue();
    IngressAnnotations prefer = parse("ssl-prefer-server-ciphers", "true");
    assertThat(prefer.refused()).isFalse();
    assertThat(messages(prefer)).singleElement().asString().contains("node's TLS settings");
  }

  @Test
  void proxy_http_version_1_0_is_served_as_1_1_with_a_warning() {
    assertThat(parse("proxy-http-version", "1.1").problems()).isEmpty();
    assertThat(messages(parse("proxy-http-version", "1.0")))
        .singleElement()
        .asString()
        .contains("served as HTTP/1.1");
  }

  private static Map<String, String> prefixed(Map<String, String> sample) {
    Map<String, String> out = new LinkedHashMap<>();
    sample.forEach((k, v) -> out.put(N + k, v));
    return out;
  }
}
