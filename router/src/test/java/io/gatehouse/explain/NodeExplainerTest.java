package io.gatehouse.explain;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.admin.Explainer;
import io.gatehouse.admin.Explainer.Explanation;
import io.gatehouse.admin.Explainer.Question;
import io.gatehouse.certificate.CertificateIndex;
import io.gatehouse.certificate.DefaultCertificate;
import io.gatehouse.endpoint.EndpointIndex;
import io.gatehouse.endpoint.EndpointsKey;
import io.gatehouse.model.BackendRef;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.CanaryRule;
import io.gatehouse.model.CertificateKey;
import io.gatehouse.model.CertificateSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.Limits;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.PrivateKeyPem;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TenantId;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.model.policy.ErrorPages;
import io.gatehouse.model.policy.RequestMirror;
import io.gatehouse.model.policy.SessionPersistence;
import io.gatehouse.snapshot.RouteSnapshot;
import io.gatehouse.snapshot.SnapshotCompiler;
import io.gatehouse.table.TableView;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.TestPolicies;
import io.gatehouse.validate.CertificateValidator;
import io.gatehouse.validate.ValidCertificate;
import io.gatehouse.validate.Validated;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The node-side explainer over a compiled snapshot and a certificate index, without listeners. */
class NodeExplainerTest {
  static final TenantId ACME = TenantId.of("acme");
  static final TenantId BETA = TenantId.of("beta");

  static RouteSpec route(
      String tenant, String name, List<String> hosts, List<PathMatch> paths, String endpoint) {
    int c = endpoint.lastIndexOf(':');
    return NodeFixture.valid(
        RouteSpec.simple(
            RouteKey.of(tenant, "api", name),
            hosts,
            paths,
            BackendSpec.http1(
                List.of(
                    Endpoint.of(
                        endpoint.substring(0, c), Integer.parseInt(endpoint.substring(c + 1)))))));
  }

  static final RouteSpec WEB =
      route(
          "acme",
          "web",
          List.of("www.acme.example"),
          List.of(PathMatch.prefix("/")),
          "10.0.0.1:80");
  static final RouteSpec API =
      route(
          "acme",
          "api",
          List.of("www.acme.example"),
          List.of(PathMatch.prefix("/api")),
          "10.0.0.2:80");
  static final RouteSpec API_POST =
      NodeFixture.valid(
          new RouteSpec(
              RouteKey.of("acme", "api", "api-post"),
              List.of("www.acme.example"),
              List.of(PathMatch.prefix("/api")),
              Set.of("POST"),
              List.of(),
              List.of(),
              BackendSpec.http1(List.of(Endpoint.of("10.0.0.3", 80))),
              null,
              null,
              0));
  static final RouteSpec APPS =
      route(
          "acme",
          "apps",
          List.of("*.apps.acme.example"),
          List.of(PathMatch.exact("/")),
          "10.0.0.4:80");
  static final RouteSpec SECURE =
      route(
              "acme",
              "secure",
              List.of("secure.acme.example"),
              List.of(PathMatch.prefix("/")),
              "10.0.0.5:80")
          .withTls(TlsSpec.of(List.of(), "secure"));
  static final RouteSpec BETA_SHOP =
      route(
          "beta",
          "shop",
          List.of("shop.beta.example"),
          List.of(PathMatch.prefix("/")),
          "10.9.9.9:80");

  static final RouteSpec SPLIT =
      route(
              "acme",
              "split",
              List.of("split.acme.example"),
              List.of(PathMatch.prefix("/")),
              "10.0.0.6:80")
          .withBackends(
              List.of(
                  new RouteBackend(BackendSpec.http1(List.of(Endpoint.of("10.0.0.6", 80))), 90),
                  new RouteBackend(
                      BackendSpec.http1(List.of(Endpoint.of("10.0.0.7", 80)))
                          .withPolicy(TestPolicies.everyField()),
                      10)))
          .withLimits(new Limits(Limits.DEFAULT_MAX_REQUEST_BODY, 128 * 1024));
  static final RouteSpec DRAINED =
      route(
              "acme",
              "drained",
              List.of("drained.acme.example"),
              List.of(PathMatch.prefix("/")),
              "10.0.0.8:80")
          .withBackends(
              List.of(
                  new RouteBackend(BackendSpec.http1(List.of(Endpoint.of("10.0.0.8", 80))), 0),
                  new RouteBackend(BackendSpec.http1(List.of()), 5)));

