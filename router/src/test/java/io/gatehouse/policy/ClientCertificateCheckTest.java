package io.gatehouse.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.ClientAuth;
import io.gatehouse.testing.TestPki;
import java.io.ByteArrayInputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
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

  private static TestPki.Issued issue(String cn, TestPki.Issued issuer, boolean ca) {
    Instant now = Instant.now();
    return TestPki.issue(
        TestPki.ec(),
        cn,
        List.of(),
        now.minus(1, ChronoUnit.HOURS),
        now.plus(1, ChronoUnit.DAYS),
        issuer,
        ca);
  }

  private static ClientCertificateCheck.Outcome depth(int verifyDepth, Certificate... chain) {
    return ClientCertificateCheck.of(
            new ClientAuth(ClientAuth.Mode.REQUIRED, CA.caPem(), verifyDepth, false))
        .value()
        .check(chain)
        .outcome();
  }

  @Test
  void the_verify_depth_bounds_the_intermediates_between_the_leaf_and_the_bundle() {
    TestPki.Issued inter1 = issue("Inter 1", CA.caCert(), true);
    TestPki.Issued inter2 = issue("Inter 2", inter1, true);
    Certificate direct = CA.client("CN=direct").cert();
    Certificate[] one = {issue("one", inter1, false).cert(), inter1.cert(), CA.caCert().cert()};
    Certificate[] two = {issue("two", inter2, false).cert(), inter2.cert(), inter1.cert()};
    ClientCertificateCheck.Outcome verified = ClientCertificateCheck.Outcome.VERIFIED;
    ClientCertificateCheck.Outcome refused = ClientCertificateCheck.Outcome.REFUSED;
    assertThat(List.of(depth(1, direct), depth(1, one), depth(1, two)))
        .as("ingress-nginx's default 1")
        .containsExactly(verified, verified, refused);
    assertThat(depth(2, two)).isEqualTo(verified);
    assertThat(depth(0, two)).as("0: no limit").isEqualTo(verified);
    assertThat(depth(1, two[0], two[1]))
        .as("a chain that stops short does not verify")
        .isEqualTo(refused);
  }

  @Test
  void a_passed_certificate_is_the_leaf_as_url_encoded_pem_as_nginx_escapes_it() throws Exception {
    TestPki.Issued alice = CA.client("CN=alice");
    ClientCertificateCheck passing =
        ClientCertificateCheck.of(new ClientAuth(ClientAuth.Mode.REQUIRED, CA.caPem(), 1, true))
            .value();
    ClientCertificateCheck.Result r = passing.check(new Certificate[] {alice.cert()});
    String sent = r.certificate();
    assertThat(sent)
        .startsWith("-----BEGIN%20CERTIFICATE-----%0AMI")
        .endsWith("-----END%20CERTIFICATE-----%0A");
    assertThat(sent).matches("[A-Za-z0-9._~%-]+");
    String pem = URLDecoder.decode(sent, StandardCharsets.UTF_8);
    assertThat(pem.split("\n")).allMatch(line -> line.length() <= 64);
    Certificate decoded =
        CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    assertThat(decoded).isEqualTo(alice.cert());
    assertThat(r.toString()).doesNotContain("BEGIN");

    ClientCertificateCheck notPassing =
        ClientCertificateCheck.of(ClientAuth.required(CA.caPem())).value();
    assertThat(notPassing.check(new Certificate[] {alice.cert()}).certificate()).isNull();
  }
}
