package io.gatehouse.validate;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.policy.Cors;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The CORS rule of {@link PolicyValidator}: one table of refused policies, one of normalising. */
class CorsValidatorTest {
  private static final List<String> NONE = List.of();
  private static final List<String> APP = List.of("https://app.example");

  private static Validated<RouteSpec> validate(Cors cors) {
    return RouteValidator.validate(
        RouteSpec.simple(
                RouteKey.of("t", "api", "r"),
                List.of("a.example"),
                List.of(PathMatch.prefix("/")),
                BackendSpec.http1(List.of(new Endpoint("10.0.0.1", 8080, 1))))
            .withPolicies(List.of(cors)));
  }

  private static Cors origins(List<String> origins) {
    return new Cors(origins, NONE, NONE, NONE, NONE, false, 5);
  }

  record Refused(String name, Cors spec, String field, String rule) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Refused> refused() {
    return Stream.of(
        new Refused(
            "no-origin-at-all",
            origins(NONE),
            "policies[0].allowOrigins",
            CorsValidator.NO_ORIGIN_RULE),
        new Refused(
            "star-beside-an-origin",
            origins(List.of("*", "https://a.example")),
            "policies[0].allowOrigins",
            CorsValidator.WILDCARD_RULE),
        new Refused(
            "star-beside-patterns",
            new Cors(List.of("*"), List.of("https://.*"), NONE, NONE, NONE, false, 5),
            "policies[0].allowOriginPatterns",
            CorsValidator.WILDCARD_RULE),
        new Refused(
            "an-origin-with-a-path",
            origins(List.of("https://a.example/app")),
            "policies[0].allowOrigins[0]",
            CorsValidator.ORIGIN_RULE),
        new Refused(
            "an-origin-of-another-scheme",
            origins(List.of("ftp://a.example")),
            "policies[0].allowOrigins[0]",
            CorsValidator.ORIGIN_RULE),
        new Refused(
            "a-bare-host",
            origins(List.of("a.example")),
            "policies[0].allowOrigins[0]",
            CorsValidator.ORIGIN_RULE),
        new Refused(
            "a-star-inside-a-host",
            origins(List.of("https://a.*.example")),
            "policies[0].allowOrigins[0]",
            CorsValidator.ORIGIN_RULE),
        new Refused(
            "port-zero",
            origins(List.of("https://a.example:0")),
            "policies[0].allowOrigins[0]",
            CorsValidator.ORIGIN_RULE),
        new Refused(
            "port-too-large",
            origins(List.of("https://a.example:65536")),
            "policies[0].allowOrigins[0]",
            CorsValidator.ORIGIN_RULE),
        new Refused(
            "a-pattern-re2-cannot-compile",
            new Cors(NONE, List.of("https://(?=a).*"), NONE, NONE, NONE, false, 5),
            "policies[0].allowOriginPatterns[0]",
            null),
        new Refused(
            "credentials-with-every-origin",
            new Cors(List.of("*"), NONE, NONE, NONE, NONE, true, 5),
            "policies[0].allowCredentials",
            CorsValidator.CREDENTIALS_ORIGIN_RULE),
        new Refused(
            "credentials-with-every-exposed-header",
            new Cors(APP, NONE, NONE, NONE, List.of("*"), true, 5),
            "policies[0].allowCredentials",
            CorsValidator.CREDENTIALS_EXPOSE_RULE),
        new Refused(
            "a-method-that-is-no-token",
            new Cors(APP, NONE, List.of("GET", "P UT"), NONE, NONE, false, 5),
            "policies[0].allowMethods[1]",
            CorsValidator.METHOD_RULE),
        new Refused(
            "star-beside-a-method",
            new Cors(APP, NONE, List.of("*", "GET"), NONE, NONE, false, 5),
            "policies[0].allowMethods",
            CorsValidator.WILDCARD_RULE),
        new Refused(
            "a-header-that-is-no-token",
            new Cors(APP, NONE, NONE, List.of("x:y"), NONE, false, 5),
            "policies[0].allowHeaders[0]",
            PolicyValidator.NAME_RULE + ", or '*' alone"),
        new Refused(
            "star-beside-an-exposed-header",
            new Cors(APP, NONE, NONE, NONE, List.of("x-a", "*"), false, 5),
            "policies[0].exposeHeaders",
            CorsValidator.WILDCARD_RULE),
        new Refused(
            "too-many-origins",
            origins(Collections.nCopies(CorsValidator.MAX_ORIGINS + 1, "https://a.example")),
            "policies[0].allowOrigins",
            "at most 64"),
        new Refused(
            "max-age-zero",
            new Cors(APP, NONE, NONE, NONE, NONE, false, 0),
            "policies[0].maxAge",
            CorsValidator.MAX_AGE_RULE),
        new Refused(
            "max-age-above-a-year",
            new Cors(APP, NONE, NONE, NONE, NONE, false, CorsValidator.MAX_AGE + 1),
            "policies[0].maxAge",
            CorsValidator.MAX_AGE_RULE));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void a_cors_policy_is_refused_as_the_table_says(Refused c) {
    Validated<RouteSpec> v = validate(c.spec());
    assertThat(v.isValid()).isFalse();
    assertThat(v.violations())
        .singleElement()
        .satisfies(
            violation -> {
              assertThat(violation.field()).isEqualTo(c.field());
              if (c.rule() != null) {
                assertThat(violation.rule()).isEqualTo(c.rule());
              } else {
                assertThat(violation.rule()).startsWith("an RE2 regular expression");
              }
            });
  }

  @Test
  void origins_and_header_names_are_lower_cased_default_ports_dropped_and_methods_kept() {
    Validated<RouteSpec> v =
        validate(
            new Cors(
                List.of(
                    "HTTPS://App.Example:443",
                    "http://a.example:80",
                    "https://a.example:8443",
                    "https://*.B.example",
                    "http://[::1]:3000",
                    "https://app.example"),
                List.of("https://pr-[0-9]+\\.c\\.example"),
                List.of("GET", "patch"),
                List.of("Content-Type", "X-Token"),
                List.of("X-Request-Id"),
                true,
                600));
    assertThat(v.isValid()).as("%s", v).isTrue();
    Cors c = (Cors) v.value().policies().get(0);
    assertThat(c.allowOrigins())
        .containsExactly(
            "https://app.example",
            "http://a.example",
            "https://a.example:8443",
            "https://*.b.example",
            "http://[::1]:3000");
    assertThat(c.allowMethods()).containsExactly("GET", "patch");
    assertThat(c.allowHeaders()).containsExactly("content-type", "x-token");
    assertThat(c.exposeHeaders()).containsExactly("x-request-id");
    assertThat(c.allowOriginPatterns()).containsExactly("https://pr-[0-9]+\\.c\\.example");
  }

  @Test
  void star_everywhere_without_credentials_and_patterns_with_credentials_are_served() {
    assertThat(
            validate(
                    new Cors(
                        List.of("*"), NONE, List.of("*"), List.of("*"), List.of("*"), false, 5))
                .isValid())
        .isTrue();
    assertThat(
            validate(
                    new Cors(
                        NONE,
                        List.of("https://.*\\.a\\.example"),
                        List.of("*"),
                        List.of("*"),
                        NONE,
                        true,
                        5))
                .isValid())
        .isTrue();
  }
}
