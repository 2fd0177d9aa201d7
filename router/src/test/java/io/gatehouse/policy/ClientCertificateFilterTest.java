package io.gatehouse.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.ClientAuth;
import io.gatehouse.testing.TestPki;
import java.security.cert.Certificate;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ClientCertificateFilterTest {
  private static final TestPki CA = TestPki.ca("filter CA");
  private static final TestPki.Issued ALICE = CA.client("CN=alice");
  private static final TestPki.Issued STRANGER = TestPki.ca("other CA").client("CN=alice");

  private static ClientCertificateFilter required() {
    return new ClientCertificateFilter(
        ClientCertificateCheck.of(ClientAuth.required(CA.caPem())).value());
  }

  private static ClientCertificateFilter optional() {
    return new ClientCertificateFilter(
        ClientCertificateCheck.of(ClientAuth.optional(CA.caPem())).value());
  }

  @Test
  void a_verified_certificate_proceeds_and_its_verdict_goes_upstream() {
    FakeRequest r = FakeRequest.tls("a.example", ALICE.cert(), CA.caCert().cert());
    assertThat(required().admit(r)).isEqualTo(AdmissionFilter.PROCEED);
    assertThat(r.verdict.outcome()).isEqualTo(ClientCertificateCheck.Outcome.VERIFIED);
    assertThat(r.verdict.subject()).isEqualTo("CN=alice");
  }

  @Test
  void no_certificate_is_403_when_required_and_proceeds_as_absent_when_optional() {
    assertThat(required().admit(FakeRequest.tls("a.example"))).isEqualTo(403);
    FakeRequest r = FakeRequest.tls("a.example");
    assertThat(optional().admit(r)).isEqualTo(AdmissionFilter.PROCEED);
    assertThat(r.verdict.outcome()).isEqualTo(ClientCertificateCheck.Outcome.ABSENT);
  }

  @Test
  void plain_http_has_no_certificate() {
    assertThat(required().admit(FakeRequest.plain("a.example", "/"))).isEqualTo(403);
    FakeRequest r = FakeRequest.plain("a.example", "/");
    assertThat(optional().admit(r)).isEqualTo(AdmissionFilter.PROCEED);
    assertThat(r.verdict.outcome()).isEqualTo(ClientCertificateCheck.Outcome.ABSENT);
  }

  @Test
  void a_certificate_that_does_not_verify_is_403_in_both_modes() {
    assertThat(required().admit(FakeRequest.tls("a.example", STRANGER.cert()))).isEqualTo(403);
    FakeRequest r = FakeRequest.tls("a.example", STRANGER.cert());
    assertThat(optional().admit(r)).isEqualTo(403);
    assertThat(r.verdict).isNull();
  }

  @Test
  void a_connection_made_for_another_name_is_421_and_case_or_a_trailing_dot_do_not_count() {
    FakeRequest other = FakeRequest.tls("a.example", ALICE.cert());
    other.sni = "b.example";
    assertThat(required().admit(other)).isEqualTo(421);
    FakeRequest same = FakeRequest.tls("a.example", ALICE.cert());
    same.sni = "A.Example.";
    assertThat(required().admit(same)).isEqualTo(AdmissionFilter.PROCEED);
    FakeRequest none = FakeRequest.tls("a.example", ALICE.cert());
    none.sni = null;
    assertThat(required().admit(none)).isEqualTo(AdmissionFilter.PROCEED);
  }

  @Test
  void the_verdict_is_kept_on_the_connection_for_the_same_check_and_session() {
    ClientCertificateFilter f = required();
    AtomicInteger reads = new AtomicInteger();
    FakeRequest r = FakeRequest.tls("a.example");
    r.session = FakeRequest.session(new Certificate[] {ALICE.cert()}, reads);
    assertThat(f.admit(r)).isEqualTo(AdmissionFilter.PROCEED);
    assertThat(f.admit(r)).isEqualTo(AdmissionFilter.PROCEED);
    assertThat(reads).as("chain read once for two requests").hasValue(1);

    // A new session (renegotiation, resumption on a new connection) is checked again...
    r.session = FakeRequest.session(new Certificate[] {STRANGER.cert()}, reads);
    assertThat(f.admit(r)).isEqualTo(403);
    assertThat(reads).hasValue(2);
    // ...and so is another route's check on the same session.
    assertThat(optional().admit(r)).isEqualTo(403);
    assertThat(reads).hasValue(3);
  }

  @Test
  void without_a_connection_memo_every_request_is_checked() {
    ClientCertificateFilter f = required();
    AtomicInteger reads = new AtomicInteger();
    FakeRequest r = FakeRequest.tls("a.example");
    r.memo = null;
    r.session = FakeRequest.session(new Certificate[] {ALICE.cert()}, reads);
    assertThat(f.admit(r)).isEqualTo(AdmissionFilter.PROCEED);
    assertThat(f.admit(r)).isEqualTo(AdmissionFilter.PROCEED);
    assertThat(reads).hasValue(2);
  }
}
