package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.edge.ClientAddresses;
import io.gatehouse.edge.RequestHead;
import io.gatehouse.edge.TrustedProxies;
import io.gatehouse.policy.ClientCertificateCheck;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The header rules in both directions, over Vert.x's own header map; cases from HeadersIT. */
@Timeout(10)
class HeaderRulesTest {
  private static final TrustedProxies LOOPBACK = TrustedProxies.parse(List.of("127.0.0.0/8"));

  private static final String[] SPOOFED = {
    "Host", "h.example",
    "X-Forwarded-For", "6.6.6.6",
    "X-Forwarded-Proto", "https",
    "X-Forwarded-Host", "evil.example",
    "X-Forwarded-Port", "443",
    "X-Real-IP", "6.6.6.6",
    "Forwarded", "for=6.6.6.6;proto=https"
  };

  @Test
  void client_forwarding_headers_are_replaced_from_an_untrusted_peer() {
    MultiMap out = copyRequest(head(null, false, SPOOFED), TrustedProxies.none(), null);
    assertThat(out.getAll("x-forwarded-for")).containsExactly("127.0.0.1");
    assertThat(out.get("x-forwarded-proto")).isEqualTo("http");
    assertThat(out.get("x-forwarded-host")).isEqualTo("h.example");
    assertThat(out.get("x-forwarded-port")).isEqualTo("8080");
    assertThat(out.get("x-real-ip")).isEqualTo("127.0.0.1");
    assertThat(out.getAll("forwarded"))
        .containsExactly("for=127.0.0.1;host=\"h.example\";proto=http");
  }

  @Test
  void a_trusted_peer_extends_the_chain_and_keeps_the_original_values() {
    MultiMap out = copyRequest(head(null, false, SPOOFED), LOOPBACK, null);
    assertThat(out.get("x-forwarded-for")).isEqualTo("6.6.6.6, 127.0.0.1");
    assertThat(out.get("x-forwarded-proto")).isEqualTo("https");
    assertThat(out.get("x-forwarded-host")).isEqualTo("evil.example");
    assertThat(out.get("x-forwarded-port")).isEqualTo("443");
    assertThat(out.get("x-real-ip")).isEqualTo("6.6.6.6");
    assertThat(out.get("forwarded"))
        .isEqualTo("for=6.6.6.6;proto=https, for=127.0.0.1;host=\"h.example\";proto=http");
  }

  @Test
  void a_trusted_peer_that_sends_no_forwarding_headers_starts_the_chain() {
    MultiMap out = copyRequest(head(null, false, "Host", "h.example"), LOOPBACK, null);
    assertThat(out.getAll("x-forwarded-for")).containsExactly("127.0.0.1");
    assertThat(out.get("x-forwarded-proto")).isEqualTo("http");
  }

  @Test
  void hop_by_hop_and_connection_named_request_headers_are_removed() {
    MultiMap out =
        copyRequest(
            head(
                "keep-alive, x-client-hop",
                false,
                "Host",
                "h.example",
                "Connection",
                "keep-alive, x-client-hop",
                "Keep-Alive",
                "timeout=9",
                "X-Client-Hop",
                "private",
                "TE",
                "trailers",
                "Proxy-Connection",
                "keep-alive",
                "Upgrade",
                "h2c",
                "Transfer-Encoding",
                "chunked",
                "Content-Length",
                "5",
                "X-End-To-End",
                "kept"),
            TrustedProxies.none(),
            null);
    assertThat(out.names())
        .doesNotContain(
            "Host",
            "Connection",
            "Keep-Alive",
            "X-Client-Hop",
            "TE",
            "Proxy-Connection",
            "Upgrade",
            "Transfer-Encoding",
            "Content-Length");
    assertThat(out.get("x-end-to-end")).isEqualTo("kept");
  }

  @Test
  void expect_host_and_the_clients_request_id_are_not_copied_but_ours_is_added() {
    MultiMap out =
        copyRequest(
            head(
                null,
                false,
                "host",
                "h.example",
                "expect",
                "100-continue",
                "X-Request-Id",
                "trace-42",
                "X-Other",
                "1"),
            TrustedProxies.none(),
            null);
    assertThat(out.get("host")).isNull();
    assertThat(out.get("expect")).isNull();
    assertThat(out.getAll("x-request-id")).containsExactly("ours");
    assertThat(out.get("x-other")).isEqualTo("1");
  }

  @Test
  void underscore_headers_are_dropped_only_when_the_head_says_so() {
    String[] pairs = {"Host", "h.example", "X_Legacy", "v"};
    assertThat(copyRequest(head(null, false, pairs), TrustedProxies.none(), null).get("x_legacy"))
        .isEqualTo("v");
    assertThat(copyRequest(head(null, true, pairs), TrustedProxies.none(), null).get("x_legacy"))
        .isNull();
  }

