package io.gatehouse.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The collector's headers file: lines, comments, and problems that never show a value. */
class CollectorHeadersTest {
  @Test
  void name_value_lines_with_comments_and_blank_lines() {
    assertThat(
            CollectorHeaders.parse(
                "# Honeycomb\n\nx-honeycomb-team: abc123\r\nAuthorization:  Bearer k e y \n"))
        .containsExactly(
            Map.entry("x-honeycomb-team", "abc123"), Map.entry("authorization", "Bearer k e y"));
    assertThat(CollectorHeaders.parse("")).isEmpty();
  }

  @Test
  void a_bad_line_is_named_without_its_value() {
    record Case(String text, String problem) {}
    for (Case c :
        List.of(
            new Case("no colon s3cret", "line 1: expected Name: value"),
            new Case("ok: 1\nbad name: s3cret", "line 2: expected Name: value"),
            new Case("x-key:", "line 1: the value of x-key is empty"),
            new Case("x-key: s3cret\u00e9", "line 1: the value of x-key is empty or not visible"),
            new Case("x-key: s3cret\nX-Key: s3cret", "line 2: X-Key given twice"))) {
      assertThatThrownBy(() -> CollectorHeaders.parse(c.text()))
          .as(c.text())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith(c.problem())
          .hasMessageNotContaining("s3cret");
    }
  }

  @Test
  void options_never_print_header_values() {
    TracingOptions o =
        new TracingOptions(
            "https://collector.example/v1/traces?key=s3cret",
            0.5,
            true,
            "gatehouse",
            "dev",
            Duration.ofSeconds(5),
            Duration.ofSeconds(5),
            10,
            Map.of("authorization", "Bearer s3cret"));
    assertThat(o.toString()).doesNotContain("s3cret").contains("authorization");
  }
}
