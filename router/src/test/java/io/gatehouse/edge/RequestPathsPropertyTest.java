package io.gatehouse.edge;

import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quicktheories.core.Gen;

@Timeout(60)
class RequestPathsPropertyTest {

  /** Pieces that make the normaliser work: slashes, dots, escapes of every kind, odd bytes. */
  private static final String[] PIECES = {
    "/", "/", "/", ".", "..", "a", "Z", "0", "~", "-", "_", "%2e", "%2E", "%2f", "%2F", "%5c",
        "%41",
    "%7e", "%25", "%", "%g", "%2", ";", "=", "@", ":", "!", "'", " ", "\\", "?", "#", "é", "\u0000"
  };

  private static Gen<String> paths() {
    Gen<String> piece = integers().between(0, PIECES.length - 1).map(i -> PIECES[i]);
    Gen<String> built =
        lists()
            .of(piece)
            .ofSizeBetween(0, 24)
            .map(
                (List<String> ps) -> {
                  StringBuilder b = new StringBuilder("/");
                  ps.forEach(b::append);
                  return b.toString();
                });
    return built.mix(strings().allPossible().ofLengthBetween(0, 20), 10);
  }

  @Test
  void normalise_is_idempotent() {
    qt().withExamples(20_000)
        .forAll(paths())
        .check(
            raw -> {
              String once = RequestPaths.normalize(raw);
              return once == null || once.equals(RequestPaths.normalize(once));
            });
  }

  @Test
  void normal_form_has_no_empty_or_dot_segments_and_starts_with_slash() {
    qt().withExamples(20_000)
        .forAll(paths())
        .check(
            raw -> {
              String n = RequestPaths.normalize(raw);
              return n == null
                  || (n.startsWith("/")
                      && !n.contains("//")
                      && !n.contains("/./")
                      && !n.contains("/../")
                      && !n.endsWith("/.")
                      && !n.endsWith("/.."));
            });
  }

  @Test
  void normal_form_holds_only_pchar_slash_and_upper_case_escapes_of_reserved_bytes() {
    qt().withExamples(20_000)
        .forAll(paths())
        .check(
            raw -> {
              String n = RequestPaths.normalize(raw);
              return n == null
                  || n.matches(
                      "(?:[A-Za-z0-9\\-._~!$&'()*+,;=:@/]|%(?!2E|2D|5F|7E|3[0-9]|[46][1-9A-F]"
                          + "|[57][0-9A])[0-9A-F]{2})*");
            });
  }
}