  /** A Kubernetes route whose one backend its translator could not resolve: answered 500. */
  static final RouteSpec UNRESOLVED =
      NodeFixture.valid(
          RouteSpec.simple(
                  RouteKey.of("acme", "k8s", "unresolved"),
                  List.of("unresolved.acme.example"),
                  List.of(PathMatch.prefix("/")),
                  BackendSpec.http1(List.of(Endpoint.of("10.0.0.9", 80))))
              .withBackends(
                  List.of(
                      RouteBackend.of(
                          new BackendRef.Unresolved(500, "Service acme/missing not found")))));

  static final RouteSpec STICKY =
      route(
              "acme",
              "sticky",
              List.of("sticky.acme.example"),
              List.of(PathMatch.prefix("/")),
              "10.0.0.10:80")
          .withBackends(
              List.of(
                  new RouteBackend(BackendSpec.http1(List.of(Endpoint.of("10.0.0.10", 80))), 50),
                  new RouteBackend(
                      BackendSpec.http1(List.of(Endpoint.of("10.0.0.11", 80))),
                      50,
                      new CanaryRule("x-canary", null, null, "canary"))))
          .withPolicies(
              List.of(new SessionPersistence("gh", Duration.ofHours(2), null, true, "Lax")));

  /**
   * Two mirrors (a tenth with its own Host, and every request), a static page and an error backend.
   */
  static final RouteSpec SHADOWED =
      route(
              "acme",
              "shadowed",
              List.of("shadowed.acme.example"),
              List.of(PathMatch.prefix("/")),
              "10.0.0.20:80")
          .withPolicies(
              List.of(
                  new RequestMirror(
                      BackendSpec.http1(List.of(Endpoint.of("10.0.0.21", 80))),
                      10,
                      100,
                      "shadow.acme.example",
                      false,
                      4096,
                      5),
                  RequestMirror.of(BackendSpec.http1(List.of(Endpoint.of("10.0.0.22", 80)))),
                  ErrorPages.page(List.of(404, 410), "<h1>gone</h1>", null),
                  ErrorPages.backend(
                      List.of(502, 503),
                      BackendSpec.http1(List.of(Endpoint.of("10.0.0.23", 80))))));

  static final Map<RouteKey, Long> REVISIONS = new HashMap<>();

  /** The node's endpoint index, which the compiled routes' targets name slots of. */
  static final EndpointIndex ENDPOINTS = new EndpointIndex();

  static RouteSnapshot snapshot() {
    Map<RouteKey, RouteSpec> m = new HashMap<>();
    long rev = 1;
    for (RouteSpec r :
        List.of(
            WEB,
            API,
            API_POST,
            APPS,
            SECURE,
            BETA_SHOP,
            SPLIT,
            DRAINED,
            UNRESOLVED,
            STICKY,
            SHADOWED)) {
      m.put(r.key(), r);
      REVISIONS.put(r.key(), rev++);
    }
    return new SnapshotCompiler(ENDPOINTS).rebuild(new TableView(42, m));
  }

