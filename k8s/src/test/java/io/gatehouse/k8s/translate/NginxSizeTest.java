package io.gatehouse.k8s.translate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NginxSizeTest {
  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource(
      nullValues = "none",
      value = {
        "0, 0",
        "1024, 1024",
        "8b, 8",
        "8B, 8",
        "8k, 8192",
        "8K, 8192",
        "1m, 1048576",
        "1M, 1048576",
        "2g, 2147483648",
        "8589934591g, 9223372035781033984",
        "8589934592g, 9223372036854775807",
        "999999999999g, 9223372036854775807",
        "'', none",
        "k, none",
        "1.5m, none",
        "-1, none",
        "1 m, none",
        "1mb, none",
        "1t, none",
        "1234567890123, none"
      })
  void reads_nginx_sizes_as_ingress_nginx_validates_them_and_never_wraps(String v, String bytes) {
    Long n = NginxSize.bytes(v);
    if (bytes == null) {
      assertThat(n).isNull();
    } else {
      assertThat(n).isEqualTo(Long.parseLong(bytes));
    }
  }
}
