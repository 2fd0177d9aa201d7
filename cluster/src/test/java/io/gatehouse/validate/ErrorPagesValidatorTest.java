package io.gatehouse.validate;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.BackendRef;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.policy.ErrorPages;
import io.gatehouse.model.policy.PolicySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rule of an {@link ErrorPages} policy in {@link PolicyValidator}: one case per row. */
class ErrorPagesValidatorTest {
  private static final BackendSpec ERRORS =
      BackendSpec.http1(List.of(new Endpoint("10.0.0.9", 9000, 1)));

  private static RouteSpec route(PolicySpec... policies) {
    return RouteSpec.simple(
            RouteKey.of("t", "api", "r"),
            List.of("a.example"),
            List.of(PathMatch.prefix("/")),
            BackendSpec.http1(List.of(new Endpoint("10.0.0.1", 8080, 1))))
        .withPolicies(List.of(policies));
  }

  private static String fields(PolicySpec... policies) {
    Validated<RouteSpec> v = RouteValidator.validate(route(policies));
    if (v.isValid()) {
      return "";
    }
    StringBuilder b = new StringBuilder();
    for (Violation violation : v.violations()) {
      b.append(violation.field()).append(' ');
    }
    return b.toString().trim();
  }

  private static List<Integer> codes(Integer... codes) {
    return Arrays.asList(codes);
  }

  @Test
  void a_page_keeps_its_bytes_and_takes_the_default_type_and_codes_are_sorted_once() {
    Validated<RouteSpec> v =
        RouteValidator.validate(
            route(ErrorPages.page(codes(503, 404, 503), "<h1>{{ id }} ${x}</h1>\r\n", null)));
    assertThat(v.isValid()).as("%s", v).isTrue();
    ErrorPages e = (ErrorPages) v.value().policies().get(0);
    assertThat(e.codes()).containsExactly(404, 503);
    assertThat(e.page())
        .as("never a template: kept as given")
        .isEqualTo("<h1>{{ id }} ${x}</h1>\r\n");
    assertThat(e.contentType()).isEqualTo(ErrorPages.DEFAULT_CONTENT_TYPE);
    assertThat(e.backend()).isNull();
  }

  @Test
  void a_backend_is_checked_as_a_route_backend() {
    Validated<RouteSpec> v =
        RouteValidator.validate(route(ErrorPages.backend(codes(502, 504), ERRORS)));
    assertThat(v.isValid()).as("%s", v).isTrue();
    assertThat(((ErrorPages) v.value().policies().get(0)).backend()).isEqualTo(ERRORS);
    assertThat(fields(ErrorPages.backend(codes(404), new BackendRef.Named("errors")))).isEmpty();
    assertThat(
            fields(
                ErrorPages.backend(
                    codes(404),
                    new BackendRef.ServicePort("errors", 80, null, UpstreamProtocol.HTTP1, null))))
        .isEmpty();
  }

  @Test
  void refused_policies_name_the_field_that_breaks_the_rule() {
    record Case(String name, ErrorPages policy, String field) {}
    String big = "a".repeat(ErrorPages.MAX_PAGE_BYTES + 1);
    String bigInUtf8 = "é".repeat(ErrorPages.MAX_PAGE_BYTES / 2 + 1); // 2 bytes a character
    List<Integer> many = new ArrayList<>();
    for (int i = 0; i <= PolicyValidator.MAX_ERROR_CODES; i++) {
      many.add(400 + i);
    }
    List<Case> cases =
        List.of(
            new Case("no code", ErrorPages.page(codes(), "x", null), "policies[0].codes"),
            new Case("too many codes", ErrorPages.page(many, "x", null), "policies[0].codes"),
            new Case("a 2xx", ErrorPages.page(codes(404, 200), "x", null), "policies[0].codes[1]"),
            new Case("a 3xx", ErrorPages.page(codes(301), "x", null), "policies[0].codes[0]"),
            new Case("600", ErrorPages.page(codes(600), "x", null), "policies[0].codes[0]"),
            new Case(
                "neither page nor backend",
                new ErrorPages(codes(404), null, null, null),
                "policies[0]"),
            new Case(
                "page and backend", new ErrorPages(codes(404), "x", null, ERRORS), "policies[0]"),
            new Case(
                "a page over 16 KiB", ErrorPages.page(codes(404), big, null), "policies[0].page"),
            new Case(
                "a page over 16 KiB in UTF-8 bytes",
                ErrorPages.page(codes(404), bigInUtf8, null),
                "policies[0].page"),
            new Case(
                "a type without subtype",
                ErrorPages.page(codes(404), "x", "text"),
                "policies[0].contentType"),
            new Case(
                "a type with CR LF",
                ErrorPages.page(codes(404), "x", "text/html\r\nx-a: b"),
                "policies[0].contentType"),
            new Case(
                "a dangling parameter",
                ErrorPages.page(codes(404), "x", "text/html;"),
                "policies[0].contentType"),
            new Case(
                "a content type with a backend",
                new ErrorPages(codes(404), null, "text/html", ERRORS),
                "policies[0].contentType"),
            new Case(
                "a backend endpoint without port",
                ErrorPages.backend(
                    codes(404), BackendSpec.http1(List.of(new Endpoint("10.0.0.9", 0, 1)))),
                "policies[0].backend.endpoints[0].port"),
            new Case(
                "a backend Service name that is no name",
                ErrorPages.backend(
                    codes(404),
                    new BackendRef.ServicePort("Errors!", 80, null, UpstreamProtocol.HTTP1, null)),
                "policies[0].backend.service"));
    for (Case c : cases) {
      assertThat(fields(c.policy())).as(c.name()).isEqualTo(c.field());
    }
  }

  @Test
  void content_types_with_parameters_are_accepted() {
    for (String type :
        List.of(
            "text/html; charset=utf-8",
            "application/problem+json",
            "text/plain;charset=\"utf-8\"",
            "TEXT/HTML; Charset=UTF-8")) {
      assertThat(fields(ErrorPages.page(codes(404), "x", type))).as(type).isEmpty();
    }
    assertThat(fields(ErrorPages.page(codes(404), "a".repeat(ErrorPages.MAX_PAGE_BYTES), null)))
        .as("16 KiB exactly")
        .isEmpty();
  }

  @Test
  void a_status_is_listed_by_one_error_pages_policy_of_a_route_only() {
    assertThat(
            fields(
                ErrorPages.page(codes(404, 503), "x", null),
                ErrorPages.backend(codes(500, 503), ERRORS)))
        .isEqualTo("policies[1].codes");
    assertThat(
            fields(
                ErrorPages.page(codes(404), "x", null),
                ErrorPages.backend(codes(500, 502, 503, 504), ERRORS)))
        .as("disjoint codes: a static 404 beside fetched 5xx")
        .isEmpty();
  }
}
