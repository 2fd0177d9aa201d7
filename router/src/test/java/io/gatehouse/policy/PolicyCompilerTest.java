package io.gatehouse.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import io.gatehouse.model.policy.ForwardAuth;
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

  private static final io.gatehouse.model.policy.BasicAuth BASIC_AUTH =
      new io.gatehouse.model.policy.BasicAuth(
          "r",
          List.of(new io.gatehouse.model.policy.BasicAuth.User("alice", BasicAuthFilterTest.ALICE)),
          false);

  @Test
  void basic_auth_runs_after_the_user_redirects_and_is_refused_without_the_node_pool() {
    RequestRedirect redirect = RequestRedirect.of("https", null, null, null, 302);
    PolicyChain chain =
        PolicyCompiler.compile(
            route(new Limits(0), null).withPolicies(List.of(BASIC_AUTH, redirect)), null, SERVICES);
    assertThat(kinds(chain)).containsExactly(RequestRedirectFilter.class, BasicAuthFilter.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                PolicyCompiler.compile(
                    route(new Limits(0), null).withPolicies(List.of(BASIC_AUTH)), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("password-check pool");
  }

  /** The node's services as far as the access filters compiled here need them. */
  static final PolicyServices SERVICES =
      new PolicyServices() {
        private final FakeForwardAuthService forward = new FakeForwardAuthService();

        @Override
        public PasswordChecks passwordChecks() {
          return new BasicAuthFilterTest.FakeChecks();
        }

        private final RateLimits limits =
            io.gatehouse.access.RateLimitService.manual(
                new io.gatehouse.table.InMemoryLimitCounters(), System::nanoTime, 100);

        @Override
        public ForwardAuthService forwardAuth() {
          return forward;
        }

        @Override
        public RateLimits rateLimits() {
          return limits;
        }
      };

  /** A valid policy of {@code kind}, for the tests that go over every kind. */
  static PolicySpec sample(Class<?> kind) {
    if (kind == RequestHeaders.class) {
      return new RequestHeaders(Map.of("x-a", "1"), Map.of(), List.of());
    } else if (kind == ResponseHeaders.class) {
      return new ResponseHeaders(Map.of("x-a", "1"), Map.of(), List.of());
    } else if (kind == RequestRedirect.class) {
      return RequestRedirect.of("https", null, null, null, 302);
    } else if (kind == Cors.class) {
      return new Cors(List.of("*"), List.of(), List.of(), List.of(), List.of(), false, 5);
    } else if (kind == Compression.class) {
      return Compression.defaults();
    } else if (kind == SessionPersistence.class) {
      return SessionPersistence.cookie("s");
    } else if (kind == RequestMirror.class) {
      return RequestMirror.of(BackendSpec.http1(List.of(Endpoint.of("127.0.0.1", 9000))));
    } else if (kind == ErrorPages.class) {
      return ErrorPages.page(List.of(404), "x", null);
    } else if (kind == Retry.class) {
      return Retry.on(Set.of(Retry.Condition.GATEWAY_ERROR));
    } else if (kind == URLRewrite.class) {
      return URLRewrite.of("b.example", null);
    } else if (kind == io.gatehouse.model.policy.BasicAuth.class) {
      return BASIC_AUTH;
    } else if (kind == ForwardAuth.class) {
      return forwardAuth();
    } else if (kind == io.gatehouse.model.policy.JwtAuth.class) {
      return JwtFilterTest.inline(
          io.gatehouse.testing.TestJwts.jwks(io.gatehouse.testing.TestJwts.RSA), List.of("RS256"));
    } else if (kind == io.gatehouse.model.policy.IpAccess.class) {
      return new io.gatehouse.model.policy.IpAccess(List.of("10.0.0.0/8"), List.of());
    } else if (kind == io.gatehouse.model.policy.RateLimit.class) {
      return new io.gatehouse.model.policy.RateLimit(
          null,
          io.gatehouse.model.policy.LimitKey.CLIENT_ADDRESS,
          10,
          io.gatehouse.model.policy.RateLimit.SECOND,
          50,
          io.gatehouse.model.policy.RateLimit.Scope.LOCAL,
          List.of());
    } else if (kind == io.gatehouse.model.policy.ConnectionLimit.class) {
      return new io.gatehouse.model.policy.ConnectionLimit(
          io.gatehouse.model.policy.LimitKey.CLIENT_ADDRESS, 5, List.of());
    }
    throw new IllegalArgumentException("no sample of " + kind.getSimpleName());
  }

  private static ForwardAuth forwardAuth() {
    return new ForwardAuth(
        "http://auth.example/check",
        "GET",
        List.of(),
        List.of("x-user"),
        null,
        Duration.ofSeconds(1),
        List.of(),
        Duration.ZERO);
  }

  @Test
  void a_forward_auth_policy_without_the_node_client_fails_the_compile_never_serves_open() {
    RouteSpec spec = route(new Limits(0), null).withPolicies(List.of(forwardAuth()));
    assertThatThrownBy(() -> PolicyCompiler.compile(spec, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("forward auth needs the node's HTTP client");
    PolicyChain chain = PolicyCompiler.compile(spec, null, SERVICES);
    assertThat(chain.filters()).hasSize(1);
  }

  @Test
  void every_kind_of_policy_compiles() {
    for (Class<?> kind : PolicySpec.class.getPermittedSubclasses()) {
      PolicySpec p = sample(kind);
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
