package io.gatehouse.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.PathMatch;
import io.gatehouse.model.policy.PathModifier;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PathRewritesTest {
  /** Gateway API's table for ReplacePrefixMatch (HTTPPathModifier), plus the root prefix. */
  @ParameterizedTest(name = "{0} matched by {1}, replaced by \"{2}\" -> {3}")
  @CsvSource(
      delimiter = '|',
      emptyValue = "",
      value = {
        "/foo/bar | /foo  | /xyz  | /xyz/bar",
        "/foo/bar | /foo  | /xyz/ | /xyz/bar",
        "/foo/bar | /foo/ | /xyz  | /xyz/bar",
        "/foo/bar | /foo/ | /xyz/ | /xyz/bar",
        "/foo     | /foo  | /xyz  | /xyz",
        "/foo/    | /foo  | /xyz  | /xyz/",
        "/foo/bar | /foo  | ''    | /bar",
        "/foo/    | /foo  | ''    | /",
        "/foo     | /foo  | ''    | /",
        "/foo/    | /foo  | /     | /",
        "/foo     | /foo  | /     | /",
        "/foo/bar | /     | /xyz  | /xyz/foo/bar",
        "/        | /     | /xyz  | /xyz/",
        "/        | /     | ''    | /",
        "/foo/bar | /     | /     | /foo/bar",
        "/a/b/c   | /a/b  | /z    | /z/c",
        "/a%2Fb/c | /a%2Fb | /z   | /z/c",
      })
  void a_prefix_is_replaced_at_segment_boundaries_as_gateway_api_defines(
      String path, String prefix, String replacement, String expected) {
    PathRewrites r =
        new PathRewrites(PathModifier.prefixMatch(replacement), List.of(PathMatch.prefix(prefix)));
    assertThat(r.apply(path)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} with prefixes {1} matches {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "/foobar     | /foo         | -",
        "/foo        | /foo         | /foo",
        "/foo/x      | /foo,/foo/x  | /foo/x",
        "/foo/xy     | /foo,/foo/x  | /foo",
        "/other      | /foo,/       | /",
      })
  void the_longest_route_prefix_that_covers_whole_segments_is_the_matched_one(
      String path, String prefixes, String expected) {
    List<PathMatch> paths =
        java.util.Arrays.stream(prefixes.split(",")).map(PathMatch::prefix).toList();
    PathRewrites r = new PathRewrites(PathModifier.prefixMatch("/z"), paths);
    assertThat(r.matchedPrefix(path)).isEqualTo(expected.equals("-") ? null : expected);
    if (expected.equals("-")) {
      assertThat(r.apply(path)).as("no prefix: the path is kept").isEqualTo(path);
    }
  }

  @ParameterizedTest
  @CsvSource({"/a/b, /x", "/, /x/", "/a/b/, /"})
  void a_full_path_replaces_the_whole_path_whatever_the_request(String path, String full) {
    PathRewrites r =
        new PathRewrites(PathModifier.fullPath(full), List.of(PathMatch.exact("/ignored")));
    assertThat(r.apply(path)).isEqualTo(full);
  }
}
