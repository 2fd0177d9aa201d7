package io.gatehouse.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.ClientAuth;
import io.gatehouse.testing.TestPki;
import java.security.cert.Certificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A route's client-certificate check: its verdicts and the subject it forwards. */
@Timeout(30)
class ClientCertificateCheckTest {
  private static final TestPki CA = TestPki.ca("check CA");

  @Test
  void a_client_certificate_is_absent_refused_or_accepted() {
    ClientCertificateCheck check =
        ClientCertificateCheck.of(ClientAuth.required(CA.caPem())).value();
    TestPki.Issued alice = CA.client("CN=alice");
    TestPki.Issued stranger = TestPki.ca("other").client("CN=alice");
    assertThat(check.check(null).outcome()).isEqualTo(ClientCertificateCheck.Outcome.ABSENT);
    assertThat(check.check(new Certificate[] {stranger.cert()}).outcome())
        .isEqualTo(ClientCertificateCheck.Outcome.REFUSED);
    ClientCertificateCheck.Result ok =
        check.check(new Certificate[] {alice.cert(), CA.caCert().cert()});
    assertThat(ok.outcome()).isEqualTo(ClientCertificateCheck.Outcome.VERIFIED);
    assertThat(ok.subject()).isEqualTo("CN=alice");
    assertThat(ok.sha256()).hasSize(64);
  }

  @Test
  void subjects_are_made_header_safe() {
    assertThat(ClientCertificateCheck.headerSafe("CN=Zoë 100%,O=Ex"))
        .isEqualTo("CN=Zo%C3%AB 100%25,O=Ex");
    assertThat(ClientCertificateCheck.headerSafe("CN=a\nb")).isEqualTo("CN=a%0Ab");
    assertThat(ClientCertificateCheck.headerSafe("CN=plain")).isEqualTo("CN=plain");
  }
}
