package io.gatehouse.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.certificate.CertificateIndex;
import io.gatehouse.certificate.DefaultCertificate;
import io.gatehouse.certificate.ServedCertificate;
import io.gatehouse.certificate.TestCertificates;
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

  /** As the router asks: with the names of the certificate the handshake got for {@code sni}. */
  private static boolean misdirected(String sni, String host) {
    return MisdirectedRequests.misdirected(INDEX.lookup(sni).dnsNames(), sni, host);
  }

  @Test
  void the_verdict_follows_the_certificate_the_handshake_got_not_the_index() {
    // The index now serves a.example with a certificate without www; the connection got one with.
    List<String> served = List.of("a.example", "www.a.example");
    assertThat(MisdirectedRequests.misdirected(served, "a.example", "www.a.example")).isFalse();
    assertThat(MisdirectedRequests.misdirected(List.of("a.example"), "a.example", "www.a.example"))
        .isTrue();
  }

  @Test
  void a_session_without_a_local_certificate_has_no_names() {
    assertThat(MisdirectedRequests.dnsNames(null)).isEmpty();
  }

  @Test
  void no_sni_is_never_misdirected() {
    assertThat(misdirected(null, "a.example")).isFalse();
    assertThat(misdirected("", "anything.example")).isFalse();
  }

  @Test
  void a_host_equal_to_the_sni_name_is_never_misdirected() {
    assertThat(misdirected("unknown.example", "unknown.example")).isFalse();
    assertThat(misdirected("A.Example.", "a.example")).isFalse();
  }

  @Test
  void another_name_of_the_same_certificate_is_served() {
    assertThat(misdirected("a.example", "www.a.example")).isFalse();
    assertThat(misdirected("x.wild.example", "y.wild.example")).isFalse();
  }

  @Test
  void a_host_outside_the_served_certificate_is_misdirected() {
    assertThat(misdirected("a.example", "b.example")).isTrue();
    assertThat(misdirected("x.wild.example", "a.b.wild.example")).isTrue();
    assertThat(misdirected("x.wild.example", "wild.example")).isTrue();
    assertThat(misdirected("unknown.example", "a.example")).isTrue();
  }

  @Test
  void a_request_without_a_host_is_not_misdirected() {
    assertThat(misdirected("a.example", null)).isFalse();
  }
}
