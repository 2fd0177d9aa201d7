package io.gatehouse.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.model.RouteKey;
import io.gatehouse.model.policy.ForwardAuth;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.Test;

class ForwardAuthFilterTest {
  static final RouteKey ROUTE = RouteKey.of("acme", "rest", "app");

  static ForwardAuth spec(UnaryOperator<Map<String, Object>> edit) {
    Map<String, Object> f = new HashMap<>();
    f.put("url", "http://auth.example:9000/check?x=1");
    f.put("method", "GET");
    f.put("requestHeaders", List.of());
    f.put("responseHeaders", List.of("X-User", "x-groups"));
    f.put("signin", null);
    f.put("timeout", Duration.ofMillis(1500));
    f.put("cacheKey", List.of());
    f.put("cacheDuration", Duration.ZERO);
    f.put("signinRedirect", ForwardAuth.SigninRedirect.URL);
    f.put("signinRedirectParam", "rd");
    f = edit.apply(f);
    @SuppressWarnings("unchecked")
    ForwardAuth a =
        new ForwardAuth(
            (String) f.get("url"),
            (String) f.get("method"),
            (List<String>) f.get("requestHeaders"),
            (List<String>) f.get("responseHeaders"),
            (String) f.get("signin"),
            (Duration) f.get("timeout"),
            (List<String>) f.get("cacheKey"),
            (Duration) f.get("cacheDuration"),
            (ForwardAuth.SigninRedirect) f.get("signinRedirect"),
            (String) f.get("signinRedirectParam"));
    return a;
  }

  static UnaryOperator<Map<String, Object>> set(String field, Object value) {
    return m -> {
      m.put(field, value);
      return m;
    };
  }

  final FakeForwardAuthService service = new FakeForwardAuthService();

  ForwardAuthFilter filter(ForwardAuth spec) {
    return new ForwardAuthFilter(spec, ROUTE, FakeForwardAuthService.services(service));
  }

  static ForwardAuthAnswer answer(int status, String... headers) {
    return new ForwardAuthAnswer(status, List.of(headers));
  }

  @Test
  void each_answer_of_the_service_gives_its_verdict_and_nothing_else_lets_the_request_through() {
    record Case(ForwardAuthAnswer answer, int verdict) {}
    List<Case> cases =
        List.of(
            new Case(answer(200), AdmissionFilter.PROCEED),
            new Case(answer(204), AdmissionFilter.PROCEED),
            new Case(answer(401), 401),
            new Case(answer(403), 403),
            new Case(answer(301, "location", "http://elsewhere/"), 503),
            new Case(answer(302), 503),
            new Case(answer(400), 503),
            new Case(answer(404), 503),
            new Case(answer(407), 503),
            new Case(answer(429), 503),
            new Case(answer(500), 503),
            new Case(answer(502), 503),
            new Case(ForwardAuthAnswer.UNREACHABLE, 503),
            new Case(ForwardAuthAnswer.TIMED_OUT, 504));
    ForwardAuthFilter f = filter(spec(UnaryOperator.identity()));
    for (Case c : cases) {
      Req r = new Req();
      assertThat(f.admit(r)).as("%s suspends", c.answer).isEqualTo(AdmissionFilter.SUSPEND);
      assertThat(r.resumed).isEmpty();
      service.answer(c.answer);
      assertThat(r.resumed).as("%s", c.answer).containsExactly(c.verdict);
    }
  }

  @Test
  void an_answer_given_within_the_check_is_the_verdict_at_once_without_a_resume() {
    ForwardAuthFilter f = filter(spec(UnaryOperator.identity()));
    service.answerNow = ForwardAuthAnswer.UNREACHABLE;
    Req r = new Req();
    assertThat(f.admit(r)).isEqualTo(503);
    service.answerNow = answer(200);
    assertThat(f.admit(r)).isEqualTo(AdmissionFilter.PROCEED);
    assertThat(r.resumed).isEmpty();
  }

