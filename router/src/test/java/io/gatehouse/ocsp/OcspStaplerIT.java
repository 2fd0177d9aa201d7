package io.gatehouse.ocsp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.testing.MutableClock;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
  static final DateTimeFormatter INDEX_TIME =
      DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);

  @TempDir Path dir;
  Vertx vertx;
  HttpServer responder;
  final AtomicInteger requests = new AtomicInteger();
  OcspFixture pki;
  MutableClock clock;
  OcspStapler stapler;

  @BeforeEach
  void start() throws Exception {
    Assumptions.assumeTrue(openssl(), "openssl is not on PATH: the real responder cannot run");
    vertx = Vertx.vertx();
    responder =
        vertx
            .createHttpServer()
            .requestHandler(
                req ->
                    req.body()
                        .compose(
                            body ->
                                vertx.executeBlocking(
                                    () -> {
                                      requests.incrementAndGet();
                                      return answer(body.getBytes());
                                    }))
                        .onSuccess(
                            der ->
                                req.response()
                                    .putHeader("content-type", "application/ocsp-response")
                                    .end(io.vertx.core.buffer.Buffer.buffer(der)))
                        .onFailure(t -> req.response().setStatusCode(500).end()))
            .listen(0, "127.0.0.1")
            .await(10, TimeUnit.SECONDS);
    pki = new OcspFixture("http://127.0.0.1:" + responder.actualPort() + "/ocsp");
    Files.writeString(dir.resolve("ca.pem"), pem("CERTIFICATE", pki.ca.getEncoded()));
    Files.writeString(
        dir.resolve("ca.key"), pem("PRIVATE KEY", pki.caKeys.getPrivate().getEncoded()));
    index('V');
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

    index('R');
    await().atMost(Duration.ofSeconds(20)).until(() -> stapler.staple(FP) == null);
    assertThat(stapler.status().get(0).lastError()).isEqualTo("certificate revoked");
  }

  @Test
  void with_the_responder_down_the_response_in_hand_is_stapled_until_it_expires() throws Exception {
    stapler.serve(Map.of(FP, new X509Certificate[] {pki.leaf, pki.ca}));
    await().atMost(Duration.ofSeconds(20)).until(() -> stapler.staple(FP) != null);
    Instant expires = stapler.status().get(0).expires();
    int before = requests.get();
    responder.close().await(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(20)).until(() -> stapler.status().get(0).lastError() != null);
    assertThat(requests.get()).isEqualTo(before);
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

  /** The index {@code openssl ocsp} answers from: the leaf valid ('V') or revoked ('R'). */
  private void index(char state) throws IOException {
    X509Certificate leaf = pki.leaf;
    String serial = leaf.getSerialNumber().toString(16).toUpperCase(java.util.Locale.ROOT);
    if (serial.length() % 2 == 1) {
      serial = "0" + serial;
    }
    String expiry = INDEX_TIME.format(leaf.getNotAfter().toInstant());
    String revoked = state == 'R' ? INDEX_TIME.format(Instant.now().minusSeconds(60)) : "";
    String line =
        state
            + "\t"
            + expiry
            + "\t"
            + revoked
            + "\t"
            + serial
            + "\tunknown\t/"
            + leaf.getSubjectX500Principal().getName().replace(",", "/")
            + "\n";
    Path tmp = dir.resolve("index.txt.new");
    Files.writeString(tmp, line);
    Files.move(
        tmp,
        dir.resolve("index.txt"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** Runs {@code openssl ocsp} on one request, as a responder would. */
  private byte[] answer(byte[] request) throws Exception {
    Path req = Files.createTempFile(dir, "req", ".der");
    Path resp = dir.resolve(req.getFileName() + ".resp");
    Files.write(req, request);
    Process p =
        new ProcessBuilder(
                "openssl", "ocsp",
                "-index", dir.resolve("index.txt").toString(),
                "-CA", dir.resolve("ca.pem").toString(),
                "-rsigner", dir.resolve("ca.pem").toString(),
                "-rkey", dir.resolve("ca.key").toString(),
                "-reqin", req.toString(),
                "-respout", resp.toString(),
                "-ndays", "1")
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException("openssl ocsp failed: " + out);
    }
    return Files.readAllBytes(resp);
  }

  private static boolean openssl() {
    try {
      Process p = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