  static ValidCertificate certificate(String tenant, String name, String... dnsNames)
      throws Exception {
    KeyPair keys = DefaultCertificate.ecP256();
    Instant now = Instant.now();
    X509Certificate cert =
        DefaultCertificate.selfSigned(
            dnsNames[0],
            List.of(dnsNames),
            keys,
            now.minus(Duration.ofHours(1)),
            now.plus(Duration.ofDays(2)));
    Validated<ValidCertificate> v =
        CertificateValidator.validate(
            new CertificateSpec(
                CertificateKey.of(tenant, name),
                pem("CERTIFICATE", cert.getEncoded()),
                new PrivateKeyPem(pem("PRIVATE KEY", keys.getPrivate().getEncoded()))),
            Clock.systemUTC());
    assertThat(v.isValid()).as(String.valueOf(v.violations())).isTrue();
    return v.value();
  }

  static String pem(String label, byte[] der) {
    return "-----BEGIN "
        + label
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END "
        + label
        + "-----\n";
  }

  static Explainer explainer(boolean https) throws Exception {
    RouteSnapshot s = snapshot();
    CertificateIndex index = null;
    if (https) {
      var def = DefaultCertificate.generate(Clock.systemUTC());
      index =
          CertificateIndex.of(def)
              .next(
                  def,
                  List.of(
                      certificate("acme", "secure", "secure.acme.example"),
                      certificate("beta", "shop", "shop.beta.example")));
    }
    CertificateIndex i = index;
    return new NodeExplainer(
        () -> s, ENDPOINTS, () -> i, () -> 8443, spec -> REVISIONS.get(spec.key()), "");
  }

  static Explanation ask(Explainer e, String method, String url, TenantId viewer) {
    return (Explanation) e.explain(new Question(method, url, Map.of(), null), viewer);
  }

  @Test
  void exact_host_and_prefix() throws Exception {
    Explanation e =
        ask(explainer(false), "GET", "http://WWW.acme.example:8080/api/orders?x=1", null);
    assertThat(e.generation()).isEqualTo(42);
    assertThat(e.outcome()).isEqualTo("proxy");
    assertThat(e.route()).isEqualTo(new Explainer.RouteRef("acme", "api", "api", 2));
    assertThat(e.reason().hostLevel()).isEqualTo("exact");
    assertThat(e.reason().host()).isEqualTo("www.acme.example");
    assertThat(e.reason().pathType()).isEqualTo("Prefix");
    assertThat(e.reason().pathValue()).isEqualTo("/api");
    // The POST-only route at the same prefix is tried first (more conditions) and yields.
    assertThat(e.reason().passedOver())
        .containsExactly(
            new Explainer.PassedOver(
                "acme/api/api-post", "Prefix", "/api", "method GET not in [POST]"));
    assertThat(e.backend().endpoints()).containsExactly(new Explainer.Endpoint("10.0.0.2:80", 1));
    // The set the data plane reads: the route's own key in the node's index, and its revision.
    assertThat(e.backend().endpointsKey()).isEqualTo("inline:acme/api/api#0");
    assertThat(e.backend().endpointsRevision())
        .isEqualTo(ENDPOINTS.get(new EndpointsKey.Inline(API.key(), 0)).revision())
        .isPositive();
    assertThat(e.redirect().redirected()).isFalse();
    assertThat(e.tls()).isNull();
    assertThat(e.fallback()).isNull();

    Explanation post = ask(explainer(false), "POST", "http://www.acme.example/api", null);
    assertThat(post.route().name()).isEqualTo("api-post");
    assertThat(post.reason().conditions()).containsExactly("method in [POST]");
  }

  @Test
  void a_split_shows_every_backend_with_its_weight() throws Exception {
    Explanation e = ask(explainer(false), "GET", "http://split.acme.example/", null);
    assertThat(e.outcome()).isEqualTo("proxy");
    assertThat(e.backends()).extracting(Explainer.Backend::weight).containsExactly(90, 10);
    assertThat(e.backends())
        .extracting(Explainer.Backend::endpointsKey)
        .containsExactly("inline:acme/api/split#0", "inline:acme/api/split#1");
    assertThat(e.backends().get(1).endpoints())
        .containsExactly(new Explainer.Endpoint("10.0.0.7:80", 1));
    assertThat(e.backend()).isEqualTo(e.backends().get(0));
    // the route's own response head limit; a route without one shows 0 (the node's)
    assertThat(e.maxResponseHeaderBytes()).isEqualTo(128 * 1024);
    assertThat(
            ask(explainer(false), "GET", "http://www.acme.example/api", null)
                .maxResponseHeaderBytes())
        .isZero();
  }