  @Test
  void a_2xx_sets_the_answers_identity_headers_upstream_and_drops_the_clients_copies_of_the_rest() {
    ForwardAuthFilter f = filter(spec(UnaryOperator.identity()));
    Req r = new Req();
    r.headers.put("x-user", "forged");
    r.headers.put("x-groups", "admins");
    f.admit(r);
    service.answer(answer(200, "x-user", "alice", "location", "/ignored"));
    assertThat(r.upstream).containsExactly("x-user", "alice", "x-groups", null);
    assertThat(r.answer).as("nothing added to the proxied answer").isEmpty();
    assertThat(r.resumed).containsExactly(AdmissionFilter.PROCEED);
  }

  @Test
  void a_401_or_403_carries_the_services_challenge_and_location_and_sets_nothing_upstream() {
    ForwardAuthFilter f = filter(spec(UnaryOperator.identity()));
    for (int status : new int[] {401, 403}) {
      Req r = new Req();
      f.admit(r);
      service.answer(
          answer(
              status,
              "www-authenticate",
              "Bearer realm=\"x\"",
              "location",
              "https://login.example/",
              "x-user",
              "alice"));
      assertThat(r.resumed).containsExactly(status);
      assertThat(r.answer)
          .containsExactly(
              "www-authenticate", "Bearer realm=\"x\"", "location", "https://login.example/");
      assertThat(r.upstream).isEmpty();
    }
  }

  /** The Location a 401 gets for a request of {@code /cart/a%20b?x=1&y=/2~} on {@code signin}. */
  String signinFor(ForwardAuth.SigninRedirect redirect, String param, String signin) {
    ForwardAuthFilter f =
        filter(
            spec(
                m -> {
                  m.put("signin", signin);
                  m.put("signinRedirect", redirect);
                  m.put("signinRedirectParam", param);
                  return m;
                }));
    Req r = new Req();
    r.tls = true;
    r.host = "shop.example";
    r.path = "/cart/a%20b";
    r.query = "x=1&y=/2~";
    f.admit(r);
    service.answer(answer(401));
    assertThat(r.resumed).containsExactly(302);
    return r.location;
  }

  @Test
  void a_signin_is_completed_as_ingress_nginx_builds_it_from_auth_signin() {
    // auth-signin-redirect-param: the original URL goes in the parameter it names
    assertThat(
            signinFor(
                ForwardAuth.SigninRedirect.URL, "redirect_uri", "https://login.example/s?app=1"))
        .isEqualTo(
            "https://login.example/s?app=1&redirect_uri="
                + "https%3A%2F%2Fshop.example%2Fcart%2Fa%2520b%3Fx%3D1%26y%3D%2F2%7E");
    // rd=$escaped_request_uri: the path and query, every byte but the unreserved escaped
    assertThat(
            signinFor(
                ForwardAuth.SigninRedirect.ESCAPED_URI, "rd", "https://shop.example/oauth2/s?rd="))
        .isEqualTo("https://shop.example/oauth2/s?rd=%2Fcart%2Fa%2520b%3Fx%3D1%26y%3D%2F2~");
    // rd=$scheme://$host$escaped_request_uri: the translator wrote the scheme and host
    assertThat(
            signinFor(
                ForwardAuth.SigninRedirect.ESCAPED_URI,
                "rd",
                "https://shop.example/oauth2/s?rd=https://shop.example"))
        .isEqualTo(
            "https://shop.example/oauth2/s?rd=https://shop.example%2Fcart%2Fa%2520b%3Fx%3D1%26y%3D%2F2~");
    // rd=$request_uri: as the client sent it, as nginx writes it
    assertThat(signinFor(ForwardAuth.SigninRedirect.URI, "rd", "https://shop.example/s?rd="))
        .isEqualTo("https://shop.example/s?rd=/cart/a%20b?x=1&y=/2~");
    // a signin that already has its rd: as written
    assertThat(
            signinFor(
                ForwardAuth.SigninRedirect.NONE,
                "rd",
                "https://login.example/s?rd=https://x.example/"))
        .isEqualTo("https://login.example/s?rd=https://x.example/");
  }

  @Test
  void escaping_keeps_only_the_unreserved_characters() {
    assertThat(ForwardAuthFilter.escapeUri("/a-b_c.d~e f/é?q=1&r"))
        .isEqualTo("%2Fa-b_c.d~e%20f%2F%C3%A9%3Fq%3D1%26r");
  }

