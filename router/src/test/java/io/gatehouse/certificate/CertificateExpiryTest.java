package io.gatehouse.certificate;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.CertificateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CertificateExpiryTest {
  static final ServedCertificate GENERATED = DefaultCertificate.generate(Clock.systemUTC());

  static ServedCertificate expiringIn(String name, Duration left) {
    return ServedCertificate.of(
        TestCertificates.validate(
            TestCertificates.spec(
                CertificateKey.of("acme", name), Instant.now().plus(left), name + ".example")),
        ServedCertificate.Source.TABLE);
  }

  @Test
  void whole_days_left_and_soon_below_fourteen_days() {
    ServedCertificate c = expiringIn("a", Duration.ofDays(14).minusMinutes(1));
    CertificateExpiry e = CertificateExpiry.of(c, Instant.now());
    assertThat(e.daysLeft()).isEqualTo(13);
    assertThat(e.expiringSoon()).isTrue();
    assertThat(e.tenant()).isEqualTo("acme");
    assertThat(e.source()).isEqualTo("table");
    assertThat(e.dnsNames()).containsExactly("a.example");
    CertificateExpiry later = CertificateExpiry.of(c, c.notAfter().minus(Duration.ofDays(15)));
    assertThat(later.expiringSoon()).isFalse();
    assertThat(later.daysLeft()).isEqualTo(15);
    assertThat(CertificateExpiry.of(c, c.notAfter().plusSeconds(1)).daysLeft()).isEqualTo(-1);
  }

  @Test
  void the_index_lists_the_generated_default_and_every_served_certificate_once() {
    CertificateIndex index =
        CertificateIndex.of(GENERATED)
            .next(
                GENERATED,
                List.of(TestCertificates.valid("dir", "dir.example")),
                Map.of(
                    "t.example",
                    TestCertificates.validate(TestCertificates.spec("acme", "t", "t.example"))),
                Set.of("t.example"));
    assertThat(CertificateExpiry.of(index, Instant.now()))
        .extracting(CertificateExpiry::name, CertificateExpiry::source)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(GENERATED.name(), "generated"),
            org.assertj.core.groups.Tuple.tuple("test/dir", "directory"),
            org.assertj.core.groups.Tuple.tuple("acme/t", "table"));
  }
}
