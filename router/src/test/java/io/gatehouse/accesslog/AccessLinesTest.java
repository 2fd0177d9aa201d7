package io.gatehouse.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The two formats, line by line: layout, absent values and escaping a client cannot escape. */
class AccessLinesTest {
  static final List<AccessField> SOME =
      List.of(
          AccessField.TIME,
          AccessField.METHOD,
          AccessField.HOST,
          AccessField.PATH,
          AccessField.STATUS,
          AccessField.DURATION_MS,
          AccessField.UPSTREAM_STATUS,
          AccessField.ROUTE,
          AccessField.TRACE_ID,
          AccessField.USER_AGENT);

  static AccessEntry entry(List<AccessField> fields, AccessFormat format) {
    AccessEntry e = new AccessEntry(AccessEntry.Layout.of(fields, format));
    e.endMillis = 1_700_000_000_123L;
    e.durationNanos = 12_345_678;
    e.method = "GET";
    e.host = "shop.test";
    e.path = "/a/b";
    e.status = 200;
    e.upstreamStatus = 0;
    e.route = "default/cli/shop";
    e.traceId = null;
    e.userAgent = "curl/8";
    return e;
  }

  static String line(AccessEntry e) {
    StringBuilder b = new StringBuilder();
    AccessLines.append(b, e, e.layout.fields(), e.layout.format());
    return b.toString();
  }

  @Test
  void json_writes_the_chosen_fields_in_order_with_null_for_absent_values() {
    assertThat(line(entry(SOME, AccessFormat.JSON)))
        .isEqualTo(
            "{\"time\":\"2023-11-14T22:13:20.123Z\",\"method\":\"GET\",\"host\":\"shop.test\","
                + "\"path\":\"/a/b\",\"status\":200,\"durationMs\":12.345,\"upstreamStatus\":null,"
                + "\"route\":\"default/cli/shop\",\"traceId\":null,\"userAgent\":\"curl/8\"}");
  }

  @Test
  void text_writes_the_fixed_layout_quoted_with_a_dash_for_absent_values() {
    assertThat(line(entry(SOME, AccessFormat.TEXT)))
        .isEqualTo(
            "\"2023-11-14T22:13:20.123Z\" \"GET\" \"shop.test\" \"/a/b\" 200 12.345 - "
                + "\"default/cli/shop\" - \"curl/8\"");
  }

  @Test
  void every_field_of_the_catalogue_is_written() {
    AccessEntry e = entry(List.of(AccessField.values()), AccessFormat.JSON);
    e.upstreamStatus = 503;
    e.attempts = 2;
    JsonObject o = new JsonObject(line(e));
    assertThat(o.fieldNames())
        .containsExactlyInAnyOrder(
            List.of(AccessField.values()).stream().map(AccessField::key).toArray(String[]::new));
    assertThat(o.getInteger("upstreamStatus")).isEqualTo(503);
    assertThat(o.getInteger("attempts")).isEqualTo(2);
  }

  @Test
  void a_client_cannot_forge_a_json_line_or_break_out_of_a_value() {
    AccessEntry e = entry(SOME, AccessFormat.JSON);
    String forged = "x\"}\n{\"status\":200,\"path\":\"/admin\\\r\t\u0000\u001b[31m";
    e.path = forged;
    e.userAgent = "a\u0085b\u2028c\u2029d\u007f";
    String line = line(e);
    assertThat(line).doesNotContain("\n", "\r", "\u0000", "\u001b", "\u0085", "\u2028", "\u007f");
    JsonObject o = new JsonObject(line);
    assertThat(o.getString("path")).isEqualTo(forged);
    assertThat(o.getString("userAgent")).isEqualTo("a\u0085b\u2028c\u2029d\u007f");
    assertThat(o.getInteger("status")).isEqualTo(200);
  }

  @Test
  void a_client_cannot_forge_a_text_line_or_close_the_quotes() {
    AccessEntry e = entry(List.of(AccessField.PATH, AccessField.STATUS), AccessFormat.TEXT);
    e.path = "/x\" 200\n\"/y\\";
    e.status = 404;
    assertThat(line(e)).isEqualTo("\"/x\\\" 200\\n\\\"/y\\\\\" 404");
  }

  @Test
  void controls_and_broken_utf16_become_unicode_escapes_and_pairs_stay() {
    StringBuilder b = new StringBuilder();
    AccessLines.text(b, "\u0001\u009f\ud800x\udc00\ud83d\ude00é", false);
    assertThat(b.toString()).isEqualTo("\"\\u0001\\u009f\\ud800x\\udc00\ud83d\ude00é\"");
  }

  @Test
  void milliseconds_have_three_decimals_without_rounding_noise() {
    StringBuilder b = new StringBuilder();
    AccessLines.millis(b, 1_005_000);
    b.append(' ');
    AccessLines.millis(b, 999);
    b.append(' ');
    AccessLines.millis(b, 2_000_050_000L);
    assertThat(b.toString()).isEqualTo("1.005 0.000 2000.050");
  }
}
