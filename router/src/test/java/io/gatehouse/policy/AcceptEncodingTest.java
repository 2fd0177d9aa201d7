package io.gatehouse.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AcceptEncodingTest {
  private static final String[] BR_GZIP = {"br", "gzip"};

  /** Offered: br then gzip (the policy's order). Expected: the coding picked, or "-". */
  @ParameterizedTest(name = "{0}: ''{1}'' -> {2}")
  @CsvSource(
      delimiter = '|',
      nullValues = "NULL",
      value = {
        "no header gives none | NULL | -",
        "an empty header accepts identity only | '' | -",
        "one coding | gzip | gzip",
        "equal weights go to the policy's order | gzip, br | br",
        "a higher weight wins over the order | br;q=0.5, gzip | gzip",
        "q=0 excludes | br;q=0, gzip | gzip",
        "q=0 on every offered coding gives none | br;q=0, gzip;q=0.000 | -",
        "star accepts what is not named | * | br",
        "star does not lift a named q=0 | br;q=0, * | gzip",
        "star with q=0 excludes the unnamed | gzip, *;q=0 | gzip",
        "star with q=0 alone gives none | *;q=0 | -",
        "a named weight beats the star's | *;q=0.9, gzip;q=1 | gzip",
        "an unnamed coding takes the star's weight | gzip;q=0.1, *;q=0.5 | br",
        "identity alone gives none | identity | -",
        "an unknown coding gives none | deflate, zstd | -",
        "case does not matter | GZip;Q=0.8, BR;q=0.7 | gzip",
        "x-gzip is gzip | x-gzip | gzip",
        "whitespace around tokens and parameters | ' br ; q=0.3 ,  gzip ; q=0.2' | br",
        "other parameters are ignored | gzip;level=1;q=1 | gzip",
        "a malformed weight accepts nothing | br;q=2, gzip;q=0.5 | gzip",
        "more than three decimals is malformed | br;q=0.0001, gzip;q=0.001 | gzip",
        "a weight above 1 is malformed | br;q=1.001, gzip | gzip",
        "q=1.000 is the top weight | br;q=1.000, gzip;q=0.999 | br",
        "empty list members are skipped | ',, gzip ,' | gzip",
        "a repeated coding keeps its lowest weight | br, br;q=0, gzip;q=0.1 | gzip",
        "q without a value accepts nothing | br;q=, gzip;q=0.2 | gzip",
      })
  void picks_the_coding_rfc_9110_says(String name, String header, String expected) {
    int k = AcceptEncoding.choose(header, BR_GZIP);
    assertThat(k < 0 ? "-" : BR_GZIP[k]).as(name).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "gzip only offered, br asked | br | -",
        "gzip only offered, star | * | gzip",
        "gzip only offered, gzip asked | br, gzip;q=0.1 | gzip",
      })
  void only_offered_codings_are_picked(String name, String header, String expected) {
    String[] gzip = {"gzip"};
    int k = AcceptEncoding.choose(header, gzip);
    assertThat(k < 0 ? "-" : gzip[k]).as(name).isEqualTo(expected);
  }
}
