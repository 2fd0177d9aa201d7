package io.gatehouse.snapshot;

import static io.gatehouse.snapshot.CanaryMatcher.AWAY;
import static io.gatehouse.snapshot.CanaryMatcher.CANARY;
import static io.gatehouse.snapshot.CanaryMatcher.FALL_THROUGH;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.CanaryRule;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The canary decision, case by case, with ingress-nginx's meaning ({@code balancer.lua}, {@code
 * route_to_alternative_balancer}): the header first, then the cookie, then the weights.
 */
class CanaryMatcherTest {
  private static final CanaryRule HEADER = CanaryRule.byHeader("x-canary");
  private static final CanaryRule HEADER_AND_COOKIE =
      new CanaryRule("x-canary", null, null, "canary");
  private static final CanaryRule VALUE = new CanaryRule("x-canary", "v2", null, "canary");
  private static final CanaryRule PATTERN = new CanaryRule("x-canary", null, "^v[0-9]+$", "canary");
  private static final CanaryRule UNANCHORED = new CanaryRule("x-user", null, "beta", null);
  private static final CanaryRule COOKIE = CanaryRule.byCookie("canary");

  private static Arguments c(
      String name, CanaryRule rule, String header, List<String> cookies, int expected) {
    return Arguments.of(name, rule, header, cookies, expected);
  }

  static Stream<Arguments> cases() {
    List<String> none = List.of();
    List<String> always = List.of("canary=always");
    List<String> never = List.of("canary=never");
    return Stream.of(
        // canary-by-header alone
        c("header-always-goes-to-the-canary", HEADER, "always", none, CANARY),
        c("header-never-goes-away", HEADER, "never", none, AWAY),
        c("header-other-value-falls-through", HEADER, "yes", none, FALL_THROUGH),
        c("header-values-compare-with-case", HEADER, "Always", none, FALL_THROUGH),
        c("header-empty-value-falls-through", HEADER, "", none, FALL_THROUGH),
        c("no-header-falls-through", HEADER, null, none, FALL_THROUGH),
        // precedence: header, then cookie
        c("header-never-wins-over-cookie-always", HEADER_AND_COOKIE, "never", always, AWAY),
        c("header-always-wins-over-cookie-never", HEADER_AND_COOKIE, "always", never, CANARY),
        c("other-header-value-leaves-it-to-the-cookie", HEADER_AND_COOKIE, "x", always, CANARY),
        c("no-header-leaves-it-to-the-cookie", HEADER_AND_COOKIE, null, never, AWAY),
        c("neither-falls-through-to-the-weights", HEADER_AND_COOKIE, null, none, FALL_THROUGH),
        // canary-by-header-value
        c("header-value-matches-exactly", VALUE, "v2", none, CANARY),
        c("header-value-compares-with-case", VALUE, "V2", none, FALL_THROUGH),
        c("header-value-is-no-prefix", VALUE, "v21", none, FALL_THROUGH),
        c("with-a-value-always-means-nothing", VALUE, "always", none, FALL_THROUGH),
        c(
            "with-a-value-never-means-nothing-and-the-cookie-decides",
            VALUE,
            "never",
            always,
            CANARY),
        c("a-header-value-miss-leaves-it-to-the-cookie", VALUE, "v3", never, AWAY),
        // canary-by-header-pattern
        c("pattern-matches", PATTERN, "v12", none, CANARY),
        c("pattern-miss-falls-through", PATTERN, "xv1", none, FALL_THROUGH),
        c("pattern-miss-leaves-it-to-the-cookie", PATTERN, "never", always, CANARY),
        c("pattern-is-found-anywhere-as-pcre-match", UNANCHORED, "is-beta-user", none, CANARY),
        c("pattern-always-means-nothing", UNANCHORED, "always", none, FALL_THROUGH),
        // canary-by-cookie and nginx's cookie scan
        c("cookie-always", COOKIE, null, always, CANARY),
        c("cookie-never", COOKIE, null, never, AWAY),
        c("cookie-other-value", COOKIE, null, List.of("canary=yes"), FALL_THROUGH),
        c("cookie-among-others", COOKIE, null, List.of("a=1; canary=always; b=2"), CANARY),
        c("cookie-in-a-second-field", COOKIE, null, List.of("a=1", "canary=always"), CANARY),
        c("cookie-name-without-case", COOKIE, null, List.of("Canary=always"), CANARY),
        c("cookie-name-is-whole", COOKIE, null, List.of("xcanary=always"), FALL_THROUGH),
        c(
            "cookie-name-prefix-is-skipped",
            COOKIE,
            null,
            List.of("canary2=x; canary=always"),
            CANARY),
        c("cookie-spaces-around-equals", COOKIE, null, List.of("canary = always"), CANARY),
        c("cookie-value-keeps-trailing-space", COOKIE, null, List.of("canary=always ;a=1"), 0),
        c("cookie-value-keeps-quotes", COOKIE, null, List.of("canary=\"always\""), FALL_THROUGH),
        c("first-cookie-of-the-name-wins", COOKIE, null, List.of("canary=never; canary=always"), 2),
        c("comma-separates-cookies-too", COOKIE, null, List.of("a=1, canary=always"), CANARY),
        c("no-cookie-field", COOKIE, null, none, FALL_THROUGH),
        c("a-cookie-rule-ignores-headers", COOKIE, "always", none, FALL_THROUGH));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void each_request_goes_where_ingress_nginx_would_send_it(
      String name, CanaryRule rule, String header, List<String> cookies, int expected) {
    assertThat(new CanaryMatcher(rule).choose(header, cookies)).isEqualTo(expected);
  }
}
