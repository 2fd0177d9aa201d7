package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(10)
class HopByHopTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "connection",
        "Connection",
        "KEEP-ALIVE",
        "te",
        "TE",
        "upgrade",
        "trailer",
        "proxy-connection",
        "transfer-encoding",
        "Transfer-Encoding",
        "content-length"
      })
  void connection_and_framing_headers_are_hop_by_hop(String name) {
    assertThat(HopByHop.isHopByHop(name)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "host",
        "content-type",
        "x-te",
        "tee",
        "upgrades",
        "trailers-x",
        "x-connection",
        "authorization",
        "content-encoding",
        "transfer-encodinx",
        ""
      })
  void end_to_end_headers_are_kept(String name) {
    assertThat(HopByHop.isHopByHop(name)).isFalse();
  }

  @ParameterizedTest(name = "[{0}] names [{1}]: {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "close|close|true",
        "keep-alive, X-Foo|x-foo|true",
        "keep-alive,X-Foo|X-FOO|true",
        "  x-foo  ,close|x-foo|true",
        "x-foo\t, close|x-foo|true",
        "close,\tx-foo|x-foo|true",
        "x-foobar|x-foo|false",
        "x-fo|x-foo|false",
        "a-x-foo|x-foo|false",
        "',,,'|x-foo|false",
        "''|x-foo|false",
      })
  void named_in_connection_matches_whole_tokens(String connection, String name, boolean named) {
    assertThat(HopByHop.namedIn(connection, name)).isEqualTo(named);
  }

  @Test
  void no_connection_header_names_nothing() {
    assertThat(HopByHop.namedIn(null, "close")).isFalse();
  }
}
