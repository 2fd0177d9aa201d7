package io.gatehouse.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.Hsts;
import io.gatehouse.model.HttpsRedirect;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TlsSpec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A route's {@code tls}: its hosts are some of the route's, its certificate a name, HSTS sane. */
@Timeout(10)
class RouteTlsValidatorTest {
  private static final RouteSpec ROUTE =
      RouteSpec.simple(
          RouteKey.of("default", "file", "web"),
          List.of("App.Example.com", "*.apps.example.com"),
          List.of(PathMatch.prefix("/")),
          BackendSpec.http1(List.of(Endpoint.of("10.0.0.1", 8080))));

  private static Validated<RouteSpec> validate(TlsSpec tls) {
    return RouteValidator.validate(ROUTE.withTls(tls));
  }

  @Test
  void a_route_without_tls_keeps_null() {
    assertThat(RouteValidator.validate(ROUTE).value().tls()).isNull();
  }

  @Test
  void tls_hosts_are_normalised_and_must_be_route_hosts() {
    Validated<RouteSpec> v = validate(TlsSpec.of(List.of("APP.example.com."), "www"));
    assertThat(v.isValid()).isTrue();
    assertThat(v.value().tls().hosts()).containsExactly("app.example.com");
    assertThat(v.value().tls().redirect()).isEqualTo(HttpsRedirect.PERMANENT_REDIRECT_308);
  }

  @Test
  void no_tls_hosts_means_all_the_route_hosts() {
    Validated<RouteSpec> v = validate(TlsSpec.of(List.of(), "www"));
    assertThat(v.value().tls().hosts()).containsExactly("app.example.com", "*.apps.example.com");
  }

  @Test
  void a_tls_host_outside_the_route_is_refused() {
    Validated<RouteSpec> v = validate(TlsSpec.of(List.of("other.example.com"), "www"));
    assertThat(v.isValid()).isFalse();
    assertThat(v.violations())
        .extracting(Violation::field, Violation::value)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("tls.hosts[0]", "other.example.com"));
  }

  @Test
  void a_bad_certificate_name_is_refused() {
    Validated<RouteSpec> v = validate(TlsSpec.of(List.of(), "Bad Name"));
    assertThat(v.violations()).extracting(Violation::field).containsExactly("tls.certificateName");
  }

  @Test
  void an_hsts_max_age_beyond_68_years_is_refused() {
    // Issue #12's contract test: "999999999999d" was accepted, and GET then failed to write it.
    Validated<RouteSpec> v =
        validate(
            new TlsSpec(
                List.of(),
                "www",
                HttpsRedirect.DEFAULT,
                Hsts.of(Duration.ofDays(999_999_999_999L), false, false)));
    assertThat(v.violations())
        .extracting(Violation::field, Violation::rule)
        .containsExactly(tuple("tls.hsts.maxAge", "0 seconds up to 2147483647s (68 years)"));
    assertThat(
            validate(
                    new TlsSpec(
                        List.of(),
                        "www",
                        HttpsRedirect.DEFAULT,
                        Hsts.of(Duration.ofSeconds(Integer.MAX_VALUE), false, false)))
                .isValid())
        .isTrue();
  }

  @Test
  void preload_needs_include_subdomains_and_a_year() {
    Validated<RouteSpec> v =
        validate(
            new TlsSpec(
                List.of(),
                "www",
                HttpsRedirect.DEFAULT,
                Hsts.of(Duration.ofDays(30), false, true)));
    assertThat(v.violations()).extracting(Violation::field).containsExactly("tls.hsts.preload");
  }
}