  @Test
  void a_401_with_a_signin_url_is_a_302_there_with_the_original_url_encoded_in_rd() {
    ForwardAuthFilter f = filter(spec(set("signin", "https://login.example/start?app=shop")));
    Req r = new Req();
    r.tls = true;
    r.host = "shop.example";
    r.authority = "Shop.Example:8443";
    r.path = "/cart/a b";
    r.query = "x=1&y=2";
    f.admit(r);
    service.answer(answer(401, "www-authenticate", "Basic"));
    assertThat(r.resumed).containsExactly(302);
    assertThat(r.location)
        .isEqualTo(
            "https://login.example/start?app=shop&rd="
                + "https%3A%2F%2Fshop.example%3A8443%2Fcart%2Fa+b%3Fx%3D1%26y%3D2");
    Req plain = new Req();
    filter(spec(set("signin", "http://login.example/"))).admit(plain);
    service.answer(answer(401));
    assertThat(plain.location).isEqualTo("http://login.example/?rd=http%3A%2F%2Fa.example%2F");
    Req forbidden = new Req();
    filter(spec(set("signin", "http://login.example/"))).admit(forbidden);
    service.answer(answer(403));
    assertThat(forbidden.resumed).as("a 403 is never redirected").containsExactly(403);
    assertThat(forbidden.location).isNull();
  }

  @Test
  void the_subrequest_carries_the_named_client_headers_and_gatehouses_own_never_the_clients() {
    ForwardAuthFilter f = filter(spec(UnaryOperator.identity()));
    Req r = new Req();
    r.authority = "a.example:8080";
    r.query = "q=1";
    r.path = "/p";
    r.method = "POST";
    r.headers.put("authorization", "Bearer t");
    r.headers.put("cookie", "a=1, b=2"); // two HTTP/2 crumbs as the exchange joins them
    r.headers.put("x-forwarded-for", "6.6.6.6");
    r.headers.put("x-original-url", "http://evil/");
    r.headers.put("x-other", "not asked for");
    f.admit(r);
    FakeForwardAuthService.Call c = service.calls.get(0);
    assertThat(c.method()).isEqualTo("GET");
    assertThat(c.timeoutMillis()).isEqualTo(1500);
    assertThat(c.target())
        .isEqualTo(
            new ForwardAuthTarget(false, "auth.example", 9000, "/check?x=1", "auth.example:9000"));
    assertThat(c.keep()).containsExactly("x-user", "x-groups", "www-authenticate", "location");
    assertThat(c.header("authorization")).isEqualTo("Bearer t");
    assertThat(c.header("cookie")).isEqualTo("a=1; b=2");
    assertThat(c.header("x-other")).isNull();
    assertThat(c.header("x-original-url")).isEqualTo("http://a.example:8080/p?q=1");
    assertThat(c.header("x-original-method")).isEqualTo("POST");
    assertThat(c.header("x-forwarded-for")).isEqualTo("192.0.2.7");
    assertThat(c.header("x-real-ip")).isEqualTo("192.0.2.7");
    assertThat(c.header("x-forwarded-proto")).isEqualTo("http");
    assertThat(c.header("x-forwarded-host")).isEqualTo("a.example:8080");
    assertThat(c.header("x-forwarded-uri")).isEqualTo("/p?q=1");
    assertThat(c.header("x-request-id")).isEqualTo("req-1");
    assertThat(c.count("x-forwarded-for")).isEqualTo(1);
    ForwardAuthFilter listing =
        filter(spec(set("requestHeaders", List.of("X-Forwarded-For", "X-Other", "x-other"))));
    listing.admit(r);
    FakeForwardAuthService.Call d = service.calls.get(1);
    assertThat(d.count("x-forwarded-for")).as("the client's copy is never sent").isEqualTo(1);
    assertThat(d.header("x-forwarded-for")).isEqualTo("192.0.2.7");
    assertThat(d.header("x-other")).isEqualTo("not asked for");
    assertThat(d.count("x-other")).isEqualTo(1);
    assertThat(d.header("authorization")).as("a list replaces the default").isNull();
  }

