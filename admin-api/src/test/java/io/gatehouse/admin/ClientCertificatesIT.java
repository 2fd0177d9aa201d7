package io.gatehouse.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin listener over HTTPS with client certificates: a client without a certificate from the
 * configured CA never reaches the API, whatever token it holds.
 */
@Timeout(60)
class ClientCertificatesIT {
  @TempDir Path dir;

  @Test
  void only_clients_with_a_certificate_from_the_ca_get_through() throws Exception {
    TestCerts.Pem server = TestCerts.selfSigned("localhost");
    TestCerts.Pem client = TestCerts.selfSigned("ops-client");
    TestCerts.Pem stranger = TestCerts.selfSigned("stranger");
    Path cert = Files.writeString(dir.resolve("server.crt"), server.chain());
    Path key = Files.writeString(dir.resolve("server.key"), server.key());
    // The client's self-signed certificate is its own CA.
    Path ca = Files.writeString(dir.resolve("clients.pem"), client.chain());
    AdminApiOptions options =
        AdminApiOptions.DEFAULTS
            .withListener("127.0.0.1", 0)
            .withRate(10_000, 10_000)
            .withTls(cert.toString(), key.toString(), ca.toString());
    try (AdminApiFixture api = new AdminApiFixture(options)) {
      URI uri = URI.create("https://localhost:" + api.port() + "/v1/tenants");
      HttpRequest get =
          HttpRequest.newBuilder(uri)
              .header("Authorization", "Bearer " + AdminApiFixture.ADMIN)
              .timeout(Duration.ofSeconds(10))
              .build();

      HttpResponse<String> ok =
          client(server, client).send(get, HttpResponse.BodyHandlers.ofString());
      assertThat(ok.statusCode()).isEqualTo(200);

      assertThatThrownBy(() -> client(server, null).send(get, HttpResponse.BodyHandlers.ofString()))
          .as("no client certificate")
          .isInstanceOf(java.io.IOException.class);
      assertThatThrownBy(
              () -> client(server, stranger).send(get, HttpResponse.BodyHandlers.ofString()))
          .as("a certificate from another CA")
          .isInstanceOf(java.io.IOException.class);
    }
  }

  private static HttpClient client(TestCerts.Pem trusted, TestCerts.Pem own) throws Exception {
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry(
        "server", cf.generateCertificate(new ByteArrayInputStream(bytes(trusted.chain()))));
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    KeyManagerFactory kmf = null;
    if (own != null) {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      Certificate c = cf.generateCertificate(new ByteArrayInputStream(bytes(own.chain())));
      keys.setKeyEntry("me", privateKey(own.key()), new char[0], new Certificate[] {c});
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, new char[0]);
    }
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(5)).build();
  }

  private static PrivateKey privateKey(String pem) throws Exception {
    String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return KeyFactory.getInstance("EC")
        .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
