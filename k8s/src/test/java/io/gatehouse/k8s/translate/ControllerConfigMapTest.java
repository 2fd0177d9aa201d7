package io.gatehouse.k8s.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.k8s.translate.ControllerConfigMap.Covers;
import io.gatehouse.model.Hsts;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How ingress-nginx's controller ConfigMap is read: its grammar, defaults and refusals. */
class ControllerConfigMapTest {
  private static final IngressRef CM = new IngressRef("ingress-nginx", "ingress-nginx-controller");

  private static ControllerConfigMap read(Map<String, String> data) {
    return ControllerConfigMap.read(CM, data);
  }

  private static List<String> reasons(ControllerConfigMap c) {
    return c.findings().stream().map(IngressProblem::reason).toList();
  }

  @Test
  void an_empty_or_missing_configmap_gives_ingress_nginx_defaults() {
    ControllerConfigMap c = read(Map.of());
    assertThat(c.maxBodyBytes()).isEqualTo(1024 * 1024);
    assertThat(c.connect()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.read()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.sslRedirect()).isTrue();
    assertThat(c.hsts()).isEqualTo(Hsts.of(Duration.ofSeconds(15_724_800), true, false));
    assertThat(c.hsts().headerValue()).isEqualTo("max-age=15724800; includeSubDomains");
    assertThat(c.allow()).isEmpty();
    assertThat(c.deny()).isEmpty();
    assertThat(c.block()).isEmpty();
    assertThat(c.refusals()).isEmpty();
    assertThat(c.findings()).isEmpty();
  }

