package io.gatehouse.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Under plain {@code mvn verify} this replays the corpus in {@code RequestPathsFuzzTestInputs/};
 * run {@code JAZZER_FUZZ=1 ./mvnw -pl router test -Dtest=RequestPathsFuzzTest} to fuzz.
 */
class RequestPathsFuzzTest {

  @FuzzTest(maxDuration = "30s")
  void normalise_never_throws_and_its_output_is_normal(byte[] data) {
    String raw = new String(data, java.nio.charset.StandardCharsets.ISO_8859_1);
    String n = RequestPaths.normalize(raw);
    if (n == null) {
      return;
    }
    assertThat(n).startsWith("/").doesNotContain("//", "/./", "/../");
    assertThat(n.endsWith("/.") || n.endsWith("/..")).isFalse();
    assertThat(RequestPaths.normalize(n)).isEqualTo(n);
    for (int i = 0; i < n.length(); i++) {
      char c = n.charAt(i);
      assertThat(c).isBetween('!', '~');
      assertThat("\\#?\"<>[]^`{|} ".indexOf(c)).isNegative();
    }
  }
}
