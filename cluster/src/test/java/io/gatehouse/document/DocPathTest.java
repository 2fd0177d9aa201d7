package io.gatehouse.document;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

@Timeout(60)
class DocPathTest {
  private static final DocPath VALUE =
      DocPath.ROOT.key("routes").index(0).key("paths").index(1).key("value");

  @Test
  void renders_keys_and_indexes_in_the_dotted_form() {
    assertThat(VALUE).hasToString("routes[0].paths[1].value");
    assertThat(DocPath.ROOT.key("hosts").index(3)).hasToString("hosts[3]");
  }

  @Test
  void renders_the_json_pointer_with_rfc_6901_escapes() {
    assertThat(VALUE.pointer()).isEqualTo("/routes/0/paths/1/value");
    assertThat(DocPath.ROOT.key("a/b").key("c~d").pointer()).isEqualTo("/a~1b/c~0d");
  }

  @Test
  void the_root_renders_empty_in_both_forms() {
    assertThat(DocPath.ROOT).hasToString("");
    assertThat(DocPath.ROOT.pointer()).isEmpty();
    assertThat(DocPath.ROOT.isRoot()).isTrue();
    assertThat(VALUE.isRoot()).isFalse();
  }

  @Test
  void a_path_is_immutable_and_compares_by_its_segments() {
    DocPath routes = DocPath.ROOT.key("routes");
    DocPath first = routes.index(0);
    assertThat(routes).hasToString("routes");
    assertThat(first).isEqualTo(DocPath.ROOT.key("routes").index(0));
    assertThat(first).hasSameHashCodeAs(DocPath.ROOT.key("routes").index(0));
    assertThat(first).isNotEqualTo(DocPath.ROOT.key("routes").key("0"));
  }

  @Test
  void append_joins_a_relative_path() {
    DocPath route = DocPath.ROOT.key("routes").index(2);
    assertThat(route.append(DocPath.parse("backend.endpoints[0].address")))
        .hasToString("routes[2].backend.endpoints[0].address");
    assertThat(route.append(DocPath.ROOT)).isSameAs(route);
  }

  @Test
  void a_negative_index_is_a_programming_error() {
    assertThatThrownBy(() -> DocPath.ROOT.index(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parse_reads_validator_fields() {
    assertThat(DocPath.parse("tls.hsts.maxAge"))
        .isEqualTo(DocPath.ROOT.key("tls").key("hsts").key("maxAge"));
    assertThat(DocPath.parse("headers[10].name"))
        .isEqualTo(DocPath.ROOT.key("headers").index(10).key("name"));
    assertThat(DocPath.parse("")).isEqualTo(DocPath.ROOT);
  }

  @Test
  void parse_keeps_text_that_is_not_an_index_as_keys_and_never_throws() {
    for (String odd : List.of("a[x]", "a..b", ".a", "a.", "a.[0]", "[0]", "a[", "a[]", "a[-1]")) {
      assertThat(DocPath.parse(odd)).hasToString(odd);
    }
    assertThat(DocPath.parse("a[99999999999]")).hasToString("a[99999999999]");
  }

  @Test
  void parse_is_the_inverse_of_the_dotted_form() {
    Gen<Object> segment =
        Generate.pick(List.<Object>of("routes", "paths", "value", "x-y", "caBundle", "ä"))
            .mix(integers().between(0, 10_000).map(i -> (Object) i), 40);
    qt().forAll(lists().of(segment).ofSizeBetween(0, 8))
        .checkAssert(
            segments -> {
              DocPath p = DocPath.ROOT;
              for (Object s : segments) {
                p = s instanceof Integer i ? p.index(i) : p.key((String) s);
              }
              if (!segments.isEmpty() && segments.get(0) instanceof Integer) {
                return; // "[0]" at the root has no key before it: still rendered, not a key path
              }
              assertThat(DocPath.parse(p.toString())).isEqualTo(p);
            });
  }
}
