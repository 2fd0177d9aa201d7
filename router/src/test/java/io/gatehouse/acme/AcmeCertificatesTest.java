package io.gatehouse.acme;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.CertificateKey;
import io.gatehouse.model.CertificateSpec;
import io.gatehouse.testing.TestPki;
import io.gatehouse.validate.CertificateValidator;
import io.gatehouse.validate.ValidCertificate;
import io.gatehouse.validate.Validated;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An issued certificate becomes a table entry the certificate validator accepts as it is. */
class AcmeCertificatesTest {
  @Test
  void an_issued_chain_and_key_round_trip_through_the_certificate_validator() {
    TestPki pki = TestPki.ca("acme test intermediate");
    TestPki.Issued leaf = pki.server(List.of("a.acme.test"), List.of());
    OrderOutcome.Issued issued =
        new OrderOutcome.Issued(
            List.of("a.acme.test"),
            List.of(leaf.cert(), pki.caCert().cert()),
            leaf.keys().getPrivate());

    CertificateSpec spec = AcmeCertificates.spec(CertificateKey.of("default", "acme-a"), issued);
    Validated<ValidCertificate> v = CertificateValidator.validate(spec, Clock.systemUTC());

    assertThat(v.isValid()).as(v.violations().toString()).isTrue();
    assertThat(v.value().chain()).containsExactly(leaf.cert(), pki.caCert().cert());
    assertThat(v.value().privateKey()).isEqualTo(leaf.keys().getPrivate());
    assertThat(spec.toString()).doesNotContain("PRIVATE KEY");
    assertThat(issued.toString()).contains("a.acme.test").doesNotContain("PRIVATE");
  }
}
