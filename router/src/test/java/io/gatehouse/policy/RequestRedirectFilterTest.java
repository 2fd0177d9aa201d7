package io.gatehouse.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.PathMatch;
import io.gatehouse.model.policy.PathModifier;
import io.gatehouse.model.policy.RequestRedirect;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestRedirectFilterTest {
  private static final List<PathMatch> API = List.of(PathMatch.prefix("/api"));

  private static FakeRequest request(boolean tls, String authority, String path, String query) {
    FakeRequest r = FakeRequest.plain("a.example", path);
    r.tls = tls;
    r.authority = authority;
    r.query = query;
    return r;
  }

  /**
   * One row per case: the policy's scheme, host, port, path type and value, status; the request's
   * TLS, authority, path and query; the expected Location ("-" for none given).
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      emptyValue = "",
      value = {
        "scheme only to https drops the client's port     | https | -         | -    | -      | -   | 301"
            + " | false | a.example:8080 | /api/x | q=1 | https://a.example/api/x?q=1",
        "kept scheme keeps the client's port               | -     | b.example | -    | -      | -   | 302"
            + " | false | a.example:8080 | /api/x | -   | http://b.example:8080/api/x",
        "kept scheme drops the scheme's default port       | -     | b.example | -    | -      | -   | 302"
            + " | true  | a.example:443  | /      | -   | https://b.example/",
        "a given port is named unless the default          | https | -         | 8443 | -      | -   | 308"
            + " | false | a.example      | /      | -   | https://a.example:8443/",
        "a given default port is left out                  | http  | -         | 80   | -      | -   | 307"
            + " | true  | a.example:8443 | /a     | -   | http://a.example/a",
        "full path replaces the path and keeps the query   | -     | -         | -    | full   | /new | 302"
            + " | false | a.example      | /api/x | a=b&c | http://a.example/new?a=b&c",
        "prefix replacement on the matched prefix          | -     | -         | -    | prefix | /v2 | 302"
            + " | false | a.example      | /api/x/y | -   | http://a.example/v2/x/y",
        "prefix strip                                      | -     | -         | -    | prefix | ''  | 302"
            + " | false | a.example      | /api/x | -   | http://a.example/x",
        "prefix strip of the whole path gives /            | -     | -         | -    | prefix | /   | 302"
            + " | false | a.example      | /api   | -   | http://a.example/",
        "encoded characters stay encoded                   | https | -         | -    | -      | -   | 302"
            + " | false | a.example      | /api/a%2Fb%20c | x=%C3%A9 | https://a.example/api/a%2Fb%20c?x=%C3%A9",
        "an IPv6 host keeps its brackets                   | https | -         | -    | -      | -   | 302"
            + " | false | [::1]:8080     | /      | -   | https://[::1]/",
        "a port of leading zeros is read as its number     | -     | b.example | -    | -      | -   | 302"
            + " | false | a.example:0080 | /      | -   | http://b.example/",
        "a port beyond 65535 is not kept                   | -     | b.example | -    | -      | -   | 302"
            + " | false | a.example:70000 | /     | -   | http://b.example/",
        "only a status answers the request's own URL       | -     | -         | -    | -      | -   | 303"
            + " | true  | a.example:8443 | /api/x | q=1 | https://a.example:8443/api/x?q=1",
      })
  void the_location_is_built_from_the_policy_and_the_requests_validated_parts(
      String name,
      String scheme,
      String host,
      Integer port,
      String pathType,
      String pathValue,
      int status,
      boolean tls,
      String authority,
      String path,
      String query,
      String location) {
    PathModifier m =
        pathType == null
            ? null
            : pathType.equals("full")
                ? PathModifier.fullPath(pathValue)
                : PathModifier.prefixMatch(pathValue);
    RequestRedirectFilter f =
        new RequestRedirectFilter(RequestRedirect.of(scheme, host, port, m, status), API);
    FakeRequest r = request(tls, authority, path, query);
    if (authority.startsWith("[")) {
      r.host = "[::1]";
    }
    assertThat(f.admit(r)).isEqualTo(status);
    assertThat(r.location).isEqualTo(location);
  }

  @Test
  void a_fixed_url_is_sent_as_it_is_without_the_request_path_or_query() {
    RequestRedirectFilter f =
        new RequestRedirectFilter(RequestRedirect.to("https://new.example/landing", 301), API);
    FakeRequest r = request(false, "a.example", "/api/x", "q=1");
    assertThat(f.admit(r)).isEqualTo(301);
    assertThat(r.location).isEqualTo("https://new.example/landing");
  }

  @Test
  void root_only_redirects_exactly_the_root_and_proxies_the_rest() {
    RequestRedirectFilter f =
        new RequestRedirectFilter(
            new RequestRedirect(null, null, null, PathModifier.fullPath("/app1"), 302, null, true),
            List.of(PathMatch.prefix("/")));
    FakeRequest root = request(false, "a.example", "/", null);
    assertThat(f.admit(root)).isEqualTo(302);
    assertThat(root.location).isEqualTo("http://a.example/app1");
    FakeRequest other = request(false, "a.example", "/app1/x", null);
    assertThat(f.admit(other)).isEqualTo(AdmissionFilter.PROCEED);
    assertThat(other.location).isNull();
  }

  static Stream<Arguments> queries() {
    return Stream.of(
        Arguments.of("a b", "a%20b"),
        Arguments.of("a\r\nSet-Cookie: x=1", "a%0D%0ASet-Cookie:%20x=1"),
        Arguments.of("a\"b", "a%22b"),
        Arguments.of("<x>", "%3Cx%3E"),
        Arguments.of("a#b", "a%23b"),
        Arguments.of("caf\u00e9", "caf%C3%A9"),
        Arguments.of("%zz&%4", "%25zz&%254"),
        Arguments.of("a=b|c{d}", "a=b%7Cc%7Bd%7D"),
        Arguments.of("ok=%C3%A9&x=/?y", "ok=%C3%A9&x=/?y"));
  }

  @ParameterizedTest
  @MethodSource("queries")
  void a_query_is_kept_with_what_a_query_cannot_carry_percent_encoded_never_raw(
      String query, String expected) {
    RequestRedirectFilter f =
        new RequestRedirectFilter(RequestRedirect.of("https", null, null, null, 301), API);
    FakeRequest r = request(false, "a.example", "/", query);
    assertThat(f.admit(r)).isEqualTo(301);
    assertThat(r.location).isEqualTo("https://a.example/?" + expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\rb", "a b", "[::1\n]", "[zz]", "A.example", ""})
  void a_request_host_that_is_not_url_text_is_answered_400_never_reflected(String host) {
    RequestRedirectFilter f =
        new RequestRedirectFilter(RequestRedirect.of("https", null, null, null, 301), API);
    FakeRequest r = request(false, host, "/", null);
    r.host = host;
    assertThat(f.admit(r)).isEqualTo(400);
    assertThat(r.location).isNull();
  }

  @Test
  void a_request_without_a_host_needs_the_policy_to_name_one() {
    FakeRequest r = request(false, null, "/", null);
    r.host = null;
    assertThat(
            new RequestRedirectFilter(RequestRedirect.of("https", null, null, null, 301), API)
                .admit(r))
        .isEqualTo(400);
    assertThat(
            new RequestRedirectFilter(RequestRedirect.of(null, "b.example", null, null, 301), API)
                .admit(r))
        .isEqualTo(301);
    assertThat(r.location).isEqualTo("http://b.example/");
  }

  @ParameterizedTest
  @CsvSource({"a.example:8080, 8080", "[::1]:443, 443", "a.example, ", "[::1], ", "a.example:, "})
  void the_port_is_read_from_the_authority_as_digits_only(String authority, String port) {
    assertThat(RequestRedirectFilter.authorityPort(authority)).isEqualTo(port);
  }
}