  @Test
  void a_backend_shows_its_policy_in_short_and_the_default_none() throws Exception {
    Explanation e = ask(explainer(false), "GET", "http://split.acme.example/", null);
    assertThat(e.backends().get(0).policy()).isNull();
    assertThat(e.backends().get(1).policy())
        .isEqualTo(
            new Explainer.Policy(
                "Maglev", "header x-user", "sticky", "http /healthz?full=1", true));
  }

  @Test
  void a_split_shows_its_canary_rule_sticky_setting_and_the_choice_for_the_request() {
    RouteSnapshot s = snapshot();
    Explainer e =
        new NodeExplainer(
            () -> s, ENDPOINTS, () -> null, () -> 8443, spec -> REVISIONS.get(spec.key()), "");
    String pinsFirst = "gh=" + s.route(STICKY.key()).split().sticky().value(0);
    Explainer.Sticky setting = new Explainer.Sticky("gh", "PT2H", "/", true, "Lax");
    record Case(String name, Map<String, String> headers, String decision, int backend) {}
    List<Case> cases =
        List.of(
            new Case("no header or cookie: the weights", Map.of(), "weights", -1),
            new Case("canary header always", Map.of("x-canary", "always"), "canary", 1),
            new Case(
                "canary header never, whatever the sticky cookie",
                Map.of("x-canary", "never", "cookie", "canary=always; " + pinsFirst),
                "notCanary",
                -1),
            new Case(
                "another header value leaves it to the canary cookie",
                Map.of("x-canary", "maybe", "cookie", "canary=always"),
                "canary",
                1),
            new Case(
                "the sticky cookie pins its backend", Map.of("cookie", pinsFirst), "sticky", 0),
            new Case(
                "a forged sticky cookie: the weights",
                Map.of("cookie", "gh=AAAAAAAAAAAAAAAAAAAAAA"),
                "weights",
                -1));
    for (Case c : cases) {
      Explanation x =
          (Explanation)
              e.explain(
                  new Question("GET", "http://sticky.acme.example/", c.headers(), null), null);
      assertThat(x.split().decision()).as(c.name()).isEqualTo(c.decision());
      assertThat(x.split().backend()).as(c.name()).isEqualTo(c.backend());
      assertThat(x.split().sticky()).as(c.name()).isEqualTo(setting);
    }
    Explanation x = ask(e, "GET", "http://sticky.acme.example/", null);
    assertThat(x.backends())
        .extracting(Explainer.Backend::canary)
        .containsExactly(null, new Explainer.Canary("x-canary", null, null, "canary"));
    assertThat(ask(e, "GET", "http://www.acme.example/", null).split())
        .as("a route that does not split")
        .isNull();
    assertThat(ask(e, "GET", "http://split.acme.example/", null).split().sticky())
        .as("a split without a sticky setting")
        .isNull();
  }

