package io.gatehouse.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.Hsts;
import io.gatehouse.model.HttpsRedirect;
import io.gatehouse.model.TlsSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class HttpsRedirectFilterTest {
  private static HttpsRedirectFilter filter(HttpsRedirect redirect, String... hosts) {
    return new HttpsRedirectFilter(new TlsSpec(List.of(hosts), "www", redirect, Hsts.OFF));
  }

  @Test
  void plain_http_for_a_tls_host_is_redirected_to_the_same_url_over_https() {
    FakeRequest r = FakeRequest.plain("a.example", "/p/q");
    r.query = "x=1&y";
    assertThat(filter(HttpsRedirect.DEFAULT).admit(r)).isEqualTo(308);
    assertThat(r.location).isEqualTo("https://a.example:8443/p/q?x=1&y");
  }

  @Test
  void the_configured_status_is_answered_and_port_443_is_left_out() {
    FakeRequest r = FakeRequest.plain("a.example", "/");
    r.httpsPort = "443";
    assertThat(filter(HttpsRedirect.MOVED_PERMANENTLY_301, "a.example").admit(r)).isEqualTo(301);
    assertThat(r.location).isEqualTo("https://a.example/");
  }

  @Test
  void a_request_over_tls_proceeds() {
    FakeRequest r = FakeRequest.tls("a.example");
    assertThat(filter(HttpsRedirect.DEFAULT).admit(r)).isEqualTo(AdmissionFilter.PROCEED);
    assertThat(r.location).isNull();
  }

  @Test
  void a_node_without_an_https_listener_serves_plain_http() {
    FakeRequest r = FakeRequest.plain("a.example", "/");
    r.httpsListener = false;
    assertThat(filter(HttpsRedirect.DEFAULT).admit(r)).isEqualTo(AdmissionFilter.PROCEED);
  }

  @Test
  void acme_challenges_and_hosts_outside_the_tls_hosts_are_served() {
    assertThat(
            filter(HttpsRedirect.DEFAULT)
                .admit(FakeRequest.plain("a.example", "/.well-known/acme-challenge/tok")))
        .isEqualTo(AdmissionFilter.PROCEED);
    assertThat(
            filter(HttpsRedirect.DEFAULT, "b.example").admit(FakeRequest.plain("a.example", "/")))
        .isEqualTo(AdmissionFilter.PROCEED);
    assertThat(
            filter(HttpsRedirect.DEFAULT, "*.example").admit(FakeRequest.plain("x.y.example", "/")))
        .as("a wildcard covers one label")
        .isEqualTo(AdmissionFilter.PROCEED);
    assertThat(
            filter(HttpsRedirect.DEFAULT, "*.example").admit(FakeRequest.plain("y.example", "/")))
        .isEqualTo(308);
  }

  @Test
  void a_request_without_a_host_is_served() {
    assertThat(filter(HttpsRedirect.DEFAULT).admit(FakeRequest.plain(null, "/")))
        .isEqualTo(AdmissionFilter.PROCEED);
  }

  @Test
  void behind_a_trusted_balancer_that_ends_tls_the_client_is_not_sent_round_in_a_loop() {
    FakeRequest viaHttps = FakeRequest.plain("a.example", "/p");
    viaHttps.forwardedProto = "https";
    assertThat(filter(HttpsRedirect.DEFAULT).admit(viaHttps)).isEqualTo(AdmissionFilter.PROCEED);
    assertThat(viaHttps.location).isNull();
  }

  @Test
  void behind_a_trusted_balancer_plain_http_goes_to_its_https_port_even_without_a_listener_here() {
    FakeRequest viaHttp = FakeRequest.plain("a.example", "/p");
    viaHttp.forwardedProto = "http";
    viaHttp.httpsListener = false;
    assertThat(filter(HttpsRedirect.DEFAULT).admit(viaHttp)).isEqualTo(308);
    assertThat(viaHttp.location)
        .as("the balancer's port, not this node's 8443")
        .isEqualTo("https://a.example/p");
  }
}
