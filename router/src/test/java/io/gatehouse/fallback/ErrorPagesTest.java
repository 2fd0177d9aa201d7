package io.gatehouse.fallback;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(10)
class ErrorPagesTest {

  static Stream<Arguments> accepts() {
    return Stream.of(
        Arguments.of("no-accept-header", null, false),
        Arguments.of("empty", "", false),
        Arguments.of("browser", "text/html,application/xhtml+xml,*/*;q=0.8", false),
        Arguments.of("json-only", "application/json", true),
        Arguments.of("json-suffix-type", "application/problem+json", true),
        Arguments.of("json-before-html", "application/json, text/html", true),
        Arguments.of("html-before-json", "text/html, application/json", false),
        Arguments.of("anything", "*/*", false),
        Arguments.of("plain-text", "text/plain", false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("accepts")
  void json_is_chosen_by_accept(String name, String accept, boolean json) {
    assertThat(ErrorPages.wantsJson(accept)).isEqualTo(json);
  }

  @Test
  void json_body_is_valid_json_with_status_phrase_and_id() {
    String body = ErrorPages.body(503, "req-1", true).toString();
    JsonObject o = new JsonObject(body);
    assertThat(o.getInteger("status")).isEqualTo(503);
    assertThat(o.getString("error")).isEqualTo("Service Unavailable");
    assertThat(o.getString("requestId")).isEqualTo("req-1");
    assertThat(o.fieldNames()).containsExactlyInAnyOrder("status", "error", "requestId");
  }

  @Test
  void html_body_shows_status_phrase_and_id() {
    String body = ErrorPages.body(404, "abc-123", false).toString();
    assertThat(body)
        .startsWith("<!DOCTYPE html>")
        .contains("<title>404 Not Found</title>")
        .contains("<h1>404 Not Found</h1>")
        .contains("<code>abc-123</code>");
  }

  @Test
  void markup_in_the_request_id_is_never_echoed() {
    String evil = "<script>alert(1)</script>\"&'";
    String html = ErrorPages.body(404, evil, false).toString();
    assertThat(html).doesNotContain("<script>").doesNotContain("&'").doesNotContain("\"&");
    assertThat(html).contains("<code>_script_alert_1___script____</code>");
    String json = ErrorPages.body(404, evil, true).toString();
    // Still valid JSON: a quote in the id cannot close the string.
    assertThat(new JsonObject(json).getString("requestId"))
        .isEqualTo("_script_alert_1___script____");
  }

  @Test
  void json_escape_attempt_stays_inside_the_string() {
    String json = ErrorPages.body(502, "x\",\"admin\":true,\"y\":\"", true).toString();
    JsonObject o = new JsonObject(json);
    assertThat(o.containsKey("admin")).isFalse();
    assertThat(o.getString("requestId")).matches("[A-Za-z0-9._:-]*");
  }

  @Test
  void control_characters_and_non_ascii_are_replaced() {
    assertThat(ErrorPages.safeId("a\r\nSet-Cookie: x")).isEqualTo("a__Set-Cookie:_x");
    assertThat(ErrorPages.safeId("bücher")).isEqualTo("b_cher");
    assertThat(ErrorPages.safeId("ok-ID_1.2:3")).isEqualTo("ok-ID_1.2:3");
    assertThat(ErrorPages.safeId(null)).isEmpty();
  }

  @Test
  void long_request_ids_are_cut_to_128_characters() {
    String id = "a".repeat(500);
    assertThat(ErrorPages.safeId(id)).hasSize(128);
    assertThat(ErrorPages.safeId("<" + "a".repeat(500))).hasSize(128).startsWith("_a");
  }

  @Test
  void missing_request_id_renders_empty() {
    assertThat(new JsonObject(ErrorPages.body(404, null, true).toString()).getString("requestId"))
        .isEmpty();
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(
      ints = {400, 404, 408, 413, 414, 421, 431, 502, 503, 504})
  void pages_hold_nothing_internal(int status) {
    for (boolean json : new boolean[] {true, false}) {
      String body = ErrorPages.body(status, "id", json).toString();
      assertThat(body)
          .contains(Integer.toString(status))
          .contains(ErrorPages.phrase(status))
          .doesNotContainIgnoringCase("exception")
          .doesNotContainIgnoringCase("route")
          .doesNotContainIgnoringCase("upstream")
          .doesNotContain("127.0.0.1")
          .doesNotContain("java.")
          .doesNotContain("io.gatehouse");
    }
  }

  @Test
  void unknown_status_has_a_generic_phrase() {
    assertThat(ErrorPages.phrase(418)).isEqualTo("Error");
    assertThat(ErrorPages.phrase(413)).isEqualTo("Content Too Large");
  }
}
