package io.gatehouse.ocsp;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.ocsp.OcspResponses.Refused;
import io.gatehouse.ocsp.OcspResponses.Staple;
import io.gatehouse.ocsp.OcspResponses.Verdict;
import java.net.URI;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What is stapled and what is refused, one case per rule. */
class OcspResponsesTest {
  static final OcspFixture F = new OcspFixture("http://ocsp.test.example:8080/");
  static final CertificateID ID = OcspResponses.id(F.leaf, F.ca);
  static final Instant NOW = Instant.now();
  static final Duration SKEW = Duration.ofMinutes(5);
  static final KeyPair DELEGATE_KEYS = OcspFixture.keys();
  static final X509Certificate DELEGATE = F.delegate(DELEGATE_KEYS, true);
  static final X509Certificate NOT_FOR_OCSP = F.delegate(DELEGATE_KEYS, false);
  static final KeyPair STRANGER = OcspFixture.keys();

  static byte[] byCa(CertificateStatus status, Instant thisUpdate, Instant nextUpdate) {
    return OcspFixture.response(
        ID, status, thisUpdate, nextUpdate, F.ca, F.caKeys.getPrivate(), false);
  }

  record Case(String name, byte[] der, String refusal) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> cases() {
    Instant hourAgo = NOW.minus(Duration.ofHours(1));
    Instant inDay = NOW.plus(Duration.ofDays(1));
    CertificateID otherSerial =
        OcspResponses.id(
            OcspFixture.cert(
                "CN=Test OCSP CA",
                "CN=other.example",
                OcspFixture.keys(),
                F.caKeys.getPrivate(),
                NOW,
                false,
                null,
                false),
            F.ca);
    return Stream.of(
            new Case("good, signed by the issuer", byCa(null, hourAgo, inDay), null),
            new Case(
                "good, signed by a delegated responder",
                OcspFixture.response(
                    ID, null, hourAgo, inDay, DELEGATE, DELEGATE_KEYS.getPrivate(), true),
                null),
            new Case(
                "good, no nextUpdate, within an hour",
                byCa(null, NOW.minus(Duration.ofMinutes(10)), null),
                null),
            new Case("revoked", byCa(OcspFixture.revoked(), hourAgo, inDay), "certificate revoked"),
            new Case(
                "unknown",
                byCa(OcspFixture.unknown(), hourAgo, inDay),
                "certificate status unknown to the responder"),
            new Case(
                "stale: nextUpdate passed",
                byCa(null, NOW.minus(Duration.ofDays(2)), NOW.minus(Duration.ofMinutes(1))),
                "stale: nextUpdate"),
            new Case(
                "stale: no nextUpdate, older than an hour",
                byCa(null, NOW.minus(Duration.ofHours(2)), null),
                "stale: thisUpdate + 1h"),
            new Case(
                "thisUpdate in the future beyond the skew",
                byCa(null, NOW.plus(Duration.ofHours(1)), inDay),
                "is in the future"),
            new Case(
                "signed by a stranger",
                OcspFixture.response(ID, null, hourAgo, inDay, F.ca, STRANGER.getPrivate(), false),
                "not signed by the issuer or a responder it delegated"),
            new Case(
                "responder certificate without id-kp-OCSPSigning",
                OcspFixture.response(
                    ID, null, hourAgo, inDay, NOT_FOR_OCSP, DELEGATE_KEYS.getPrivate(), true),
                "not for OCSP signing"),
            new Case(
                "about another certificate",
                OcspFixture.response(
                    otherSerial, null, hourAgo, inDay, F.ca, F.caKeys.getPrivate(), false),
                "no status for this certificate"),
            new Case(
                "tryLater",
                OcspFixture.unsuccessful(OCSPResp.TRY_LATER),
                "responder status tryLater"),
            new Case("not OCSP at all", "<html>".getBytes(), "not an OCSP response"))
        .map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void a_response_is_stapled_only_when_every_check_passes(Case c) {
    Verdict v = OcspResponses.verdict(c.der(), ID, F.ca, NOW, SKEW);
    if (c.refusal() == null) {
      assertThat(v).isInstanceOf(Staple.class);
      Staple s = (Staple) v;
      assertThat(s.der()).isEqualTo(c.der());
      assertThat(s.expires()).isAfter(NOW);
    } else {
      assertThat(v).isInstanceOf(Refused.class);
      assertThat(((Refused) v).reason()).contains(c.refusal());
    }
  }

  @Test
  void a_staple_without_next_update_expires_an_hour_after_this_update() {
    Instant t = NOW.minus(Duration.ofMinutes(10));
    Staple s = (Staple) OcspResponses.verdict(byCa(null, t, null), ID, F.ca, NOW, SKEW);
    assertThat(s.expires())
        .isEqualTo(t.plus(Duration.ofHours(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
  }

  @Test
  void the_responder_is_the_http_ocsp_url_of_the_authority_information_access() throws Exception {
    assertThat(OcspResponses.responder(F.leaf))
        .contains(URI.create("http://ocsp.test.example:8080/"));
    assertThat(OcspResponses.responder(F.ca)).isEmpty();
    X509Certificate ldap = new OcspFixture("ldap://ocsp.test.example/").leaf;
    assertThat(OcspResponses.responder(ldap)).isEmpty();
  }

  @Test
  void the_request_names_the_certificate_by_issuer_hashes_and_serial() throws Exception {
    OCSPReq req = new OCSPReq(OcspResponses.request(ID));
    assertThat(req.getRequestList()).hasSize(1);
    assertThat(req.getRequestList()[0].getCertID()).isEqualTo(ID);
    assertThat(req.getRequestList()[0].getCertID().getSerialNumber())
        .isEqualTo(F.leaf.getSerialNumber());
    assertThat(ID.getHashAlgOID()).isEqualTo(CertificateID.HASH_SHA1.getAlgorithm());
  }
}
