package io.gatehouse.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.Hsts;
import io.gatehouse.model.HttpsRedirect;
import io.gatehouse.model.TlsSpec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class HttpsRedirectsTest {
  private static final TlsSpec TLS =
      new TlsSpec(
          List.of("a.example", "*.apps.example"),
          "www",
          HttpsRedirect.DEFAULT,
          Hsts.of(Duration.ofDays(365), true, false));

  @Test
  void tls_hosts_are_redirected_with_the_configured_status() {
    assertThat(HttpsRedirects.redirectStatus(TLS, "a.example", "/x")).isEqualTo(308);
    assertThat(HttpsRedirects.redirectStatus(TLS, "x.apps.example", "/x")).isEqualTo(308);
    assertThat(
            HttpsRedirects.redirectStatus(
                new TlsSpec(List.of(), "www", HttpsRedirect.MOVED_PERMANENTLY_301, Hsts.OFF),
                "any.example",
                "/"))
        .isEqualTo(301);
  }

  @Test
  void other_hosts_acme_challenges_and_redirect_off_are_served() {
    assertThat(HttpsRedirects.redirectStatus(TLS, "b.example", "/x")).isZero();
    assertThat(HttpsRedirects.redirectStatus(TLS, "a.b.apps.example", "/x")).isZero();
    assertThat(HttpsRedirects.redirectStatus(TLS, "a.example", "/.well-known/acme-challenge/t"))
        .isZero();
    assertThat(
            HttpsRedirects.redirectStatus(
                new TlsSpec(List.of(), "www", HttpsRedirect.OFF, Hsts.OFF), "a.example", "/"))
        .isZero();
    assertThat(HttpsRedirects.redirectStatus(null, "a.example", "/")).isZero();
  }

  @Test
  void the_location_keeps_path_and_query_and_leaves_out_port_443() {
    assertThat(HttpsRedirects.location("a.example", "8443", "/p/q", "x=1&y"))
        .isEqualTo("https://a.example:8443/p/q?x=1&y");
    assertThat(HttpsRedirects.location("a.example", "443", "/", null))
        .isEqualTo("https://a.example/");
    assertThat(HttpsRedirects.location("::1", "8443", "/", null)).isEqualTo("https://[::1]:8443/");
  }

  @Test
  void hsts_is_sent_for_covered_hosts_only() {
    assertThat(HttpsRedirects.hsts(TLS, "a.example"))
        .isEqualTo("max-age=31536000; includeSubDomains");
    assertThat(HttpsRedirects.hsts(TLS, "b.example")).isNull();
    assertThat(HttpsRedirects.hsts(TlsSpec.of(List.of(), "www"), "a.example")).isNull();
  }
}
