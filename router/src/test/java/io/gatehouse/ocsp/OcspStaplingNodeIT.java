package io.gatehouse.ocsp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.node.NodeConfig;
import io.gatehouse.testing.NodeFixture;
import io.vertx.core.Vertx;
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
import java.util.List;
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

  @TempDir Path dir;
  Vertx vertx;
  OpensslResponder responder;
  OcspFixture pki;
  NodeFixture node;

  @BeforeEach
  void start() throws Exception {
    assumeThat(OpensslResponder.available()).as("openssl on PATH").isTrue();
    assumeThat(OpenSSLEngineOptions.isAvailable()).as("the OpenSSL engine loads").isTrue();
    vertx = Vertx.vertx();
    responder = OpensslResponder.start(vertx, dir, "/");
    pki = responder.pki;
    Path certs = Files.createDirectory(dir.resolve("certs"));
    Files.writeString(
        certs.resolve("leaf.crt"),
        OpensslResponder.pem("CERTIFICATE", pki.leaf.getEncoded())
            + OpensslResponder.pem("CERTIFICATE", pki.ca.getEncoded()));
    Files.writeString(
        certs.resolve("leaf.key"),
        OpensslResponder.pem("PRIVATE KEY", pki.leafKeys.getPrivate().getEncoded()));
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
    assertThat(out).contains("Serial Number: " + responder.serial());
    JsonArray ocsp = statusJson();
    assertThat(ocsp).hasSize(1);
    assertThat(ocsp.getJsonObject(0).getString("responder")).isEqualTo(responder.url());
    assertThat(ocsp.getJsonObject(0).getString("expires")).isNotNull();
  }

  @Test
  void a_client_that_does_not_ask_gets_none_and_a_revoked_certificate_is_not_stapled()
      throws Exception {
    await().atMost(Duration.ofSeconds(30)).until(() -> status().contains("Cert Status: good"));
    assertThat(sClient(false)).doesNotContain("OCSP response");
    responder.revoke();
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
}
