package io.gatehouse.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

class MisdirectedRequestsTest {
  static final ServedCertificate DEFAULT = DefaultCertificate.generate(Clock.systemUTC());
  static final CertificateIndex INDEX =
      CertificateIndex.of(DEFAULT)
          .next(
              DEFAULT,
              List.of(
                  TestCertificates.valid("a", "a.example", "www.a.example"),
                  TestCertificates.valid("wild", "*.wild.example")));

  @Test
  void no_sni_is_never_misdirected() {
    assertThat(MisdirectedRequests.misdirected(INDEX, null, "a.example")).isFalse();
    assertThat(MisdirectedRequests.misdirected(INDEX, "", "anything.example")).isFalse();
  }

  @Test
  void a_host_equal_to_the_sni_name_is_never_misdirected() {
    assertThat(MisdirectedRequests.misdirected(INDEX, "unknown.example", "unknown.example"))
        .isFalse();
    assertThat(MisdirectedRequests.misdirected(INDEX, "A.Example.", "a.example")).isFalse();
  }

  @Test
  void another_name_of_the_same_certificate_is_served() {
    assertThat(MisdirectedRequests.misdirected(INDEX, "a.example", "www.a.example")).isFalse();
    assertThat(MisdirectedRequests.misdirected(INDEX, "x.wild.example", "y.wild.example"))
        .isFalse();
  }

  @Test
  void a_host_outside_the_served_certificate_is_misdirected() {
    assertThat(MisdirectedRequests.misdirected(INDEX, "a.example", "b.example")).isTrue();
    assertThat(MisdirectedRequests.misdirected(INDEX, "x.wild.example", "a.b.wild.example"))
        .isTrue();
    assertThat(MisdirectedRequests.misdirected(INDEX, "x.wild.example", "wild.example")).isTrue();
    assertThat(MisdirectedRequests.misdirected(INDEX, "unknown.example", "a.example")).isTrue();
  }

  @Test
  void a_request_without_a_host_is_not_misdirected() {
    assertThat(MisdirectedRequests.misdirected(INDEX, "a.example", null)).isFalse();
  }
}