  @Test
  void answers_are_cached_by_route_and_key_headers_for_the_duration_2xx_401_and_403_only() {
    ForwardAuth cached =
        spec(
            m -> {
              m.put("cacheKey", List.of("Authorization"));
              m.put("cacheDuration", Duration.ofSeconds(10));
              return m;
            });
    ForwardAuthFilter f = filter(cached);
    Req alice = new Req();
    alice.headers.put("authorization", "Basic alice");
    f.admit(alice);
    service.answer(answer(200, "x-user", "alice"));
    Req again = new Req();
    again.headers.put("authorization", "Basic alice");
    again.headers.put("x-user", "forged");
    assertThat(f.admit(again)).as("a hit answers at once").isEqualTo(AdmissionFilter.PROCEED);
    assertThat(again.upstream).containsExactly("x-user", "alice", "x-groups", null);
    assertThat(service.calls).hasSize(1);
    assertThat(filter(cached).admit(again))
        .as("a recompiled route keeps its answers")
        .isEqualTo(AdmissionFilter.PROCEED);
    assertThat(service.calls).hasSize(1);

    Req bob = new Req();
    bob.headers.put("authorization", "Basic bob");
    assertThat(f.admit(bob)).isEqualTo(AdmissionFilter.SUSPEND);
    service.answer(answer(403));
    assertThat(f.admit(bob)).as("a 403 is cached").isEqualTo(403);
    Req none = new Req();
    assertThat(f.admit(none))
        .as("no header is a key of its own")
        .isEqualTo(AdmissionFilter.SUSPEND);
    service.answer(ForwardAuthAnswer.UNREACHABLE);
    assertThat(f.admit(none)).as("a failure is never cached").isEqualTo(AdmissionFilter.SUSPEND);
    service.answer(answer(500));
    assertThat(f.admit(none)).as("nor a 5xx").isEqualTo(AdmissionFilter.SUSPEND);
    int calls = service.calls.size();

    ForwardAuthFilter otherRoute =
        new ForwardAuthFilter(
            cached, RouteKey.of("acme", "rest", "other"), FakeForwardAuthService.services(service));
    assertThat(otherRoute.admit(again))
        .as("no answer crosses routes")
        .isEqualTo(AdmissionFilter.SUSPEND);
    ForwardAuthFilter otherPolicy =
        filter(
            spec(
                m -> {
                  m.put("cacheKey", List.of("authorization"));
                  m.put("cacheDuration", Duration.ofSeconds(10));
                  m.put("url", "http://auth2.example/");
                  return m;
                }));
    assertThat(otherPolicy.admit(again)).as("nor policies").isEqualTo(AdmissionFilter.SUSPEND);
    assertThat(service.calls).hasSize(calls + 2);

    service.nanos.addAndGet(Duration.ofSeconds(10).toNanos());
    assertThat(f.admit(again)).as("expired").isEqualTo(AdmissionFilter.SUSPEND);
  }

  @Test
  void without_a_cache_key_or_duration_every_request_asks_the_service() {
    for (ForwardAuth s :
        List.of(
            spec(set("cacheDuration", Duration.ofSeconds(10))),
            spec(set("cacheKey", List.of("authorization"))))) {
      ForwardAuthFilter f = filter(s);
      Req r = new Req();
      f.admit(r);
      service.answer(answer(200));
      assertThat(f.admit(r)).isEqualTo(AdmissionFilter.SUSPEND);
    }
    assertThat(service.cache.size()).isZero();
  }

