package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(10)
class GrpcRepliesTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    // The gRPC project's HTTP-to-gRPC table (http-grpc-status-mapping.md).
    "400, 13", // INTERNAL
    "401, 16", // UNAUTHENTICATED
    "403, 7", // PERMISSION_DENIED
    "404, 12", // UNIMPLEMENTED
    "429, 14", // UNAVAILABLE
    "502, 14",
    "503, 14",
    // Where Gatehouse knows more than the code says.
    "504, 4", // a deadline of the call passed: DEADLINE_EXCEEDED, never retried as UNAVAILABLE
    "408, 4",
    "413, 8", // RESOURCE_EXHAUSTED
    "431, 8",
    "421, 14", // another connection will do
    "501, 12",
    "500, 2", // UNKNOWN
    "418, 2"
  })
  void gatehouse_answers_map_to_grpc_statuses(int http, int grpc) {
    assertThat(GrpcReplies.statusFor(http)).isEqualTo(grpc);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "application/grpc",
        "application/grpc+proto",
        "application/grpc+json",
        "Application/GRPC",
        "application/grpc; charset=utf-8",
        "application/grpc-web",
        "application/grpc-web-text+proto"
      })
  void grpc_content_types_are_recognised(String contentType) {
    assertThat(GrpcReplies.isGrpc(contentType)).isTrue();
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"application/json", "application/grpcx", "application/grp", "text/grpc"})
  void other_content_types_are_not_grpc(String contentType) {
    assertThat(GrpcReplies.isGrpc(contentType)).isFalse();
  }

  @Test
  void printable_ascii_is_sent_as_it_is() {
    assertThat(GrpcReplies.percentEncode("gatehouse: 503 Service Unavailable"))
        .isEqualTo("gatehouse: 503 Service Unavailable");
  }

  @Test
  void percent_non_ascii_and_controls_are_percent_encoded_as_utf8() {
    assertThat(GrpcReplies.percentEncode("100% sûr\n✓")).isEqualTo("100%25 s%C3%BBr%0A%E2%9C%93");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "1H, 3600000000000",
    "2M, 120000000000",
    "3S, 3000000000",
    "250m, 250000000",
    "7u, 7000",
    "99999999n, 99999999",
    "0m, 0"
  })
  void grpc_timeout_values_are_read_in_their_unit(String value, long nanos) {
    assertThat(GrpcReplies.timeoutNanos(value)).isEqualTo(nanos);
  }

  @Test
  void the_largest_timeouts_do_not_overflow() {
    assertThat(GrpcReplies.timeoutNanos("99999999M")).isEqualTo(99_999_999L * 60_000_000_000L);
    assertThat(GrpcReplies.timeoutNanos("99999999H")).isEqualTo(Long.MAX_VALUE);
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"S", "10", "10s", "10 S", "-1S", "+1S", "123456789S", "1.5S", "10x"})
  void malformed_grpc_timeouts_are_ignored(String value) {
    assertThat(GrpcReplies.timeoutNanos(value)).isEqualTo(-1);
  }
}
