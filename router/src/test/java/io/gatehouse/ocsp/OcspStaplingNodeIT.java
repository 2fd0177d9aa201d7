package io.gatehouse.ocsp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.node.NodeConfig;
import io.gatehouse.testing.NodeFixture;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.net.OpenSSLEngineOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node staples its certificate's OCSP response: {@code openssl s_client -status} sees a good
 * response from the certificate's responder ({@code openssl ocsp} behind a loopback server), and
 * none once the certificate is revoked. Skipped without {@code openssl} or the OpenSSL engine.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class OcspStaplingNodeIT {
  static final String HOST = "leaf.example";
  static final DateTimeFormatter INDEX_TIME =
      DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);

  @TempDir Path dir;
  Vertx vertx;
  HttpServer responder;
  OcspFixture pki;
  NodeFixture node;

  @BeforeEach
  void start() throws Exception {
    assumeThat(openssl()).as("openssl on PATH").isTrue();
    assumeThat(OpenSSLEngineOptions.isAvailable()).as("the OpenSSL engine loads").isTrue();
    vertx = Vertx.vertx();
    responder =
        vertx
            .createHttpServer()
            .requestHandler(
                req ->
                    req.body()
                        .compose(body -> vertx.executeBlocking(() -> answer(body.getBytes())))
                        .onSuccess(
                            der ->
                                req.response()
                                    .putHeader("content-type", "application/ocsp-response")
                                    .end(Buffer.buffer(der)))
                        .onFailure(t -> req.response().setStatusCode(500).end()))
            .listen(0, "127.0.0.1")
            .await(10, TimeUnit.SECONDS);
    pki = new OcspFixture("http://127.0.0.1:" + responder.actualPort() + "/");
    Files.writeString(dir.resolve("ca.pem"), pem("CERTIFICATE", pki.ca.getEncoded()));
    Files.writeString(
        dir.resolve("ca.key"), pem("PRIVATE KEY", pki.caKeys.getPrivate().getEncoded()));
    index('V');
    Path certs = Files.createDirectory(dir.resolve("certs"));
    Files.writeString(
        certs.resolve("leaf.crt"),
        pem("CERTIFICATE", pki.leaf.getEncoded()) + pem("CERTIFICATE", pki.ca.getEncoded()));
    Files.writeString(
        certs.resolve("leaf.key"), pem("PRIVATE KEY", pki.leafKeys.getPrivate().getEncoded()));
    NodeConfig.Tls tls =
        new NodeConfig.Tls(
            true,
            "127.0.0.1",
            0,
            certs.toString(),
            "",
            NodeConfig.Tls.Engine.OPENSSL,
            Duration.ofSeconds(1));
    node = NodeFixture.start(c -> c.withTls(tls), NodeFixture.route("r", HOST, "127.0.0.1:9"));
  }

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.close();
    }
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void the_handshake_carries_the_certificates_good_ocsp_response() throws Exception {
    await().atMost(Duration.ofSeconds(30)).until(() -> status().contains("Cert Status: good"));
    String out = status();
    assertThat(out).contains("OCSP Response Status: successful");
    assertThat(out).contains("Serial Number: " + serial());
    JsonArray ocsp = statusJson();
    assertThat(ocsp).hasSize(1);
    assertThat(ocsp.getJsonObject(0).getString("responder"))
        .isEqualTo("http://127.0.0.1:" + responder.actualPort() + "/");
    assertThat(ocsp.getJsonObject(0).getString("expires")).isNotNull();
  }

  @Test
  void a_client_that_does_not_ask_gets_none_and_a_revoked_certificate_is_not_stapled()
      throws Exception {
    await().atMost(Duration.ofSeconds(30)).until(() -> status().contains("Cert Status: good"));
    assertThat(sClient(false)).doesNotContain("OCSP response");
    index('R');
    // the node refetches within its refresh time; a test cannot wait an hour, so it restarts
    node.close();
    NodeConfig.Tls tls =
        new NodeConfig.Tls(
            true,
            "127.0.0.1",
            0,
            dir.resolve("certs").toString(),
            "",
            NodeConfig.Tls.Engine.OPENSSL,
            Duration.ofSeconds(1));
    node = NodeFixture.start(c -> c.withTls(tls), NodeFixture.route("r", HOST, "127.0.0.1:9"));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                "certificate revoked".equals(statusJson().getJsonObject(0).getString("lastError")));
    assertThat(status()).contains("OCSP response: no response sent");
  }

  private JsonArray statusJson() throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + node.statusPort() + "/status"))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return new io.vertx.core.json.JsonObject(r.body()).getJsonArray("ocsp");
  }

  /** The serial as OpenSSL prints it in an OCSP response: upper-case hex of whole bytes. */
  private String serial() {
    String hex = pki.leaf.getSerialNumber().toString(16).toUpperCase(Locale.ROOT);
    return hex.length() % 2 == 1 ? "0" + hex : hex;
  }

  private String status() throws Exception {
    return sClient(true);
  }

  /** {@code openssl s_client} to the node, asking for a staple or not; its whole output. */
  private String sClient(boolean askStatus) throws Exception {
    List<String> cmd =
        new java.util.ArrayList<>(
            List.of(
                "openssl",
                "s_client",
                "-connect",
                "127.0.0.1:" + node.httpsPort(),
                "-servername",
                HOST));
    if (askStatus) {
      cmd.add("-status");
    }
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("openssl s_client did not finish");
    }
    return out;
  }

  private void index(char state) throws IOException {
    String serial = serial();
    String line =
        state
            + "\t"
            + INDEX_TIME.format(pki.leaf.getNotAfter().toInstant())
            + "\t"
            + (state == 'R' ? INDEX_TIME.format(Instant.now().minusSeconds(60)) : "")
            + "\t"
            + serial
            + "\tunknown\t/CN="
            + HOST
            + "\n";
    Path tmp = dir.resolve("index.txt.new");
    Files.writeString(tmp, line);
    Files.move(
        tmp,
        dir.resolve("index.txt"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

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

  static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