  @Test
  void a_policy_gatehouse_cannot_honour_fails_the_compile_with_the_reason() {
    record Case(UnaryOperator<Map<String, Object>> edit, String message) {}
    List<Case> cases =
        List.of(
            new Case(set("url", "ftp://auth.example/"), "expected: an http or https URL"),
            new Case(set("url", "/relative"), "expected: an http or https URL"),
            new Case(set("url", "http://u:p@auth.example/"), "user information is not allowed"),
            new Case(set("url", "http://auth.example/#f"), "has a fragment"),
            new Case(set("url", "http://auth example/"), "is not a URL"),
            new Case(set("method", "CONNECT"), "forward auth method: \"CONNECT\""),
            new Case(set("method", "TRACE"), "forward auth method"),
            new Case(set("timeout", Duration.ZERO), "forward auth timeout"),
            new Case(set("cacheDuration", Duration.ofSeconds(-1)), "cacheDuration"),
            new Case(set("signin", "login"), "expected: an http or https URL"),
            new Case(
                set("requestHeaders", List.of("Connection")),
                "\"Connection\" is a hop-by-hop or framing header"),
            new Case(set("requestHeaders", List.of("host")), "hop-by-hop or framing"),
            new Case(set("responseHeaders", List.of("transfer-encoding")), "hop-by-hop or framing"),
            new Case(set("responseHeaders", List.of("content-length")), "hop-by-hop or framing"),
            new Case(set("responseHeaders", List.of("x user")), "expected: a header name"),
            new Case(set("cacheKey", List.of("")), "expected: a header name"));
    for (Case c : cases) {
      assertThatThrownBy(() -> filter(spec(c.edit)))
          .as(c.message)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(c.message);
    }
    assertThat(filter(spec(set("method", "post"))).admit(new Req()))
        .isEqualTo(AdmissionFilter.SUSPEND);
    assertThat(service.calls.get(0).method()).isEqualTo("POST");
  }

  @Test
  void the_target_keeps_the_urls_path_query_and_port() {
    assertThat(ForwardAuthTarget.parse("https://Auth.Example"))
        .isEqualTo(new ForwardAuthTarget(true, "auth.example", 443, "/", "auth.example"));
    assertThat(ForwardAuthTarget.parse("http://[::1]:8080/a%20b?c=d"))
        .isEqualTo(new ForwardAuthTarget(false, "::1", 8080, "/a%20b?c=d", "[::1]:8080"));
  }

  /** A request as the filter sees it, recording what the filter tells it. */
  static final class Req implements RequestContext {
    String host = "a.example";
    String authority;
    String path = "/";
    String query;
    String method = "GET";
    boolean tls;
    final Map<String, String> headers = new HashMap<>();
    final List<String> answer = new ArrayList<>();
    final List<String> upstream = new ArrayList<>();
    final List<Integer> resumed = new ArrayList<>();
    String location;

    @Override
    public String host() {
      return host;
    }

    @Override
    public String path() {
      return path;
    }

    @Override
    public String query() {
      return query;
    }

    @Override
    public String authority() {
      return authority;
    }

    @Override
    public String method() {
      return method;
    }

    @Override
    public String header(String lowerCaseName) {
      return headers.get(lowerCaseName);
    }

    @Override
    public long contentLength() {
      return -1;
    }

    @Override
    public boolean tls() {
      return tls;
    }

    @Override
    public boolean httpsListener() {
      return false;
    }

    @Override
    public String httpsPort() {
      return null;
    }

    @Override
    public String sniName() {
      return null;
    }

    @Override
    public SSLSession sslSession() {
      return null;
    }

    @Override
    public ConnectionMemo connectionMemo() {
      return null;
    }

    @Override
    public void location(String uri) {
      location = uri;
    }

    @Override
    public void upstreamTarget(String target) {}

    @Override
    public void upstreamHost(String host) {}

    @Override
    public void answerHeader(String lowerCaseName, String value) {
      answer.add(lowerCaseName);
      answer.add(value);
    }

    @Override
    public void clientCertificate(ClientCertificateCheck.Result verdict) {}

    @Override
    public void resume(int verdict) {
      resumed.add(verdict);
    }

    @Override
    public void upstreamHeader(String lowerCaseName, String value) {
      upstream.add(lowerCaseName);
      upstream.add(value);
    }

    @Override
    public void dropUpstreamHeader(String lowerCaseName) {
      upstream.add(lowerCaseName);
      upstream.add(null);
    }

    @Override
    public String clientAddress() {
      return "192.0.2.7";
    }

    @Override
    public String requestId() {
      return "req-1";
    }
  }
}
