package io.gatehouse.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RequestPathsTest {

  record Case(String raw, String expected) {}

  private static Arguments row(String name, String raw, String expected) {
    return Arguments.of(named(name, new Case(raw, expected)));
  }

  static Stream<Arguments> normalised() {
    return Stream.of(
        row("root-is-kept", "/", "/"),
        row("plain-path-is-kept", "/a/b", "/a/b"),
        row("trailing-slash-is-kept", "/a/b/", "/a/b/"),
        row("dot-dot-removes-previous-segment", "/a/../b", "/b"),
        row("encoded-dot-dot-is-resolved", "/%2e%2e/etc", "/etc"),
        row("mixed-case-encoded-dots-are-resolved", "/a/%2E%2e/%2e/etc/passwd", "/etc/passwd"),
        row("half-encoded-dot-dot-is-resolved", "/a/.%2e/b", "/b"),
        row("repeated-slashes-are-merged", "//a///b", "/a/b"),
        row("dot-segment-is-removed", "/a/./b/", "/a/b/"),
        row("final-dot-leaves-a-trailing-slash", "/a/.", "/a/"),
        row("final-dot-dot-leaves-a-trailing-slash", "/a/b/..", "/a/"),
        row("climbing-above-root-stays-at-root", "/../../x", "/x"),
        row("only-dot-dot-is-root", "/..", "/"),
        row("segment-then-dot-dot-is-root", "/a/..", "/"),
        row("encoded-dot-alone-is-root", "/%2e", "/"),
        row("slashes-only-are-root", "///", "/"),
        row("three-dots-are-a-name", "/...", "/..."),
        row("dot-prefixed-name-is-kept", "/.well-known/acme", "/.well-known/acme"),
        row("dots-inside-a-segment-are-kept", "/a/..b/c..", "/a/..b/c.."),
        row("encoded-slash-stays-encoded", "/a%2Fb", "/a%2Fb"),
        row("encoded-slash-hex-is-upper-cased", "/a%2fb", "/a%2Fb"),
        row("encoded-backslash-stays-encoded", "/a%5cb", "/a%5Cb"),
        row("encoded-slash-never-forms-a-dot-segment", "/a/%2e%2e%2fb", "/a/..%2Fb"),
        row("encoded-unreserved-letter-is-decoded", "/%41", "/A"),
        row("encoded-unreserved-marks-are-decoded", "/%7euser/%2D%5f", "/~user/-_"),
        row("encoded-space-stays-encoded", "/a%20b", "/a%20b"),
        row("encoded-non-ascii-stays-encoded-upper-case", "/caf%c3%a9", "/caf%C3%A9"),
        row("sub-delims-colon-and-at-are-allowed", "/a:b@c!$&'()*+,;=", "/a:b@c!$&'()*+,;="),
        row("bad-hex-is-refused", "/%zz", null),
        row("truncated-escape-is-refused", "/a%4", null),
        row("lone-percent-is-refused", "/a%", null),
        row("space-is-refused", "/a b", null),
        row("backslash-is-refused", "/a\\b", null),
        row("fragment-is-refused", "/a#b", null),
        row("question-mark-is-refused", "/a?b", null),
        row("control-character-is-refused", "/a\tb", null),
        row("nul-is-refused", "/a\u0000", null),
        row("non-ascii-is-refused", "/caf\u00e9", null),
        row("bad-char-after-escape-is-refused", "/%41 b", null),
        row("relative-path-is-refused", "a/b", null),
        row("asterisk-form-is-refused", "*", null),
        row("empty-path-is-refused", "", null));
  }

  @ParameterizedTest
  @MethodSource("normalised")
  void each_request_path_normalises_as_expected(Case c) {
    String result = RequestPaths.normalize(c.raw());
    assertThat(result).isEqualTo(c.expected());
    if (c.raw().equals(c.expected())) {
      assertThat(result).as("unchanged path is the same instance").isSameAs(c.raw());
    }
  }

  @ParameterizedTest
  @MethodSource("normalised")
  void normalising_a_normalised_path_returns_the_same_instance(Case c) {
    String once = RequestPaths.normalize(c.raw());
    if (once != null) {
      assertThat(RequestPaths.normalize(once)).isSameAs(once);
    }
  }
}
