package io.gatehouse.table.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.CertificateKey;
import io.gatehouse.model.CertificateSpec;
import io.gatehouse.model.ClientAuth;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.HeaderMatch;
import io.gatehouse.model.HostClaim;
import io.gatehouse.model.Hsts;
import io.gatehouse.model.HttpsRedirect;
import io.gatehouse.model.KeyCertPem;
import io.gatehouse.model.Limits;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.PrivateKeyPem;
import io.gatehouse.model.QueryMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TenantId;
import io.gatehouse.model.TenantSpec;
import io.gatehouse.model.Timeouts;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.model.TokenSpec;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.UpstreamTls;
import io.gatehouse.model.ValueMatchType;
import io.gatehouse.table.EntryKey;
import io.gatehouse.table.EntryKind;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EntryCodecTest {
  private final EntryCodec codec = new EntryCodec();

  static RouteSpec fullRoute() {
    return new RouteSpec(
        RouteKey.of("team-a", "api", "shop"),
        List.of("shop.example", "*.shop.example"),
        List.of(PathMatch.prefix("/api"), PathMatch.exact("/"), PathMatch.regex("/v[0-9]+/.*")),
        Set.of("GET", "POST"),
        List.of(new HeaderMatch("x-canary", ValueMatchType.EXACT, "1")),
        List.of(new QueryMatch("debug", ValueMatchType.EXACT, "true")),
        new BackendSpec(
            UpstreamProtocol.H2C,
            List.of(new Endpoint("10.0.0.1", 8080, 3), Endpoint.of("::1", 81))),
        new Timeouts(
            Duration.ofMillis(750), Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ZERO),
        new Limits(1024),
        7,
        new TlsSpec(
            List.of("shop.example"),
            "shop-cert",
            HttpsRedirect.values()[0],
            Hsts.of(Duration.ofDays(365), true, true)));
  }

  static RouteSpec mutualTlsRoute() {
    RouteSpec r = fullRoute();
    return r.withTls(
            new TlsSpec(
                List.of("shop.example"),
                "shop-cert",
                HttpsRedirect.DEFAULT,
                Hsts.OFF,
                ClientAuth.required(
                    "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n")))
        .withBackend(
            new BackendSpec(
                UpstreamProtocol.H2,
                List.of(Endpoint.of("10.0.0.9", 443)),
                new UpstreamTls(
                    "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n",
                    true,
                    "internal.shop",
                    false,
                    new KeyCertPem(
                        "-----BEGIN CERTIFICATE-----\nC\n-----END CERTIFICATE-----\n",
                        new PrivateKeyPem(
                            "-----BEGIN PRIVATE KEY-----\nK\n-----END PRIVATE KEY-----\n")))));
  }

  static Stream<Object> samples() {
    return Stream.of(
        fullRoute(),
        mutualTlsRoute(),
        RouteSpec.simple(
            RouteKey.of("t", "k8s", "ns/ing"),
            List.of(),
            List.of(PathMatch.prefix("/")),
            BackendSpec.http1(List.of(Endpoint.of("127.0.0.1", 1)))),
        new CertificateSpec(
            CertificateKey.of("team-a", "shop-cert"),
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
            new PrivateKeyPem("-----BEGIN PRIVATE KEY-----\nSECRET\n-----END PRIVATE KEY-----\n")),
        new TenantSpec(TenantId.of("team-a"), "Team A"),
        new HostClaim("*.shop.example", TenantId.of("team-a")),
        new TokenSpec("tok1", null, "ab".repeat(32), 1_700_000_000_000L, "bootstrap"),
        new TokenSpec("tok2", TenantId.of("team-a"), "cd".repeat(32), 1L, null));
  }

  @ParameterizedTest
  @MethodSource("samples")
  void every_kind_round_trips(Object value) {
    EntryKind kind = EntryKey.of(value).kind();
    assertThat(codec.decode(kind, codec.encode(value))).isEqualTo(value);
  }

  @Test
  void the_format_is_stable_and_versioned() {
    String json = codec.encode(new HostClaim("a.example", TenantId.of("t")));
    assertThat(json)
        .isEqualTo("{\"v\":1,\"value\":{\"host\":\"a.example\",\"tenant\":{\"value\":\"t\"}}}");
  }

  @Test
  void fields_a_later_release_adds_are_ignored() {
    String fromTheFuture =
        "{\"v\":1,\"value\":{\"host\":\"a.example\",\"tenant\":{\"value\":\"t\"},\"since\":42}}";
    assertThat(codec.decode(EntryKind.HOST_CLAIM, fromTheFuture))
        .isEqualTo(new HostClaim("a.example", TenantId.of("t")));
  }

  @Test
  void fields_an_older_release_did_not_write_take_their_defaults() throws Exception {
    ObjectMapper json = new ObjectMapper();
    ObjectNode doc = (ObjectNode) json.readTree(codec.encode(fullRoute()));
    ((ObjectNode) doc.get("value")).remove("tls");
    RouteSpec decoded = (RouteSpec) codec.decode(EntryKind.ROUTE, json.writeValueAsString(doc));
    assertThat(decoded.tls()).isNull();
    assertThat(decoded.withTls(fullRoute().tls())).isEqualTo(fullRoute());
  }

  @Test
  void a_newer_format_is_refused_by_name() {
    assertThatThrownBy(() -> codec.decode(EntryKind.HOST_CLAIM, "{\"v\":2,\"value\":{}}"))
        .hasMessageContaining("payload format 2");
  }

  @Test
  void a_broken_payload_never_quotes_its_content() {
    String broken =
        codec.encode(samples().skip(2).findFirst().orElseThrow()).replace("\"pem\"", "pem");
    assertThatThrownBy(() -> codec.decode(EntryKind.CERTIFICATE, broken))
        .hasMessageContaining("cannot decode a CERTIFICATE payload")
        .hasMessageNotContaining("SECRET");
  }
}
