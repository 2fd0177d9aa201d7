package io.gatehouse.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GrpcHealthMessagesTest {
  private static final HexFormat HEX = HexFormat.of();

  @ParameterizedTest(name = "service \"{0}\" -> {1}")
  @CsvSource({"'', 0000000000", "app, 00000000050a03617070"})
  void the_request_is_one_frame_with_the_service_as_field_one(String service, String hex) {
    assertThat(HEX.formatHex(GrpcHealthMessages.request(service))).isEqualTo(hex);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "serving, 00000000020801, 1",
    "not serving, 00000000020802, 2",
    "empty is unknown, 0000000000, 0",
    "unknown fields skipped, 000000000c1203616263080125000000ff, 1",
    "unknown fields before the status, 00000000071203616263 0801, 1",
    "compressed, 01000000020801, -1",
    "length disagrees, 00000000030801, -1",
    "cut varint, 000000000108, -1",
    "too short, 000000, -1",
  })
  void the_status_is_read_from_field_one_and_anything_malformed_is_refused(
      String name, String hex, int status) {
    assertThat(GrpcHealthMessages.status(HEX.parseHex(hex.replace(" ", "")))).isEqualTo(status);
  }

  @ParameterizedTest(name = "status {0}")
  @CsvSource({"0", "1", "2", "3"})
  void a_response_encodes_what_it_decodes(int status) {
    assertThat(GrpcHealthMessages.status(GrpcHealthMessages.response(status))).isEqualTo(status);
  }
}
