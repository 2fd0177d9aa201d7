package io.gatehouse.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class QueryParamsTest {
  static Stream<Arguments> cases() {
    return Stream.of(
        row("no-query-is-null", null, "a", null),
        row("empty-query-has-no-names", "", "a", null),
        row("empty-query-has-the-empty-name", "", "", ""),
        row("missing-name-is-null", "b=1&c=2", "a", null),
        row("only-pair", "a=1", "a", "1"),
        row("last-pair", "b=2&a=1", "a", "1"),
        row("name-without-equals-is-empty", "a&b=2", "a", ""),
        row("name-with-empty-value-is-empty", "a=&b=2", "a", ""),
        row("trailing-ampersand-ends-nothing", "a=1&", "a", "1"),
        row("empty-pairs-are-skipped", "&&a=1", "a", "1"),
        row("repeated-name-gives-the-first", "a=1&a=2", "a", "1"),
        row("repeated-name-first-without-equals", "a&a=2", "a", ""),
        row("value-keeps-later-equals", "a=x=y&b=1", "a", "x=y"),
        row("name-is-not-a-prefix", "ab=1&a=2", "a", "2"),
        row("name-is-case-sensitive", "A=1", "a", null),
        row("equals-of-a-later-pair-is-not-this-name", "a&b=2", "a&b", null),
        row("percent-encoded-value", "q=a%20b%2Fc", "q", "a b/c"),
        row("percent-encoded-utf8-value", "q=%C3%A9", "q", "\u00e9"),
        row("percent-encoded-name", "my%20key=1", "my key", "1"),
        row("encoded-name-does-not-match-raw", "my%20key=1", "my%20key", null),
        row("encoded-equals-in-name", "a%3Db=1", "a=b", "1"),
        row("encoded-ampersand-in-value", "a=x%26y", "a", "x&y"),
        row("plus-is-a-space-in-a-value", "q=a+b", "q", "a b"),
        row("plus-is-a-space-in-a-name", "a+b=1", "a b", "1"),
        row("encoded-plus-is-a-plus", "q=a%2Bb", "q", "a+b"),
        row("malformed-value-is-null", "a=%zz&a=2", "a", null),
        row("truncated-escape-value-is-null", "a=%4", "a", null),
        row("malformed-name-matches-nothing", "%zz=1&a=2", "a", "2"),
        row("malformed-name-is-not-its-raw-text", "%zz=1", "%zz", null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void each_case_reads_the_first_decoded_value(
      String name, String query, String param, String expected) {
    assertThat(QueryParams.first(query, param)).isEqualTo(expected);
  }

  private static Arguments row(String name, String query, String param, String expected) {
    return Arguments.of(name, query, param, expected);
  }
}
