package io.gatehouse.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.ClientAuth;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.Hsts;
import io.gatehouse.model.HttpsRedirect;
import io.gatehouse.model.Limits;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.model.policy.Compression;
import io.gatehouse.model.policy.Cors;
import io.gatehouse.model.policy.ErrorPages;
import io.gatehouse.model.policy.PathModifier;
import io.gatehouse.model.policy.PolicySpec;
import io.gatehouse.model.policy.RequestHeaders;
import io.gatehouse.model.policy.RequestMirror;
import io.gatehouse.model.policy.RequestRedirect;
import io.gatehouse.model.policy.ResponseHeaders;
import io.gatehouse.model.policy.Retry;
import io.gatehouse.model.policy.SessionPersistence;
import io.gatehouse.model.policy.URLRewrite;
import io.gatehouse.testing.TestPki;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PolicyCompilerTest {
  private static final TestPki CA = TestPki.ca("compiler CA");

  static RouteSpec route(Limits limits, TlsSpec tls) {
    return new RouteSpec(
        RouteKey.of("t1", "api", "r"),
        List.of("a.example"),
        List.of(PathMatch.prefix("/")),
        Set.of(),
        List.of(),
        List.of(),
        BackendSpec.http1(List.of(Endpoint.of("127.0.0.1", 8080))),
        null,
        limits,
        0,
        tls);
  }

  private static List<Class<?>> kinds(PolicyChain c) {
    return c.filters().stream().<Class<?>>map(Object::getClass).toList();
  }

  @Test
  void a_route_without_tls_and_without_a_body_limit_shares_none() {
    assertThat(PolicyCompiler.compile(route(new Limits(0), null), null)).isSameAs(PolicyChain.NONE);
    TlsSpec quiet = new TlsSpec(List.of(), "www", HttpsRedirect.OFF, Hsts.OFF);
    assertThat(PolicyCompiler.compile(route(new Limits(0), quiet), null))
        .as("TLS without redirect, HSTS or client certificates asks nothing per request")
        .isSameAs(PolicyChain.NONE);
  }

  @Test
  void routes_with_only_the_default_body_limit_share_the_default_backends_chain() {
    PolicyChain c = PolicyCompiler.compile(route(null, null), null);
    assertThat(c).isSameAs(PolicyCompiler.defaultBackend());
    assertThat(kinds(c)).containsExactly(BodyLimitFilter.class);
    assertThat(((BodyLimitFilter) c.filters().get(0)).maxBytes())
        .isEqualTo(Limits.DEFAULT_MAX_REQUEST_BODY);
  }

  @Test
  void another_limit_gets_its_own_chain() {
    PolicyChain c = PolicyCompiler.compile(route(new Limits(16), null), null);
    assertThat(c).isNotSameAs(PolicyCompiler.defaultBackend());
    assertThat(((BodyLimitFilter) c.filters().get(0)).maxBytes()).isEqualTo(16);
  }

  @Test
  void the_internal_filters_run_in_a_fixed_order() {
    TlsSpec tls =
        new TlsSpec(
            List.of(),
            "www",
            HttpsRedirect.DEFAULT,
            Hsts.of(Duration.ofDays(1), false, false),
            ClientAuth.required(CA.caPem()));
    ClientCertificateCheck check = ClientCertificateCheck.of(tls.clientAuth()).value();
    PolicyChain c = PolicyCompiler.compile(route(null, tls), check);
    assertThat(kinds(c))
        .containsExactly(
            HttpsRedirectFilter.class,
            ClientCertificateFilter.class,
            BodyLimitFilter.class,
            HstsFilter.class);
    assertThat(c.editsResponses()).isTrue();
    assertThat(c.editsUpstreamRequests()).isFalse();
    assertThat(c)
        .hasToString(
            "PolicyChain[HttpsRedirectFilter, ClientCertificateFilter, BodyLimitFilter, HstsFilter]");
  }

  @Test
  void hsts_alone_is_a_response_filter() {
    TlsSpec tls =
        new TlsSpec(List.of(), "www", HttpsRedirect.OFF, Hsts.of(Duration.ofDays(1), false, false));
    PolicyChain c = PolicyCompiler.compile(route(new Limits(0), tls), null);
    assertThat(kinds(c)).containsExactly(HstsFilter.class);
    FakeRequest r = FakeRequest.tls("a.example");
    assertThat(c.admit(r)).isEqualTo(AdmissionFilter.PROCEED);
  }

  @Test
  void user_policies_follow_the_internal_filters_in_list_order_each_in_its_stage() {
    TlsSpec tls =
        new TlsSpec(
            List.of("a.example"),
            "www",
            HttpsRedirect.OFF,
            Hsts.of(Duration.ofDays(365), false, false),
            ClientAuth.NONE);
    RequestHeaders first = new RequestHeaders(Map.of("x-a", "1"), Map.of(), List.of());
    ResponseHeaders second = new ResponseHeaders(Map.of(), Map.of(), List.of("server"));
    RequestHeaders third = new RequestHeaders(Map.of(), Map.of("x-a", "2"), List.of());
    PolicyChain chain =
        PolicyCompiler.compile(route(null, tls).withPolicies(List.of(first, second, third)), null);
    assertThat(kinds(chain))
        .containsExactly(
            BodyLimitFilter.class,
            RequestHeadersFilter.class,
            RequestHeadersFilter.class,
            HstsFilter.class,
            ResponseHeadersFilter.class);
    FakeRequest r = new FakeRequest();
    chain.onUpstreamRequest(r, r);
    assertThat(r.editValue).as("the later policy runs last").isEqualTo("2");
  }

  private static final Set<Class<?>> ACCESS_KINDS =
      Set.of(
          io.gatehouse.model.policy.IpAccess.class,
          io.gatehouse.model.policy.BasicAuth.class,
          io.gatehouse.model.policy.JwtAuth.class,
          io.gatehouse.model.policy.ForwardAuth.class);

  /** A node's services for the kinds that keep state (rate and connection limits). */
  private static final PolicyServices SERVICES =
      new PolicyServices() {
        private final RateLimits limits =
            io.gatehouse.access.RateLimitService.manual(
                new io.gatehouse.table.InMemoryLimitCounters(), System::nanoTime, 100);

        @Override
        public RateLimits rateLimits() {
          return limits;
        }
      };

  @Test
  void every_kind_of_policy_compiles() {
    for (Class<?> kind : PolicySpec.class.getPermittedSubclasses()) {
      if (ACCESS_KINDS.contains(kind)) {
        continue; // issue #15: their filters land with the access-control branches
      }
      PolicySpec p =
          kind == RequestHeaders.class
              ? new RequestHeaders(Map.of("x-a", "1"), Map.of(), List.of())
              : kind == ResponseHeaders.class
                  ? new ResponseHeaders(Map.of("x-a", "1"), Map.of(), List.of())
                  : kind == RequestRedirect.class
                      ? RequestRedirect.of("https", null, null, null, 302)
                      : kind == Cors.class
                          ? new Cors(
                              List.of("*"), List.of(), List.of(), List.of(), List.of(), false, 5)
                          : kind == Compression.class
                              ? Compression.defaults()
                              : kind == SessionPersistence.class
                                  ? SessionPersistence.cookie("s")
                                  : kind == RequestMirror.class
                                      ? RequestMirror.of(
                                          BackendSpec.http1(
                                              List.of(Endpoint.of("127.0.0.1", 9000))))
                                      : kind == ErrorPages.class
                                          ? ErrorPages.page(List.of(404), "x", null)
                                          : kind == Retry.class
                                              ? Retry.on(Set.of(Retry.Condition.GATEWAY_ERROR))
                                              : kind == io.gatehouse.model.policy.RateLimit.class
                                                  ? new io.gatehouse.model.policy.RateLimit(
                                                      null,
                                                      io.gatehouse.model.policy.LimitKey
                                                          .CLIENT_ADDRESS,
                                                      10,
                                                      io.gatehouse.model.policy.RateLimit.SECOND,
                                                      50,
                                                      io.gatehouse.model.policy.RateLimit.Scope
                                                          .LOCAL,
                                                      List.of())
                                                  : kind
                                                          == io.gatehouse.model.policy
                                                              .ConnectionLimit.class
                                                      ? new io.gatehouse.model.policy
                                                          .ConnectionLimit(
                                                          io.gatehouse.model.policy.LimitKey
                                                              .CLIENT_ADDRESS,
                                                          5,
                                                          List.of())
                                                      : URLRewrite.of("b.example", null);
      assertThat(p).isInstanceOf(kind);
      PolicyChain chain =
          PolicyCompiler.compile(
              route(new Limits(0), null).withPolicies(List.of(p)), null, SERVICES);
      assertThat(chain).isNotSameAs(PolicyChain.NONE);
      // CORS is one filter in three stages (preflight at admission, the actual response, and
      // Gatehouse's own answers). Error pages are no filter: a table the proxy looks its answers'
      // statuses up in.
      assertThat(chain.filters())
          .hasSize(
              kind == Cors.class ? 3 : kind == ErrorPages.class || kind == Retry.class ? 0 : 1);
      assertThat(chain.retry() != null).as("retry rule of %s", kind).isEqualTo(kind == Retry.class);
    }
  }

  @Test
  void a_retry_policy_is_compiled_into_the_chain_and_a_route_without_one_pays_nothing() {
    Retry retry = Retry.on(Set.of(Retry.Condition.GATEWAY_ERROR)).withAttempts(3);
    PolicyChain chain =
        PolicyCompiler.compile(route(new Limits(0), null).withPolicies(List.of(retry)), null);
    assertThat(chain.retry()).isNotNull();
    assertThat(chain.retry().spec()).isEqualTo(retry);
    assertThat(PolicyCompiler.compile(route(new Limits(0), null), null)).isSameAs(PolicyChain.NONE);
    assertThat(PolicyChain.NONE.retry()).isNull();
  }

  @Test
  void
      a_redirect_is_admission_and_a_rewrite_is_admission_plus_upstream_only_when_it_sends_a_prefix() {
    RouteSpec base = route(new Limits(0), null);
    assertThat(
            PolicyCompiler.compile(
                    base.withPolicies(List.of(RequestRedirect.of("https", null, null, null, 301))),
                    null)
                .filters())
        .extracting(Object::getClass)
        .containsExactly(RequestRedirectFilter.class);
    PolicyChain hostOnly =
        PolicyCompiler.compile(base.withPolicies(List.of(URLRewrite.of("b.example", null))), null);
    assertThat(hostOnly.filters())
        .extracting(Object::getClass)
        .containsExactly(URLRewriteFilter.class);
    assertThat(hostOnly.editsUpstreamRequests()).isFalse();
    PolicyChain strip =
        PolicyCompiler.compile(
            base.withPolicies(List.of(URLRewrite.of(null, PathModifier.prefixMatch("")))), null);
    assertThat(strip.filters())
        .extracting(Object::getClass)
        .containsExactly(URLRewriteFilter.class, URLRewriteFilter.class);
    assertThat(strip.editsUpstreamRequests()).isTrue();
  }

  @Test
  void cors_answers_the_preflight_at_admission_and_edits_the_response() {
    Cors cors =
        new Cors(
            List.of("https://a.example"), List.of(), List.of(), List.of(), List.of(), false, 5);
    PolicyChain chain = PolicyCompiler.compile(route(null, null).withPolicies(List.of(cors)), null);
    assertThat(kinds(chain))
        .containsExactly(
            BodyLimitFilter.class, CorsFilter.class, CorsFilter.class, CorsFilter.class);
    assertThat(chain.editsResponses()).isTrue();
    assertThat(chain.editsLocalAnswers()).isTrue();
    FakeRequest r = new FakeRequest();
    r.method = "OPTIONS";
    r.headers = Map.of("origin", "https://a.example", "access-control-request-method", "GET");
    assertThat(chain.admit(r)).isEqualTo(204);
  }

  @Test
  void a_route_with_only_the_default_limit_and_a_policy_does_not_share_the_default_chain() {
    PolicyChain chain =
        PolicyCompiler.compile(
            route(null, null)
                .withPolicies(List.of(new RequestHeaders(Map.of("x-a", "1"), Map.of(), List.of()))),
            null);
    assertThat(chain).isNotSameAs(PolicyCompiler.defaultBackend());
    assertThat(chain.editsUpstreamRequests()).isTrue();
  }

  @Test
  void compression_is_a_response_filter_in_list_order() {
    ResponseHeaders headers = new ResponseHeaders(Map.of(), Map.of(), List.of("server"));
    PolicyChain chain =
        PolicyCompiler.compile(
            route(new Limits(0), null).withPolicies(List.of(Compression.defaults(), headers)),
            null);
    assertThat(kinds(chain)).containsExactly(CompressionFilter.class, ResponseHeadersFilter.class);
    assertThat(chain.editsResponses()).isTrue();
    assertThat(chain.editsUpstreamRequests()).isFalse();
  }
}