  @Test
  void client_certificate_headers_come_only_from_the_verdict() {
    RequestHead spoofing =
        head(
            null,
            false,
            "Host",
            "h.example",
            "X-Client-Cert-Verified",
            "SUCCESS",
            "x-client-cert-subject",
            "CN=admin",
            "X-Client-Cert-",
            "bare prefix is not one of ours",
            "SSL-Client-Cert",
            "forged");

    MultiMap none = copyRequest(spoofing, TrustedProxies.none(), null);
    assertThat(none.get("x-client-cert-verified")).isNull();
    assertThat(none.get("x-client-cert-subject")).isNull();
    assertThat(none.get("x-client-cert-")).isEqualTo("bare prefix is not one of ours");
    assertThat(none.get("ssl-client-cert")).as("ingress-nginx's, set only by a route").isNull();

    MultiMap absent =
        copyRequest(
            spoofing,
            TrustedProxies.none(),
            new ClientCertificateCheck.Result(ClientCertificateCheck.Outcome.ABSENT, null, null));
    assertThat(absent.getAll("x-client-cert-verified")).containsExactly("NONE");
    assertThat(absent.get("x-client-cert-subject")).isNull();

    MultiMap verified =
        copyRequest(
            spoofing,
            TrustedProxies.none(),
            new ClientCertificateCheck.Result(
                ClientCertificateCheck.Outcome.VERIFIED, "CN=client", "ab12"));
    assertThat(verified.getAll("x-client-cert-verified")).containsExactly("SUCCESS");
    assertThat(verified.getAll("x-client-cert-subject")).containsExactly("CN=client");
    assertThat(verified.getAll("x-client-cert-sha256")).containsExactly("ab12");
  }

  @Test
  void hop_by_hop_and_connection_named_response_headers_are_removed() {
    MultiMap up =
        HttpHeaders.headers()
            .add("connection", "keep-alive, x-upstream-hop")
            .add("Connection", "X-Second-Hop")
            .add("keep-alive", "timeout=5")
            .add("x-upstream-hop", "secret")
            .add("x-second-hop", "secret too")
            .add("proxy-connection", "keep-alive")
            .add("transfer-encoding", "chunked")
            .add("x-kept", "yes");
    MultiMap out = HttpHeaders.headers();

    assertThat(HeaderRules.copyResponse(up, out, false)).isNull();
    assertThat(out.names()).containsExactly("x-kept");
  }

  @Test
  void the_upstreams_content_length_is_returned_not_copied() {
    MultiMap out = HttpHeaders.headers();
    assertThat(
            HeaderRules.copyResponse(
                HttpHeaders.headers().add("Content-Length", "42").add("x-a", "1"), out, false))
        .isEqualTo("42");
    assertThat(out.names()).containsExactly("x-a");
  }

  @Test
  void our_server_header_stays_unless_the_upstreams_is_passed_through() {
    MultiMap up = HttpHeaders.headers().add("Server", "upstream/1").add("server", "upstream/2");

    MultiMap ours = HttpHeaders.headers().add(RouterSettings.ServerHeader.NAME, "gatehouse");
    HeaderRules.copyResponse(up, ours, false);
    assertThat(ours.getAll("server")).containsExactly("gatehouse");

    MultiMap passed = HttpHeaders.headers().add(RouterSettings.ServerHeader.NAME, "gatehouse");
    HeaderRules.copyResponse(up, passed, true);
    assertThat(passed.getAll("server")).containsExactly("upstream/1", "upstream/2");
  }

  @Test
  void only_names_longer_than_the_prefix_are_client_certificate_headers() {
    assertThat(HeaderRules.isClientCertificateHeader("X-CLIENT-CERT-SHA256")).isTrue();
    assertThat(HeaderRules.isClientCertificateHeader("x-client-cert-")).isFalse();
    assertThat(HeaderRules.isClientCertificateHeader("x-client-certs")).isFalse();
  }

  private static MultiMap copyRequest(
      RequestHead head, TrustedProxies trusted, ClientCertificateCheck.Result cert) {
    MultiMap in = HttpHeaders.headers();
    String[] pairs = head.headers();
    for (int i = 0; i < pairs.length && pairs[i] != null; i += 2) {
      in.add(pairs[i], pairs[i + 1]);
    }
    MultiMap out = HttpHeaders.headers();
    String client = ClientAddresses.resolve("127.0.0.1", trusted, head.headers());
    HeaderRules.copyRequest(
        head, in, out, trusted, "127.0.0.1", client, false, "8080", "ours", cert, null);
    return out;
  }

  /** A head as the guard makes it; its pair array has spare room, as the guard's does. */
  private static RequestHead head(String connection, boolean dropUnderscore, String... pairs) {
    String[] padded = Arrays.copyOf(pairs, pairs.length + 4);
    return new RequestHead(
        "h.example",
        "h.example",
        "/",
        null,
        dropUnderscore,
        -1,
        false,
        connection,
        null,
        false,
        null,
        padded);
  }
}
