package io.gatehouse.validate;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.ClientAuth;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.HeaderMatch;
import io.gatehouse.model.Hsts;
import io.gatehouse.model.HttpsRedirect;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.model.ValueMatchType;
import io.gatehouse.model.policy.Compression;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A passthrough route routes by SNI name alone: named hosts, nothing that reads the request. */
@Timeout(10)
class PassthroughValidatorTest {
  private static final RouteSpec ROUTE =
      RouteSpec.simple(
              RouteKey.of("default", "file", "pt"),
              List.of("PT.Example.com", "*.pt.example.com"),
              List.of(PathMatch.prefix("/")),
              BackendSpec.http1(List.of(Endpoint.of("10.0.0.1", 8443))))
          .withTls(TlsSpec.passthrough(List.of()));

  private static TlsSpec tls(String certificate, Hsts hsts, ClientAuth clientAuth) {
    return new TlsSpec(List.of(), certificate, HttpsRedirect.DEFAULT, hsts, clientAuth, true);
  }

  /** Case name → change to {@link #ROUTE} → the violated field, or null for valid. */
  private static final Map<String, Case> CASES = new LinkedHashMap<>();

  record Case(UnaryOperator<RouteSpec> change, String field) {}

  private static void add(String name, UnaryOperator<RouteSpec> change, String field) {
    CASES.put(name, new Case(change, field));
  }

  static {
    add("valid-with-exact-and-wildcard-hosts", r -> r, null);
    add("valid-without-paths", r -> r.withPaths(List.of()), null);
    add(
        "valid-with-its-own-hosts-listed",
        r -> r.withTls(TlsSpec.passthrough(List.of("pt.example.com", "*.PT.example.com"))),
        null);
    add(
        "tls-hosts-other-than-the-routes",
        r -> r.withTls(TlsSpec.passthrough(List.of("pt.example.com"))),
        "tls.hosts");
    add(
        "a-tls-host-listed-twice",
        r ->
            r.withTls(
                TlsSpec.passthrough(
                    List.of("pt.example.com", "*.pt.example.com", "PT.example.com"))),
        "tls.hosts[2]");
    add(
        "an-invalid-tls-host-named-once",
        r -> r.withTls(TlsSpec.passthrough(List.of("pt.example.com", "bad..name"))),
        "tls.hosts[1]");
    add(
        "more-tls-hosts-than-allowed",
        r -> r.withTls(TlsSpec.passthrough(Collections.nCopies(101, "pt.example.com"))),
        "tls.hosts");
    add("no-hosts", r -> r.withHosts(List.of()), "hosts");
    add("a-path-other-than-root", r -> r.withPaths(List.of(PathMatch.prefix("/api"))), "paths");
    add(
        "two-paths",
        r -> r.withPaths(List.of(PathMatch.prefix("/"), PathMatch.exact("/x"))),
        "paths");
    add(
        "a-method",
        r ->
            new RouteSpec(
                r.key(),
                r.hosts(),
                r.paths(),
                Set.of("GET"),
                r.headers(),
                r.queries(),
                r.backends(),
                r.timeouts(),
                r.limits(),
                r.priority(),
                r.tls(),
                r.policies()),
        "methods");
    add(
        "a-header-match",
        r ->
            new RouteSpec(
                r.key(),
                r.hosts(),
                r.paths(),
                r.methods(),
                List.of(new HeaderMatch("x-a", ValueMatchType.EXACT, "1")),
                r.queries(),
                r.backends(),
                r.timeouts(),
                r.limits(),
                r.priority(),
                r.tls(),
                r.policies()),
        "headers");
    add("a-policy", r -> r.withPolicies(List.of(Compression.defaults())), "policies");
    add(
        "a-certificate",
        r -> r.withTls(tls("www", Hsts.OFF, ClientAuth.NONE)),
        "tls.certificateName");
    add(
        "hsts",
        r -> r.withTls(tls("", Hsts.of(Duration.ofDays(365), false, false), ClientAuth.NONE)),
        "tls.hsts");
    add(
        "client-certificates",
        r -> r.withTls(tls("", Hsts.OFF, ClientAuth.required("pem"))),
        "tls.clientAuth.mode");
  }

  @Test
  void each_case_is_valid_or_names_its_field() {
    CASES.forEach(
        (name, c) -> {
          Validated<RouteSpec> v = RouteValidator.validate(c.change().apply(ROUTE));
          if (c.field() == null) {
            assertThat(v.violations()).as(name).isEmpty();
          } else {
            assertThat(v.violations()).as(name).extracting(Violation::field).contains(c.field());
          }
        });
  }

  @Test
  void an_invalid_or_repeated_tls_host_is_named_alone_not_also_as_a_host_set_mismatch() {
    for (List<String> hosts :
        List.of(
            List.of("pt.example.com", "bad..name"),
            List.of("pt.example.com", "*.pt.example.com", "pt.example.com"))) {
      Validated<RouteSpec> v = RouteValidator.validate(ROUTE.withTls(TlsSpec.passthrough(hosts)));
      assertThat(v.violations())
          .as("%s", hosts)
          .extracting(Violation::field)
          .containsExactly("tls.hosts[" + (hosts.size() - 1) + "]");
    }
  }

  @Test
  void a_valid_passthrough_covers_the_normalised_route_hosts_and_names_no_certificate() {
    TlsSpec tls = RouteValidator.validate(ROUTE).value().tls();
    assertThat(tls.passthrough()).isTrue();
    assertThat(tls.hosts()).containsExactly("pt.example.com", "*.pt.example.com");
    assertThat(tls.certificateName()).isEmpty();
  }
}
