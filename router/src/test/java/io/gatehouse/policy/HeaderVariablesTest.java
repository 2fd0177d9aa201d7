package io.gatehouse.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.RouteKey;
import io.gatehouse.model.policy.RequestHeaders;
import io.gatehouse.model.policy.ResponseHeaders;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Header policies' variables, compiled and expanded against a fake request: each case sets one
 * header with {@code set} and with {@code add} over a request that already carries the client's own
 * {@code x-v: forged}, and says what the backend (and a response) gets.
 */
class HeaderVariablesTest {
  private static final RouteKey ROUTE = RouteKey.of("acme", "api", "shop.v2");
  private static final String SHA =
      "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  private static final ClientCertificateCheck.Result VERIFIED =
      new ClientCertificateCheck.Result(
          ClientCertificateCheck.Outcome.VERIFIED,
          ClientCertificateCheck.headerSafe("CN=Zo\u00eb\\, Jr.,O=Example\\+Co,C=NZ"),
          SHA);
  private static final ClientCertificateCheck.Result ABSENT = ClientCertificateCheck.Result.ABSENT;

  /**
   * @param value the policy's value as written
   * @param request sets up the fake request
   * @param expected what the header holds after {@code set} (null: removed) and after {@code add}
   *     (null: the client's alone)
   */
  record Case(String name, String value, Consumer<FakeRequest> request, String expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    Consumer<FakeRequest> plain = r -> {};
    return Stream.of(
        new Case("literal-text-is-sent-as-written", "prod  ", plain, "prod  "),
        new Case("double-dollar-is-one-dollar", "$$5 $${request.id}", plain, "$5 ${request.id}"),
        new Case("client-address-alone", "${client.address}", plain, "192.0.2.7"),
        new Case(
            "client-address-ipv6",
            "for=${client.address}",
            r -> r.clientAddress = "2001:db8::1",
            "for=2001:db8::1"),
        new Case("request-id-inside-text", "id=${request.id};", plain, "id=req-1;"),
        new Case(
            "route-tenant-and-name-are-folded-in",
            "${route.tenant}/${route.name}",
            plain,
            "acme/shop.v2"),
        new Case(
            "every-variable-in-one-value",
            "${client.address} ${request.id} ${route.name} ${tls.client.sha256}",
            r -> r.verdict = VERIFIED,
            "192.0.2.7 req-1 shop.v2 " + SHA),
        new Case(
            "subject-of-a-verified-certificate-escaped-to-printable-ascii",
            "${tls.client.subject}",
            r -> r.verdict = VERIFIED,
            "CN=Zo%C3%AB\\, Jr.,O=Example\\+Co,C=NZ"),
        new Case(
            "sha256-of-a-verified-certificate",
            "${tls.client.sha256}",
            r -> r.verdict = VERIFIED,
            SHA),
        new Case("subject-without-a-certificate-is-absent", "${tls.client.subject}", plain, null),
        new Case(
            "subject-when-none-was-sent-on-an-optional-route-is-absent",
            "${tls.client.subject}",
            r -> r.verdict = ABSENT,
            null),
        new Case(
            "one-absent-variable-makes-the-whole-value-absent",
            "cn=${tls.client.subject}; ip=${client.address}",
            plain,
            null),
        new Case("an-empty-variable-is-absent", "${request.id}", r -> r.requestId = "", null),
        new Case(
            "a-value-the-validator-refuses-is-never-passed-through",
            "$remote_addr ${nope}",
            plain,
            null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void set_replaces_the_clients_header_or_removes_it_when_the_value_is_absent(Case c) {
    FakeRequest r = new FakeRequest();
    c.request().accept(r);
    MultiMap h = HttpHeaders.headers().add("X-V", "forged").add("accept", "*/*");
    new RequestHeadersFilter(
            new RequestHeaders(Map.of("X-V", c.value()), Map.of(), List.of()), ROUTE)
        .onUpstreamRequest(r, new MultiMapEdits(h));
    if (c.expected() == null) {
      assertThat(h.contains("x-v")).as("removed, never the client's").isFalse();
    } else {
      assertThat(h.getAll("x-v")).containsExactly(c.expected());
    }
    assertThat(h.getAll("accept")).containsExactly("*/*");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void add_appends_the_value_or_nothing_when_it_is_absent(Case c) {
    FakeRequest r = new FakeRequest();
    c.request().accept(r);
    MultiMap h = HttpHeaders.headers().add("x-v", "upstream");
    new ResponseHeadersFilter(
            new ResponseHeaders(Map.of(), Map.of("x-v", c.value()), List.of()), ROUTE)
        .onResponse(r, 200, new MultiMapEdits(h));
    if (c.expected() == null) {
      assertThat(h.getAll("x-v")).containsExactly("upstream");
    } else {
      assertThat(h.getAll("x-v")).containsExactly("upstream", c.expected());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void no_expansion_carries_a_control_character(Case c) {
    FakeRequest r = new FakeRequest();
    c.request().accept(r);
    String v = HeaderValue.compile(c.value(), ROUTE).expand(r);
    if (v != null) {
      assertThat(v.chars()).allMatch(ch -> ch == '\t' || (ch >= 0x20 && ch < 0x7f));
    }
  }

  @Test
  void a_value_without_request_variables_compiles_to_its_text() {
    assertThat(HeaderValue.compile("a $$ b", ROUTE).literal()).isEqualTo("a $ b");
    assertThat(HeaderValue.compile("${route.tenant}-${route.name}", ROUTE).literal())
        .isEqualTo("acme-shop.v2");
    assertThat(HeaderValue.compile("${request.id}", ROUTE).literal()).isNull();
    assertThat(HeaderValue.compile("$x", ROUTE)).isSameAs(HeaderValue.ABSENT);
    // A value that is one variable is that variable's own text: no copy.
    FakeRequest r = new FakeRequest();
    assertThat(HeaderValue.compile("${request.id}", ROUTE).expand(r)).isSameAs(r.requestId);
  }
}
