package io.gatehouse.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class AccessLogOptionsTest {
  static AccessLogOptions parse(
      List<String> fields, double ratio, double errors, List<String> rules)
      throws AccessLogOptions.Problem {
    return AccessLogOptions.parse(true, AccessFormat.TEXT, fields, "", 100, ratio, errors, rules);
  }

  @Test
  void the_defaults_carry_the_request_id_the_trace_id_and_the_route() {
    assertThat(AccessLogOptions.DEFAULT_FIELDS)
        .contains(AccessField.REQUEST_ID, AccessField.TRACE_ID, AccessField.ROUTE);
  }

  @Test
  void fields_are_kept_in_the_order_given() throws Exception {
    AccessLogOptions o = parse(List.of("status", "path", " method "), 1, 1, List.of());
    assertThat(o.fields())
        .containsExactly(AccessField.STATUS, AccessField.PATH, AccessField.METHOD);
  }

  @Test
  void an_unknown_field_is_refused_with_the_catalogue() {
    assertThatThrownBy(() -> parse(List.of("status", "cookie"), 1, 1, List.of()))
        .isInstanceOf(AccessLogOptions.Problem.class)
        .hasMessageStartingWith("accessFields: \"cookie\" (expected: fields from time, method,")
        .hasMessageContaining("userAgent, referer, overflow, attempts");
  }

  @Test
  void a_field_twice_or_no_field_is_refused() {
    assertThatThrownBy(() -> parse(List.of("status", "status"), 1, 1, List.of()))
        .hasMessage("accessFields: \"status\" (expected: each field once)");
    assertThatThrownBy(() -> parse(List.of(), 1, 1, List.of()))
        .hasMessageStartingWith("accessFields: \"\" (expected: one or more of time,");
  }

  @Test
  void ratios_outside_zero_to_one_are_refused() {
    assertThatThrownBy(() -> parse(List.of("status"), 1.5, 1, List.of()))
        .hasMessageStartingWith("accessSampleRatio: \"1.5\"");
    assertThatThrownBy(() -> parse(List.of("status"), 1, -0.1, List.of()))
        .hasMessageStartingWith("accessSampleErrors: \"-0.1\"");
  }

  @Test
  void route_rules_are_off_a_ratio_or_a_ratio_and_an_errors_ratio() throws Exception {
    AccessLogOptions o =
        parse(
            List.of("status"),
            1,
            1,
            List.of("default/file/health=off", "shop/rest/api=0.1", "shop/rest/pay = 0.01/1"));
    assertThat(o.routes())
        .containsEntry("default/file/health", AccessLogOptions.RouteRule.OFF)
        .containsEntry("shop/rest/api", new AccessLogOptions.RouteRule(0.1, 0.1))
        .containsEntry("shop/rest/pay", new AccessLogOptions.RouteRule(0.01, 1));
  }

  @Test
  void a_bad_route_rule_is_refused_with_the_form() {
    for (String bad : List.of("nothing", "=off", "a/b/c=2", "a/b/c=half", "a/b/c=0.1/x")) {
      assertThatThrownBy(() -> parse(List.of("status"), 1, 1, List.of(bad)))
          .as(bad)
          .hasMessageStartingWith("accessRoutes: \"" + bad + "\" (expected: ROUTE_ID=off,");
    }
    assertThatThrownBy(() -> parse(List.of("status"), 1, 1, List.of("a/b/c=off", "a/b/c=1")))
        .hasMessage("accessRoutes: \"a/b/c=1\" (expected: one rule per route id)");
  }

  @Test
  void the_queue_is_bounded() {
    assertThatThrownBy(
            () ->
                AccessLogOptions.parse(
                    true, AccessFormat.JSON, List.of("status"), "", 0, 1, 1, List.of()))
        .hasMessageStartingWith("accessQueueLines: \"0\" (expected: 1 to 1048576)");
  }
}
