package io.gatehouse.admin;

import io.gatehouse.testing.TestPki;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Self-signed certificates (from the shared {@link TestPki}) in the shape the admin tests send. */
public final class TestCerts {
  public record Pem(String chain, String key) {}

  private TestCerts() {}

  public static Pem selfSigned(String... dnsNames) {
    Instant now = Instant.now();
    TestPki.Issued issued =
        TestPki.selfSigned(
            dnsNames[0],
            List.of(dnsNames),
            now.minus(Duration.ofHours(1)),
            now.plus(Duration.ofDays(30)));
    return new Pem(issued.certPem(), issued.keyPem());
  }

  public static String body(Pem pem) {
    return new JsonObject()
        .put("certificateChainPem", pem.chain())
        .put("privateKeyPem", pem.key())
        .encode();
  }
}