  @ParameterizedTest(name = "proxy-body-size {0} = {1}")
  @CsvSource({"0, 0", "100, 100", "8k, 8192", "8K, 8192", "8m, 8388608", "2G, 2147483648"})
  void body_sizes_read_as_nginx_does(String value, long bytes) {
    ControllerConfigMap c = read(Map.of("proxy-body-size", value));
    assertThat(c.maxBodyBytes()).isEqualTo(bytes);
    assertThat(c.findings()).isEmpty();
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource({
    "proxy-body-size, 8mb",
    "proxy-body-size, -1",
    "proxy-connect-timeout, 5s",
    "proxy-read-timeout, 1.5",
    "hsts, yes",
    "ssl-redirect, on",
    "hsts-max-age, 1y"
  })
  void invalid_values_take_ingress_nginx_default_with_a_warning(String key, String value) {
    ControllerConfigMap c = read(Map.of(key, value));
    assertThat(c.findings())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.ingress()).isEqualTo(CM);
              assertThat(p.reason()).isEqualTo("InvalidConfig");
              assertThat(p.message()).startsWith(key + ": \"" + value + "\" (expected: ");
            });
    assertThat(c.refusals()).isEmpty();
    // the default: equal to reading nothing
    ControllerConfigMap none = read(Map.of());
    assertThat(c.maxBodyBytes()).isEqualTo(none.maxBodyBytes());
    assertThat(c.hsts()).isEqualTo(none.hsts());
    assertThat(c.sslRedirect()).isEqualTo(none.sslRedirect());
    assertThat(c.connect()).isEqualTo(none.connect());
    assertThat(c.read()).isEqualTo(none.read());
  }

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({
    "1, true", "t, true", "T, true", "TRUE, true", "true, true", "True, true",
    "0, false", "f, false", "F, false", "FALSE, false", "false, false", "False, false"
  })
  void booleans_read_as_go_strconv_parse_bool(String value, boolean expected) {
    assertThat(read(Map.of("ssl-redirect", value)).sslRedirect()).isEqualTo(expected);
  }

  @Test
  void hsts_keys_build_the_header_and_off_sends_none() {
    assertThat(
            read(Map.of(
                    "hsts-max-age", "31536000",
                    "hsts-include-subdomains", "true",
                    "hsts-preload", "true"))
                .hsts()
                .headerValue())
        .isEqualTo("max-age=31536000; includeSubDomains; preload");
    assertThat(read(Map.of("hsts", "false", "hsts-max-age", "100")).hsts()).isEqualTo(Hsts.OFF);
  }

  @Test
  void a_preload_the_lists_would_refuse_is_sent_without_preload() {
    ControllerConfigMap c = read(Map.of("hsts-preload", "true"));
    assertThat(c.hsts().headerValue()).isEqualTo("max-age=15724800; includeSubDomains");
    assertThat(reasons(c)).containsExactly("InvalidConfig");
    assertThat(c.findings().get(0).message()).startsWith("hsts-preload: ");
  }

  @Test
  void source_ranges_are_read_and_one_bad_entry_refuses_every_ingress() {
    ControllerConfigMap c =
        read(
            Map.of(
                "whitelist-source-range", " 10.0.0.0/8 ,192.168.1.1",
                "denylist-source-range", "10.9.0.0/16",
                "block-cidrs", "2001:db8::/32"));
    assertThat(c.allow()).containsExactly("10.0.0.0/8", "192.168.1.1");
    assertThat(c.deny()).containsExactly("10.9.0.0/16");
    assertThat(c.block()).containsExactly("2001:db8::/32");
    assertThat(c.refusals()).isEmpty();

    ControllerConfigMap bad = read(Map.of("block-cidrs", "10.0.0.0/8, 10.0.0.300"));
    assertThat(bad.block()).isEmpty();
    assertThat(bad.refusals())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.key()).isEqualTo("block-cidrs");
              assertThat(r.covers()).isEqualTo(Covers.ALL);
              assertThat(r.message()).contains("\"10.0.0.300\"");
            });
    assertThat(reasons(bad)).containsExactly(ControllerConfigMap.REFUSED_REASON);
  }

  @ParameterizedTest(name = "ssl-protocols \"{0}\"")
  @CsvSource({
    "'TLSv1.2 TLSv1.3', none",
    "'TLSv1.3  TLSv1.2', none",
    "'TLSv1 TLSv1.1 TLSv1.2 TLSv1.3', ConfigNotApplied",
    "TLSv1.3, ControllerConfigRefused",
    "TLSv1.2, ControllerConfigRefused",
    "'SSLv3 TLSv1.2', ControllerConfigRefused"
  })
  void tls_protocols_the_node_cannot_narrow_refuse_the_https_ingresses(
      String value, String reason) {
    ControllerConfigMap c = read(Map.of("ssl-protocols", value));
    if (reason.equals("none")) {
      assertThat(c.findings()).isEmpty();
    } else {
      assertThat(reasons(c)).containsExactly(reason);
    }
    assertThat(c.refusals())
        .hasSize(reason.equals("ControllerConfigRefused") ? 1 : 0)
        .allMatch(r -> r.covers() == Covers.TLS);
  }

  @Test
  void ciphers_must_hold_every_suite_the_node_offers() {
    assertThat(read(Map.of("ssl-ciphers", NginxCiphers.INGRESS_NGINX_DEFAULT)).findings())
        .isEmpty();
    assertThat(read(Map.of("ssl-ciphers", String.join(":", NginxCiphers.NODE_TLS12))).findings())
        .isEmpty();
    ControllerConfigMap more =
        read(Map.of("ssl-ciphers", String.join(":", NginxCiphers.NODE_TLS12) + ":AES256-SHA"));
    assertThat(reasons(more)).containsExactly("ConfigNotApplied");
    assertThat(more.refusals()).isEmpty();
    // an OpenSSL alias cannot be compared, so it is refused rather than guessed
    ControllerConfigMap alias = read(Map.of("ssl-ciphers", "HIGH:!aNULL:!MD5"));
    assertThat(alias.refusals())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.covers()).isEqualTo(Covers.TLS);
              assertThat(r.message()).contains("ECDHE-ECDSA-AES128-GCM-SHA256");
            });
  }

  @ParameterizedTest(name = "{0}: {1} covers {2}")
  @CsvSource({
    "http-snippet, 'map $a $b {}', ALL",
    "some-new-snippet, x, ALL",
    "enable-modsecurity, true, ALL",
    "add-headers, ns/headers, ALL",
    "global-auth-url, http://auth/, GLOBAL_AUTH",
    "force-ssl-redirect, true, PLAIN_HTTP"
  })
  void keys_that_cannot_be_honoured_refuse_what_they_cover(
      String key, String value, Covers covers) {
    ControllerConfigMap c = read(Map.of(key, value));
    assertThat(c.refusals())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.key()).isEqualTo(key);
              assertThat(r.covers()).isEqualTo(covers);
            });
  }

  @ParameterizedTest(name = "{0}: {1} asks nothing")
  @CsvSource({
    "enable-modsecurity, false",
    "force-ssl-redirect, false",
    "global-auth-url, ''",
    "allow-snippet-annotations, false",
    "keep-alive, 75",
    "http-redirect-code, 308",
    "ssl-protocols, 'TLSv1.2 TLSv1.3'"
  })
  void the_value_that_asks_nothing_is_silent(String key, String value) {
    ControllerConfigMap c = read(Map.of(key, value));
    assertThat(c.refusals()).isEmpty();
    assertThat(c.findings()).isEmpty();
  }

  @Test
  void unknown_keys_are_ignored_with_a_warning() {
    ControllerConfigMap c = read(Map.of("map-hash-bucket-size", "128"));
    assertThat(reasons(c)).containsExactly("UnknownConfigKey");
    assertThat(c.refusals()).isEmpty();
  }
}
