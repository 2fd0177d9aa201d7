package io.gatehouse.ocsp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.testing.MutableClock;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stapler against a real responder: {@code openssl ocsp} answering from its index file behind a
 * loopback HTTP server (the server passes each request to it, so no fixed port is needed).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OcspStaplerIT {
  static final String FP = "leaf-fingerprint";

  @TempDir Path dir;
  Vertx vertx;
  OpensslResponder responder;
  OcspFixture pki;
  MutableClock clock;
  OcspStapler stapler;

  @BeforeEach
  void start() throws Exception {
    Assumptions.assumeTrue(
        OpensslResponder.available(), "openssl is not on PATH: the real responder cannot run");
    vertx = Vertx.vertx();
    responder = OpensslResponder.start(vertx, dir, "/ocsp");
    pki = responder.pki;
    clock = new MutableClock(Instant.now());
    stapler =
        new OcspStapler(
            vertx,
            clock,
            new OcspStapler.Settings(
                Duration.ofSeconds(5),
                Duration.ofMillis(300),
                Duration.ofMillis(100),
                Duration.ofMinutes(5)));
  }

  @AfterEach
  void stop() throws Exception {
    if (vertx != null) {
      if (stapler != null) {
        stapler.close().await(10, TimeUnit.SECONDS);
      }
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void a_good_response_is_stapled_and_a_revocation_takes_it_away() throws Exception {
    stapler.serve(Map.of(FP, new X509Certificate[] {pki.leaf, pki.ca}));
    await().atMost(Duration.ofSeconds(20)).until(() -> stapler.staple(FP) != null);
    byte[] staple = stapler.staple(FP);
    BasicOCSPResp basic = (BasicOCSPResp) new OCSPResp(staple).getResponseObject();
    assertThat(basic.getResponses()[0].getCertID().getSerialNumber())
        .isEqualTo(pki.leaf.getSerialNumber());
    assertThat(basic.getResponses()[0].getCertStatus()).isEqualTo(CertificateStatus.GOOD);
    assertThat(stapler.status())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.responder()).endsWith("/ocsp");
              assertThat(s.lastError()).isNull();
              assertThat(s.expires()).isAfter(clock.instant());
            });

    responder.revoke();
    await().atMost(Duration.ofSeconds(20)).until(() -> stapler.staple(FP) == null);
    assertThat(stapler.status().get(0).lastError()).isEqualTo("certificate revoked");
  }

  @Test
  void with_the_responder_down_the_response_in_hand_is_stapled_until_it_expires() throws Exception {
    stapler.serve(Map.of(FP, new X509Certificate[] {pki.leaf, pki.ca}));
    await().atMost(Duration.ofSeconds(20)).until(() -> stapler.staple(FP) != null);
    Instant expires = stapler.status().get(0).expires();
    int before = responder.requests.get();
    responder.close();
    await().atMost(Duration.ofSeconds(20)).until(() -> stapler.status().get(0).lastError() != null);
    assertThat(responder.requests.get()).isEqualTo(before);
    assertThat(stapler.staple(FP)).isNotNull();

    clock.set(expires.plusSeconds(1));
    assertThat(stapler.staple(FP)).isNull();
  }

  @Test
  void certificates_without_a_responder_or_an_issuer_are_not_tracked_and_gone_ones_forgotten() {
    OcspFixture noUrl = new OcspFixture("ldap://x.example/");
    stapler.serve(
        Map.of(
            "no-responder",
            new X509Certificate[] {noUrl.leaf, noUrl.ca},
            "no-issuer",
            new X509Certificate[] {pki.leaf},
            FP,
            new X509Certificate[] {pki.leaf, pki.ca}));
    assertThat(stapler.status()).extracting(OcspStapler.Status::fingerprint).containsExactly(FP);
    await().atMost(Duration.ofSeconds(20)).until(() -> stapler.staple(FP) != null);
    stapler.serve(Map.of());
    assertThat(stapler.status()).isEmpty();
    assertThat(stapler.staple(FP)).isNull();
  }
}
