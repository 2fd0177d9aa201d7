package io.gatehouse.table.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.model.BackendKey;
import io.gatehouse.model.BackendObject;
import io.gatehouse.model.BackendRef;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.CanaryRule;
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
import io.gatehouse.model.RouteBackend;
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
import io.gatehouse.model.policy.Compression;
import io.gatehouse.model.policy.Cors;
import io.gatehouse.model.policy.PathModifier;
import io.gatehouse.model.policy.PolicySpec;
import io.gatehouse.model.policy.RequestHeaders;
import io.gatehouse.model.policy.RequestMirror;
import io.gatehouse.model.policy.RequestRedirect;
import io.gatehouse.model.policy.ResponseHeaders;
import io.gatehouse.model.policy.SessionPersistence;
import io.gatehouse.model.policy.URLRewrite;
import io.gatehouse.table.EntryKey;
import io.gatehouse.table.EntryKind;
import io.gatehouse.table.FormatGate;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
        new TokenSpec("tok2", TenantId.of("team-a"), "cd".repeat(32), 1L, null),
        new BackendObject(
            new BackendKey(TenantId.of("team-a"), "web"), "rest", mutualTlsRoute().backend()));
  }

  @ParameterizedTest
  @MethodSource("samples")
  void every_kind_round_trips(Object value) {
    EntryKind kind = EntryKey.of(value).kind();
    assertThat(codec.decode(kind, codec.encode(value))).isEqualTo(value);
  }

  @Test
  void a_named_backend_is_always_format_2_because_format_1_does_not_know_the_kind()
      throws Exception {
    BackendObject web =
        new BackendObject(
            new BackendKey(TenantId.of("team-a"), "web"),
            "file",
            BackendSpec.http1(List.of(Endpoint.of("10.0.0.1", 80))));
    assertThat(codec.formatOf(web)).isEqualTo(2);
    assertThat(new ObjectMapper().readTree(codec.encode(web)).get("v").asInt()).isEqualTo(2);
    assertThat(codec.decode(EntryKind.BACKEND, codec.encode(web))).isEqualTo(web);
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
    int newer = FormatGate.READS + 1;
    assertThatThrownBy(
            () -> codec.decode(EntryKind.HOST_CLAIM, "{\"v\":" + newer + ",\"value\":{}}"))
        .hasMessageContaining("payload format " + newer);
  }

  // ---------------------------------------------------------------- format 2: route backends

  /** What the release before format 2 wrote for {@link #oneStaticBackend()}, byte for byte. */
  private static final String FORMAT_1_ROUTE =
      "{\"v\":1,\"value\":{\"backend\":{\"endpoints\":[{\"host\":\"10.0.0.1\",\"port\":8080,"
          + "\"weight\":3}],\"protocol\":\"H2C\",\"tls\":null},\"headers\":[],"
          + "\"hosts\":[\"shop.example\"],\"key\":{\"name\":\"shop\",\"source\":\"api\","
          + "\"tenant\":{\"value\":\"t\"}},\"limits\":{\"maxRequestBodyBytes\":10485760},"
          + "\"methods\":[\"GET\"],\"paths\":[{\"type\":\"PREFIX\",\"value\":\"/api\"}],"
          + "\"priority\":7,\"queries\":[],\"timeouts\":{\"bodyIdle\":\"PT1M\",\"connect\":\"PT5S\","
          + "\"request\":\"PT5M\",\"response\":\"PT15S\"},\"tls\":null}}";

  private static final BackendSpec STATIC =
      new BackendSpec(UpstreamProtocol.H2C, List.of(new Endpoint("10.0.0.1", 8080, 3)));

  static RouteSpec oneStaticBackend() {
    return new RouteSpec(
        RouteKey.of("t", "api", "shop"),
        List.of("shop.example"),
        List.of(PathMatch.prefix("/api")),
        Set.of("GET"),
        List.of(),
        List.of(),
        STATIC,
        null,
        null,
        7);
  }

  static Stream<RouteSpec> routesFormat1CannotExpress() {
    RouteSpec r = oneStaticBackend();
    BackendRef named = new BackendRef.Named("shared-web");
    BackendRef service =
        new BackendRef.ServicePort("web", 8080, "http", UpstreamProtocol.H2C, null);
    BackendRef serviceTls =
        new BackendRef.ServicePort(
            "web", 8443, null, UpstreamProtocol.H2, new UpstreamTls(null, true, null, false, null));
    return Stream.of(
        r.withBackends(List.of(new RouteBackend(STATIC, 5))),
        r.withBackends(List.of(new RouteBackend(STATIC, 0))),
        r.withBackends(List.of(RouteBackend.of(named))),
        r.withBackends(List.of(RouteBackend.of(service))),
        r.withBackends(List.of(new RouteBackend(STATIC, 90), new RouteBackend(serviceTls, 10))),
        r.withBackends(
            List.of(
                RouteBackend.of(STATIC),
                RouteBackend.of(named),
                new RouteBackend(mutualTlsRoute().backend(), 0))),
        r.withPolicies(HEADER_POLICIES),
        r.withPolicies(List.of(CORS)));
  }

  static final Cors CORS =
      new Cors(
          List.of("https://a.example", "https://*.b.example"),
          List.of("https://pr-[0-9]+\\.c\\.example"),
          List.of("PUT"),
          List.of("x-token"),
          List.of("x-request-id"),
          true,
          600);

  @Test
  void a_cors_policy_is_tagged_cors_and_round_trips() throws Exception {
    RouteSpec r = oneStaticBackend().withPolicies(List.of(CORS));
    assertThat(codec.formatOf(r)).isEqualTo(2);
    JsonNode doc = new ObjectMapper().readTree(codec.encode(r));
    assertThat(doc.get("value").get("policies").get(0).get("type").asText()).isEqualTo("cors");
    assertThat(codec.decode(EntryKind.ROUTE, codec.encode(r))).isEqualTo(r);
  }

  @Test
  void a_session_persistence_policy_round_trips_with_and_without_its_optional_fields()
      throws Exception {
    RouteSpec r =
        oneStaticBackend()
            .withPolicies(
                List.of(
                    new SessionPersistence(
                        "gh-split", Duration.ofHours(48), "/app", true, "None")));
    assertThat(codec.formatOf(r)).isEqualTo(2);
    JsonNode doc = new ObjectMapper().readTree(codec.encode(r));
    assertThat(doc.get("value").get("policies").get(0).get("type").asText())
        .isEqualTo("sessionPersistence");
    assertThat(codec.decode(EntryKind.ROUTE, codec.encode(r))).isEqualTo(r);
    RouteSpec bare = oneStaticBackend().withPolicies(List.of(SessionPersistence.cookie("s")));
    assertThat(codec.decode(EntryKind.ROUTE, codec.encode(bare))).isEqualTo(bare);
  }

  // ---------------------------------------------------------------- format 2: policies

  static final List<PolicySpec> HEADER_POLICIES =
      List.of(
          new RequestHeaders(
              orderedMap("x-tenant", "a", "x-b", "2"), Map.of("x-via", "gh"), List.of("cookie")),
          new ResponseHeaders(Map.of("cache-control", "no-store"), Map.of(), List.of("server")));

  private static Map<String, String> orderedMap(String k1, String v1, String k2, String v2) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(k1, v1);
    m.put(k2, v2);
    return m;
  }

  @Test
  void a_route_with_policies_is_format_2_and_tags_each_policy_with_its_type() throws Exception {
    RouteSpec r = oneStaticBackend().withPolicies(HEADER_POLICIES);
    assertThat(codec.formatOf(r)).isEqualTo(2);
    JsonNode doc = new ObjectMapper().readTree(codec.encode(r));
    assertThat(doc.get("v").asInt()).isEqualTo(2);
    assertThat(doc.get("value").get("policies").toString())
        .isEqualTo(
            "[{\"type\":\"requestHeaders\",\"add\":{\"x-via\":\"gh\"},\"remove\":[\"cookie\"],"
                + "\"set\":{\"x-tenant\":\"a\",\"x-b\":\"2\"}},"
                + "{\"type\":\"responseHeaders\",\"add\":{},\"remove\":[\"server\"],"
                + "\"set\":{\"cache-control\":\"no-store\"}}]");
    RouteSpec decoded = (RouteSpec) codec.decode(EntryKind.ROUTE, codec.encode(r));
    assertThat(decoded).isEqualTo(r);
    assertThat(((RequestHeaders) decoded.policies().get(0)).set().keySet())
        .containsExactly("x-tenant", "x-b");
  }

  @Test
  void redirect_and_rewrite_policies_round_trip_with_every_field() throws Exception {
    List<RouteSpec> routes =
        List.of(
            oneStaticBackend()
                .withPolicies(
                    List.of(
                        new RequestRedirect(
                            "https",
                            "www.example.com",
                            8443,
                            PathModifier.prefixMatch("/v2"),
                            308,
                            null,
                            true))),
            oneStaticBackend().withPolicies(List.of(RequestRedirect.to("https://x.example/", 301))),
            oneStaticBackend()
                .withPolicies(
                    List.of(
                        new URLRewrite(
                            "backend.example",
                            PathModifier.fullPath("/a"),
                            null,
                            null,
                            true,
                            "/p"))),
            oneStaticBackend()
                .withPolicies(List.of(new URLRewrite(null, null, "^/a(.*)", "/b$1", false, null))));
    for (RouteSpec r : routes) {
      assertThat(codec.formatOf(r)).isEqualTo(2);
      assertThat(codec.decode(EntryKind.ROUTE, codec.encode(r))).isEqualTo(r);
    }
    JsonNode doc = new ObjectMapper().readTree(codec.encode(routes.get(0)));
    assertThat(doc.get("value").get("policies").get(0).get("type").asText())
        .isEqualTo("requestRedirect");
    assertThat(doc.get("value").get("policies").get(0).get("path").toString())
        .isEqualTo("{\"type\":\"REPLACE_PREFIX_MATCH\",\"value\":\"/v2\"}");
    doc = new ObjectMapper().readTree(codec.encode(routes.get(2)));
    assertThat(doc.get("value").get("policies").get(0).get("type").asText())
        .isEqualTo("urlRewrite");
  }

  @Test
  void a_format_1_reader_refuses_a_route_with_policies_rather_than_serve_it_without_them() {
    EntryCodec format1Reader = new EntryCodec(1);
    String withPolicies = codec.encode(oneStaticBackend().withPolicies(HEADER_POLICIES));
    assertThatThrownBy(() -> format1Reader.decode(EntryKind.ROUTE, withPolicies))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("payload format 2 is not readable by this release (reads 1..1)");
    // A route without policies stays readable by it.
    assertThat(format1Reader.decode(EntryKind.ROUTE, codec.encode(oneStaticBackend())))
        .isEqualTo(oneStaticBackend());
  }

  @Test
  void a_policy_of_an_unknown_type_is_refused_without_quoting_the_payload() {
    String unknown =
        codec
            .encode(oneStaticBackend().withPolicies(HEADER_POLICIES))
            .replace("\"type\":\"requestHeaders\"", "\"type\":\"SECRET-type\"");
    assertThatThrownBy(() -> codec.decode(EntryKind.ROUTE, unknown))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("SECRET");
  }

  @Test
  void a_route_with_one_static_backend_is_still_written_as_the_release_before_wrote_it() {
    assertThat(codec.encode(oneStaticBackend())).isEqualTo(FORMAT_1_ROUTE);
  }

  @Test
  void a_format_1_route_reads_as_one_static_backend_at_weight_1() {
    RouteSpec decoded = (RouteSpec) codec.decode(EntryKind.ROUTE, FORMAT_1_ROUTE);
    assertThat(decoded).isEqualTo(oneStaticBackend());
    assertThat(decoded.backends()).containsExactly(new RouteBackend(STATIC, 1));
    assertThat(decoded.backend()).isEqualTo(STATIC);
  }

  @ParameterizedTest
  @MethodSource("routesFormat1CannotExpress")
  void a_route_format_1_cannot_express_is_written_as_format_2_and_round_trips(RouteSpec route)
      throws Exception {
    String json = codec.encode(route);
    JsonNode doc = new ObjectMapper().readTree(json);
    assertThat(doc.get("v").asInt()).isEqualTo(2);
    // Exactly the record's components: no accessor such as backend() leaks into the payload.
    List<String> fields = new ArrayList<>();
    doc.get("value").fieldNames().forEachRemaining(fields::add);
    assertThat(fields)
        .containsExactlyInAnyOrder(
            Stream.of(RouteSpec.class.getRecordComponents())
                .map(RecordComponent::getName)
                // written only when set (formats 9 and 10): these routes are on the node's own
                // listeners, their wildcards one label deep
                .filter(n -> !n.equals("listener") && !n.equals("wildcardsAnyDepth"))
                .toArray(String[]::new));
    assertThat(doc.get("value").get("backends")).hasSize(route.backends().size());
    assertThat(codec.decode(EntryKind.ROUTE, json)).isEqualTo(route);
  }

  @Test
  void format_2_tags_each_ref_with_its_kind() throws Exception {
    RouteSpec r =
        oneStaticBackend()
            .withBackends(
                List.of(
                    new RouteBackend(STATIC, 2),
                    new RouteBackend(new BackendRef.Named("shared-web"), 3),
                    RouteBackend.of(
                        new BackendRef.ServicePort(
                            "web", 0, "http", UpstreamProtocol.HTTP1, null))));
    JsonNode backends = new ObjectMapper().readTree(codec.encode(r)).get("value").get("backends");
    assertThat(backends.toString())
        .isEqualTo(
            "[{\"ref\":{\"kind\":\"static\",\"endpoints\":[{\"host\":\"10.0.0.1\",\"port\":8080,"
                + "\"weight\":3}],\"protocol\":\"H2C\",\"tls\":null},\"weight\":2},"
                + "{\"ref\":{\"kind\":\"named\",\"name\":\"shared-web\"},\"weight\":3},"
                + "{\"ref\":{\"kind\":\"service\",\"port\":0,\"portName\":\"http\","
                + "\"protocol\":\"HTTP1\",\"service\":\"web\",\"tls\":null},\"weight\":1}]");
  }

  @Test
  void a_canary_rule_round_trips_and_a_backend_without_one_is_written_as_before() throws Exception {
    RouteSpec r =
        oneStaticBackend()
            .withBackends(
                List.of(
                    new RouteBackend(STATIC, 90),
                    new RouteBackend(
                        new BackendRef.Named("canary"),
                        10,
                        new CanaryRule("x-canary", null, "^v[0-9]+$", "canary"))));
    String json = codec.encode(r);
    assertThat(codec.formatOf(r)).isEqualTo(2);
    JsonNode backends = new ObjectMapper().readTree(json).get("value").get("backends");
    assertThat(backends.get(0).has("canary")).isFalse();
    assertThat(backends.get(1).get("canary").toString())
        .isEqualTo(
            "{\"cookie\":\"canary\",\"header\":\"x-canary\"," + "\"headerPattern\":\"^v[0-9]+$\"}");
    assertThat(codec.decode(EntryKind.ROUTE, json)).isEqualTo(r);
    RouteSpec byValue =
        r.withBackends(
            List.of(
                new RouteBackend(STATIC, 1),
                new RouteBackend(STATIC, 0, new CanaryRule("x-c", "yes", null, null))));
    assertThat(codec.decode(EntryKind.ROUTE, codec.encode(byValue))).isEqualTo(byValue);
  }

  @Test
  void a_format_2_route_with_one_static_backend_at_weight_1_reads_as_the_format_1_one() {
    // A later release may write format 2 for a route format 1 could express; it reads the same.
    String format2 =
        "{\"v\":2,\"value\":{\"backends\":[{\"ref\":{\"kind\":\"static\",\"endpoints\":"
            + "[{\"host\":\"10.0.0.1\",\"port\":8080,\"weight\":3}],\"protocol\":\"H2C\"},"
            + "\"weight\":1}],\"hosts\":[\"shop.example\"],\"key\":{\"name\":\"shop\","
            + "\"source\":\"api\",\"tenant\":{\"value\":\"t\"}},\"methods\":[\"GET\"],"
            + "\"paths\":[{\"type\":\"PREFIX\",\"value\":\"/api\"}],\"priority\":7,"
            + "\"headers\":[],\"queries\":[]}}";
    RouteSpec decoded = (RouteSpec) codec.decode(EntryKind.ROUTE, format2);
    assertThat(decoded).isEqualTo(oneStaticBackend());
    assertThat(codec.encode(decoded)).isEqualTo(FORMAT_1_ROUTE);
  }

  @Test
  void a_ref_of_an_unknown_kind_is_refused_without_quoting_the_payload() {
    String unknown =
        codec
            .encode(routesFormat1CannotExpress().findFirst().orElseThrow())
            .replace("\"kind\":\"static\"", "\"kind\":\"SECRET-kind\"");
    assertThatThrownBy(() -> codec.decode(EntryKind.ROUTE, unknown))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot decode a ROUTE payload")
        .hasMessageNotContaining("SECRET");
  }

  @Test
  void a_format_1_route_without_a_backend_is_refused() {
    String noBackend = FORMAT_1_ROUTE.replaceFirst("\"backend\":\\{.*?\"tls\":null\\},", "");
    assertThat(noBackend).doesNotContain("backend");
    assertThatThrownBy(() -> codec.decode(EntryKind.ROUTE, noBackend))
        .hasMessageContaining("cannot decode a ROUTE payload");
  }

  @Test
  void a_broken_payload_never_quotes_its_content() {
    String broken =
        codec.encode(samples().skip(2).findFirst().orElseThrow()).replace("\"pem\"", "pem");
    assertThatThrownBy(() -> codec.decode(EntryKind.CERTIFICATE, broken))
        .hasMessageContaining("cannot decode a CERTIFICATE payload")
        .hasMessageNotContaining("SECRET");
  }

  @Test
  void a_compression_policy_round_trips_tagged_with_its_levels_and_order() throws Exception {
    RouteSpec r =
        oneStaticBackend()
            .withPolicies(
                List.of(
                    new Compression(
                        List.of("gzip", "br"),
                        List.of("text/*", "application/json"),
                        512,
                        Map.of("br", 5)),
                    Compression.defaults()));
    assertThat(codec.formatOf(r)).isEqualTo(2);
    JsonNode doc = new ObjectMapper().readTree(codec.encode(r));
    assertThat(doc.get("value").get("policies").get(0).toString())
        .isEqualTo(
            "{\"type\":\"compression\",\"algorithms\":[\"gzip\",\"br\"],"
                + "\"contentTypes\":[\"text/*\",\"application/json\"],"
                + "\"levels\":{\"br\":5},\"minBytes\":512}");
    RouteSpec decoded = (RouteSpec) codec.decode(EntryKind.ROUTE, codec.encode(r));
    assertThat(decoded).isEqualTo(r);
    assertThat(((Compression) decoded.policies().get(0)).algorithms())
        .containsExactly("gzip", "br");
  }

  @Test
  void a_mirror_policy_round_trips_with_its_backend_tagged_by_kind() throws Exception {
    RouteSpec r =
        oneStaticBackend()
            .withPolicies(
                List.of(
                    new RequestMirror(
                        BackendSpec.http1(List.of(Endpoint.of("10.0.0.7", 9000))),
                        1,
                        1000,
                        "shadow.example",
                        false,
                        4096,
                        8),
                    RequestMirror.of(new BackendRef.Named("shadow-pool")),
                    RequestMirror.of(
                        new BackendRef.ServicePort(
                            "shadow", 80, null, UpstreamProtocol.H2C, null))));
    assertThat(codec.formatOf(r)).isEqualTo(2);
    JsonNode doc = new ObjectMapper().readTree(codec.encode(r));
    assertThat(doc.get("value").get("policies").get(1).toString())
        .isEqualTo(
            "{\"type\":\"requestMirror\",\"backendRef\":{\"kind\":\"named\","
                + "\"name\":\"shadow-pool\"},\"denominator\":100,\"hostname\":null,"
                + "\"maxBodyBytes\":1048576,\"maxInFlight\":100,\"numerator\":100,"
                + "\"requestBody\":true}");
    assertThat(codec.decode(EntryKind.ROUTE, codec.encode(r))).isEqualTo(r);
  }
}
