package io.gatehouse.file;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.validate.RouteValidator;
import java.util.HashSet;
import java.util.Set;

/**
 * The translator's only answer to any text is a {@link RouteFileTranslator.Result}: validated
 * routes or line-numbered problems, never an exception. Replays {@code
 * RouteFileTranslatorFuzzTestInputs/} under {@code mvn verify}; fuzz with {@code JAZZER_FUZZ=1}.
 */
class RouteFileTranslatorFuzzTest {

  @FuzzTest(maxDuration = "60s")
  void any_text_gives_routes_or_problems(byte[] data) {
    String yaml = new String(data, java.nio.charset.StandardCharsets.UTF_8);
    RouteFileTranslator.Result result = RouteFileTranslator.translate(yaml);
    assertThat(result).isNotNull();
    if (!result.isValid()) {
      assertThat(result.routes()).as("a refused file yields no routes").isEmpty();
      int previous = 0;
      for (RouteFileTranslator.Problem p : result.problems()) {
        assertThat(p.message()).isNotBlank();
        assertThat(p.line()).isBetween(0, (int) yaml.lines().count() + 1);
        assertThat(p.line()).as("problems sorted by line").isGreaterThanOrEqualTo(previous);
        previous = p.line();
      }
      return;
    }
    Set<String> names = new HashSet<>();
    for (RouteSpec r : result.routes()) {
      assertThat(r.key().source()).isEqualTo(RouteFileTranslator.SOURCE);
      assertThat(names.add(r.key().tenant() + "/" + r.key().name()))
          .as("route names unique")
          .isTrue();
      // Already validated and normalised: validating again changes nothing.
      assertThat(RouteValidator.validate(r).value()).isEqualTo(r);
    }
  }
}