  @Test
  void mirrors_and_error_pages_show_where_they_send_and_for_which_codes() throws Exception {
    Explanation e = ask(explainer(false), "GET", "http://shadowed.acme.example/x", null);
    assertThat(e.outcome()).isEqualTo("proxy");
    assertThat(e.mirrors()).hasSize(2);
    Explainer.MirrorTarget tenth = e.mirrors().get(0);
    assertThat(tenth.percent()).isEqualTo(10.0);
    assertThat(List.of(tenth.numerator(), tenth.denominator())).containsExactly(10, 100);
    assertThat(tenth.hostname()).isEqualTo("shadow.acme.example");
    assertThat(tenth.requestBody()).isFalse();
    assertThat(tenth.maxBodyBytes()).isEqualTo(4096);
    assertThat(tenth.maxInFlight()).isEqualTo(5);
    assertThat(tenth.backend().endpoints())
        .containsExactly(new Explainer.Endpoint("10.0.0.21:80", 1));
    Explainer.MirrorTarget every = e.mirrors().get(1);
    assertThat(every.percent()).isEqualTo(100.0);
    assertThat(every.hostname()).isNull();
    assertThat(every.requestBody()).isTrue();
    assertThat(every.backend().endpoints())
        .containsExactly(new Explainer.Endpoint("10.0.0.22:80", 1));
    assertThat(List.of(tenth.backend().endpointsKey(), every.backend().endpointsKey()))
        .as("the mirrors' own sets of the endpoint index, beside the route's backend")
        .containsExactly("inline:acme/api/shadowed#65536", "inline:acme/api/shadowed#65537")
        .doesNotContain(e.backend().endpointsKey());
    assertThat(e.errorPages()).hasSize(2);
    Explainer.ErrorPagesTarget page = e.errorPages().get(0);
    assertThat(page.codes()).containsExactly(404, 410);
    assertThat(page.contentType()).isEqualTo(ErrorPages.DEFAULT_CONTENT_TYPE);
    assertThat(page.backend()).isNull();
    Explainer.ErrorPagesTarget fetched = e.errorPages().get(1);
    assertThat(fetched.codes()).containsExactly(502, 503);
    assertThat(fetched.contentType()).isNull();
    assertThat(fetched.backend().endpoints())
        .containsExactly(new Explainer.Endpoint("10.0.0.23:80", 1));
    assertThat(fetched.backend().endpointsKey()).isEqualTo("inline:acme/api/shadowed#131072");
    Explanation plain = ask(explainer(false), "GET", "http://www.acme.example/", null);
    assertThat(plain.mirrors()).as("a route without mirrors").isEmpty();
    assertThat(plain.errorPages()).as("a route without error pages").isEmpty();
  }

  @Test
  void a_split_whose_weighted_backends_have_no_endpoints_is_unavailable() throws Exception {
    // The endpoints sit on the backend at weight 0; the one with a weight has none: 503.
    Explanation e = ask(explainer(false), "GET", "http://drained.acme.example/", null);
    assertThat(e.outcome()).isEqualTo("unavailable");
    assertThat(e.backends()).extracting(Explainer.Backend::weight).containsExactly(0, 5);
  }

  @Test
  void a_route_whose_backends_could_not_be_resolved_answers_its_fixed_status() throws Exception {
    Explanation e = ask(explainer(false), "GET", "http://unresolved.acme.example/", null);
    assertThat(e.outcome()).isEqualTo("fixedStatus");
    assertThat(e.route().source()).isEqualTo("k8s");
  }

  @Test
  void wildcard_host() throws Exception {
    Explanation e = ask(explainer(false), "GET", "http://x.apps.acme.example/", ACME);
    assertThat(e.route().name()).isEqualTo("apps");
    assertThat(e.reason().hostLevel()).isEqualTo("wildcard");
    assertThat(e.reason().host()).isEqualTo("*.apps.acme.example");
    assertThat(e.reason().pathType()).isEqualTo("Exact");
    assertThat(e.reason().pathValue()).isEqualTo("/");

    // One label only, and the chosen level does not fall through when its paths miss.
    Explanation deeper = ask(explainer(false), "GET", "http://x.apps.acme.example/other", null);
    assertThat(deeper.matched()).isFalse();
    assertThat(deeper.reason().hostLevel()).isEqualTo("wildcard");
    assertThat(deeper.reason().detail()).contains("no fall-through");
  }

