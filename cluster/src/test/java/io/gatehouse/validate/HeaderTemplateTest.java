package io.gatehouse.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.validate.HeaderTemplate.Variable;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HeaderTemplateTest {
  /** value | literal parts joined by '|' | variables joined by ',' | literal text. */
  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '#',
      quoteCharacter = '"',
      emptyValue = "",
      value = {
        "plain text              # plain text                  #                        # plain text",
        "\"\"                    # \"\"                        #                        # \"\"",
        "$$5                     # $5                          #                        # $5",
        "$${request.id}          # ${request.id}               #                        # ${request.id}",
        "a$$$$b                  # a$$b                        #                        # a$$b",
        "${client.address}       # |                           # CLIENT_ADDRESS         # \"\"",
        "ip=${client.address};   # ip=|;                       # CLIENT_ADDRESS         # ip=;",
        "${route.tenant}/${route.name} # |/|                   # ROUTE_TENANT,ROUTE_NAME # /",
        "${request.id}${request.id}    # ||                    # REQUEST_ID,REQUEST_ID  # \"\"",
        "s=${tls.client.subject} h=${tls.client.sha256} # s=| h=| # TLS_CLIENT_SUBJECT,TLS_CLIENT_SHA256 # s= h=",
        "$$${request.id}         # $|                          # REQUEST_ID             # $",
        "{} } { $${}             # {} } { ${}                  #                        # {} } { ${}",
      })
  void a_value_parses_into_literal_parts_and_variables(
      String value, String literals, String variables, String literalText) {
    HeaderTemplate t = HeaderTemplate.parse(text(value));
    assertThat(t.literals()).containsExactly(text(literals).split("\\|", -1));
    List<Variable> expected =
        text(variables).isEmpty()
            ? List.of()
            : Arrays.stream(text(variables).split(",")).map(Variable::valueOf).toList();
    assertThat(t.variables()).isEqualTo(expected);
    assertThat(t.isLiteral()).isEqualTo(expected.isEmpty());
    assertThat(t.literalText()).isEqualTo(text(literalText));
    // Written back, it reads the same.
    assertThat(HeaderTemplate.parse(t.toString()).literals()).isEqualTo(t.literals());
    assertThat(HeaderTemplate.parse(t.toString()).variables()).isEqualTo(t.variables());
  }

  /** A column as written: null (an empty column) is empty text. */
  private static String text(String column) {
    return column == null ? "" : column.strip();
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '#',
      quoteCharacter = '"',
      value = {
        "${nope}                     # ${nope} is not a variable",
        "${CLIENT.ADDRESS}           # ${CLIENT.ADDRESS} is not a variable",
        "${ client.address}          # is not a variable",
        "${}                         # ${} is not a variable",
        "${request.id                # '${' without '}'",
        "a ${                        # '${' without '}'",
        "$host                       # '$' followed by 'h'",
        "price: $5                   # '$' followed by '5'",
        "trailing $                  # '$' at the end",
        "$$$                         # '$' at the end",
        "$(request.id)               # '$' followed by '('",
        "$http_x_forwarded_for       # '$' followed by 'h'",
      })
  void anything_else_after_a_dollar_is_refused_naming_it(String value, String message) {
    assertThatThrownBy(() -> HeaderTemplate.parse(value.strip()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message.strip());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "no dollar", "$", "$$", "${request.id}", "a$b$$c${d}"})
  void escaped_text_reads_back_as_the_same_text(String text) {
    HeaderTemplate t = HeaderTemplate.parse(HeaderTemplate.escape(text));
    assertThat(t.isLiteral()).isTrue();
    assertThat(t.literalText()).isEqualTo(text);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "client.address",
        "request.id",
        "route.tenant",
        "route.name",
        "tls.client.subject",
        "tls.client.sha256"
      })
  void every_variable_is_named_in_the_rule_text(String name) {
    assertThat(HeaderTemplate.NAMES).contains("${" + name + "}");
    assertThat(HeaderTemplate.parse("${" + name + "}").variables()).hasSize(1);
  }
}