  @Test
  void no_match_goes_to_the_default_backend() throws Exception {
    Explanation e = ask(explainer(false), "GET", "http://nobody.example/", null);
    assertThat(e.matched()).isFalse();
    assertThat(e.outcome()).isEqualTo("defaultBackend");
    assertThat(e.reason().hostLevel()).isEqualTo("none");
    assertThat(e.backend()).isNull();
    assertThat(e.fallback().status()).isEqualTo(404);

    RouteSnapshot s = snapshot();
    Explanation withUpstream =
        (Explanation)
            new NodeExplainer(
                    () -> s, ENDPOINTS, () -> null, () -> -1, spec -> 1L, "127.0.0.1:9000")
                .explain(new Question("GET", "http://nobody.example/", Map.of(), null), null);
    assertThat(withUpstream.fallback().upstream()).isEqualTo("127.0.0.1:9000");
  }

  @Test
  void https_with_certificate() throws Exception {
    Explainer ex = explainer(true);
    Explanation e = ask(ex, "GET", "https://secure.acme.example/login", ACME);
    assertThat(e.outcome()).isEqualTo("proxy");
    assertThat(e.tls().listener()).isTrue();
    assertThat(e.tls().sni()).isEqualTo("secure.acme.example");
    assertThat(e.tls().certificate().name()).isEqualTo("acme/secure");
    assertThat(e.tls().certificate().sans()).containsExactly("secure.acme.example");
    assertThat(e.tls().certificate().notAfter()).isAfter(Instant.now());
    assertThat(e.tls().misdirected()).isFalse();

    // Plain HTTP on a route with tls: the 308 to the HTTPS listener's port.
    Explanation plain = ask(ex, "GET", "http://secure.acme.example/login?next=%2F", ACME);
    assertThat(plain.outcome()).isEqualTo("redirect");
    assertThat(plain.redirect().status()).isEqualTo(308);
    assertThat(plain.redirect().location())
        .isEqualTo("https://secure.acme.example:8443/login?next=%2F");

    // No certificate covers the name: the default; a coalesced connection for another host: 421.
    assertThat(ask(ex, "GET", "https://www.acme.example/", null).tls().certificate().isDefault())
        .isTrue();
    Explanation coalesced =
        (Explanation)
            ex.explain(
                new Question("GET", "https://www.acme.example/", Map.of(), "secure.acme.example"),
                null);
    assertThat(coalesced.outcome()).isEqualTo("misdirected");
    assertThat(coalesced.tls().misdirected()).isTrue();
  }

  @Test
  void tenant_cannot_see_another_tenants_route() throws Exception {
    Explainer ex = explainer(true);
    Explanation admin = ask(ex, "GET", "https://shop.beta.example/", null);
    assertThat(admin.route().name()).isEqualTo("shop");
    Explanation owner = ask(ex, "GET", "https://shop.beta.example/", BETA);
    assertThat(owner.route().name()).isEqualTo("shop");
    assertThat(owner.tls().certificate().name()).isEqualTo("beta/shop");

    Explanation other = ask(ex, "GET", "https://shop.beta.example/", ACME);
    assertThat(other.matched()).isFalse();
    assertThat(other.outcome()).isEqualTo("defaultBackend");
    assertThat(other.backend()).isNull();
    assertThat(other.reason().hostLevel()).isEqualTo("none");
    assertThat(other.tls().certificate().withheld()).isTrue();
    assertThat(other.tls().certificate().name()).isNull();
    // Only the host the caller itself asked about may appear.
    assertThat(other.toString().replace("shop.beta.example", ""))
        .doesNotContain("shop", "10.9.9.9", "beta");
  }

  @Test
  void a_url_the_router_would_refuse_is_invalid() throws Exception {
    Explainer ex = explainer(false);
    assertThat(ex.explain(new Question("GET", "http://a b/", Map.of(), null), null))
        .isInstanceOf(Explainer.Invalid.class);
    assertThat(ex.explain(new Question("GET", "http://a.example/%zz", Map.of(), null), null))
        .isInstanceOf(Explainer.Invalid.class);
    assertThat(ex.explain(new Question("GET", "http://u@a.example/", Map.of(), null), null))
        .isInstanceOf(Explainer.Invalid.class);
  }
}
