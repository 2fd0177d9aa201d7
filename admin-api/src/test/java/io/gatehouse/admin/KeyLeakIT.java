package io.gatehouse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A private key never leaves the API: not in any answer, not in any log line. That holds for
 * certificates and for the client certificate of a route's upstream TLS ({@code backend.tls}) and
 * of a named backend's ({@code /backends/{name}}, {@code tls}).
 */
@Timeout(60)
class KeyLeakIT {
  @Test
  void private_keys_appear_in_no_response_and_no_log_line() throws Exception {
    CapturingAppender.LINES.clear();
    TestCerts.Pem pem = TestCerts.selfSigned("www.acme.example", "*.apps.acme.example");
    String keyBody = pem.key().replaceAll("-----[A-Z ]+-----", "").replace("\n", "");
    String distinctive = keyBody.substring(keyBody.length() / 2, keyBody.length() / 2 + 24);
    List<String> bodies = new ArrayList<>();
    try (AdminApiFixture f = new AdminApiFixture()) {
      String t = f.tenantWithToken("acme");
      String a = AdminApiFixture.ADMIN;
      f.put("/v1/tenants/acme/host-claims/www.acme.example", t, null);
      String cert = TestCerts.body(pem);
      bodies.add(f.put("/v1/tenants/acme/certificates/www", t, cert).body());
      bodies.add(f.put("/v1/tenants/acme/certificates/www", t, cert).body());
      bodies.add(
          f.put("/v1/tenants/acme/certificates/www?wait=all&waitTimeout=10ms", t, cert).body());
      // The key pasted into the chain field, and a key that does not match: refused without echo.
      bodies.add(
          f.put(
                  "/v1/tenants/acme/certificates/bad",
                  t,
                  new JsonObject()
                      .put("certificateChainPem", pem.key())
                      .put("privateKeyPem", pem.key())
                      .encode())
              .body());
      bodies.add(
          f.put(
                  "/v1/tenants/acme/certificates/bad",
                  t,
                  new JsonObject()
                      .put("certificateChainPem", pem.chain())
                      .put("privateKeyPem", pem.key() + "x".repeat(16000))
                      .encode())
              .body());
      bodies.add(
          f.send(
                  "POST",
                  "/v1/tenants/acme/batch",
                  t,
                  "{\"items\":[{\"op\":\"put\",\"kind\":\"certificate\",\"name\":\"b\",\"certificate\":"
                      + cert
                      + "}]}")
              .body());
      bodies.add(
          f.send(
                  "POST",
                  "/v1/tenants/acme/batch",
                  t,
                  "{\"items\":[{\"op\":\"put\",\"kind\":\"certificate\",\"name\":\"c\",\"certificate\":"
                      + cert
                      + ",\"zz\":1}]}")
              .body());
      // A client certificate for an upstream (backend.tls): stored, never answered.
      AdminApiFixture.Resp created =
          f.put("/v1/tenants/acme/routes/up", t, upstreamRoute(pem, pem.key()));
      assertThat(created.status()).as(created.toString()).isEqualTo(201);
      bodies.add(created.body());
      bodies.add(f.put("/v1/tenants/acme/routes/up", t, upstreamRoute(pem, pem.key())).body());
      bodies.add(
          f.put(
                  "/v1/tenants/acme/routes/up?wait=all&waitTimeout=10ms",
                  t,
                  upstreamRoute(pem, pem.key()))
              .body());
      // The key in the wrong fields, and a key that does not parse: refused without echo.
      bodies.add(
          f.put("/v1/tenants/acme/routes/up2", t, upstreamRoute(keyAsChain(pem), pem.key()))
              .body());
      bodies.add(
          f.put("/v1/tenants/acme/routes/up2", t, upstreamRoute(pem, pem.key() + "x".repeat(100)))
              .body());
      bodies.add(
          f.put(
                  "/v1/tenants/acme/routes/up2",
                  t,
                  new JsonObject(upstreamRoute(pem, pem.key()))
                      .put("hosts", new JsonArray().add(pem.key()))
                      .put("colour", pem.key())
                      .encode())
              .body());
      bodies.add(
          f.send(
                  "POST",
                  "/v1/tenants/acme/batch",
                  t,
                  "{\"items\":[{\"op\":\"put\",\"kind\":\"route\",\"name\":\"b\",\"route\":"
                      + upstreamRoute(pem, pem.key())
                      + "}]}")
              .body());
      bodies.add(
          f.send(
                  "POST",
                  "/v1/tenants/acme/batch",
                  t,
                  "{\"items\":[{\"op\":\"put\",\"kind\":\"route\",\"name\":\"c\",\"route\":"
                      + upstreamRoute(pem, pem.key())
                      + ",\"zz\":1}]}")
              .body());
      // The same client certificate on a named backend: stored, never answered.
      JsonObject backend = new JsonObject(upstreamRoute(pem, pem.key())).getJsonObject("backend");
      AdminApiFixture.Resp pool = f.put("/v1/tenants/acme/backends/pool", t, backend.encode());
      assertThat(pool.status()).as(pool.toString()).isEqualTo(201);
      bodies.add(pool.body());
      bodies.add(f.put("/v1/tenants/acme/backends/pool", t, backend.encode()).body());
      bodies.add(
          f.put("/v1/tenants/acme/backends/pool?wait=all&waitTimeout=10ms", t, backend.encode())
              .body());
      JsonObject badKey = backend.copy();
      badKey
          .getJsonObject("tls")
          .getJsonObject("clientCertificate")
          .put("privateKey", pem.key() + "x".repeat(100));
      bodies.add(f.put("/v1/tenants/acme/backends/pool2", t, badKey.encode()).body());
      JsonObject keyAsChain = backend.copy();
      keyAsChain
          .getJsonObject("tls")
          .getJsonObject("clientCertificate")
          .put("certificateChain", pem.key());
      bodies.add(f.put("/v1/tenants/acme/backends/pool2", t, keyAsChain.encode()).body());
      bodies.add(
          f.put(
                  "/v1/tenants/acme/backends/pool2",
                  t,
                  backend.copy().put("colour", pem.key()).put("name", pem.key()).encode())
              .body());
      bodies.add(
          f.send(
                  "POST",
                  "/v1/tenants/acme/batch",
                  t,
                  "{\"items\":[{\"op\":\"put\",\"kind\":\"backend\",\"name\":\"bb\",\"backend\":"
                      + backend.encode()
                      + "}]}")
              .body());
      bodies.add(
          f.send(
                  "POST",
                  "/v1/tenants/acme/batch",
                  t,
                  "{\"items\":[{\"op\":\"put\",\"kind\":\"backend\",\"name\":\"bc\",\"backend\":"
                      + backend.copy().put("zz", 1).encode()
                      + "}]}")
              .body());
      assertThat(f.get("/v1/tenants/acme/backends/bb", t).status()).isEqualTo(200);
      for (String token : List.of(t, a)) {
        bodies.add(f.get("/v1/tenants/acme/backends/pool", token).body());
        bodies.add(f.get("/v1/tenants/acme/backends/bb", token).body());
        bodies.add(f.get("/v1/tenants/acme/backends", token).body());
      }
      assertThat(f.get("/v1/tenants/acme/backends/pool", t).body()).contains("certificateChain");
      assertThat(f.get("/v1/tenants/acme/routes/up", t).status()).isEqualTo(200);
      for (String token : List.of(t, a)) {
        bodies.add(f.get("/v1/tenants/acme/routes/up", token).body());
        bodies.add(f.get("/v1/tenants/acme/routes/b", token).body());
        bodies.add(f.get("/v1/tenants/acme/certificates/www", token).body());
        bodies.add(f.get("/v1/tenants/acme/certificates", token).body());
        bodies.add(f.get("/v1/tenants/acme/certificates/b", token).body());
        bodies.add(f.get("/v1/tenants/acme/routes", token).body());
        bodies.add(f.get("/v1/tenants/acme", token).body());
        bodies.add(f.get("/v1/tenants/acme/host-claims", token).body());
      }
      bodies.add(f.get("/v1/tenants", a).body());
      bodies.add(f.get("/v1/tokens", a).body());
      bodies.add(f.get("/v1/cluster", a).body());
      bodies.add(f.get("/openapi.yaml", null).body());
      AdminApiFixture.Resp meta = f.get("/v1/tenants/acme/certificates/www", t);
      assertThat(meta.json().getJsonArray("dnsNames"))
          .contains("www.acme.example", "*.apps.acme.example");
      assertThat(meta.json().getString("sha256Fingerprint")).hasSize(95);
    }
    for (String b : bodies) {
      assertThat(b)
          .doesNotContain(keyBody)
          .doesNotContain(distinctive)
          .doesNotContain("PRIVATE KEY-----\n");
    }
    assertThat(CapturingAppender.LINES).isNotEmpty();
    for (String line : CapturingAppender.LINES) {
      assertThat(line).doesNotContain(distinctive).doesNotContain(keyBody);
    }
  }

  /** A route whose upstream TLS presents {@code chain} with {@code key}. */
  private static String upstreamRoute(TestCerts.Pem pem, String key) {
    return upstreamRoute(pem.chain(), key);
  }

  private static String upstreamRoute(String chain, String key) {
    return new JsonObject()
        .put("hosts", new JsonArray().add("www.acme.example"))
        .put(
            "backend",
            new JsonObject()
                .put("protocol", "h2")
                .put("endpoints", new JsonArray().add("10.0.0.1:8443"))
                .put(
                    "tls",
                    new JsonObject()
                        .put(
                            "clientCertificate",
                            new JsonObject()
                                .put("certificateChain", chain)
                                .put("privateKey", key))))
        .encode();
  }

  private static String keyAsChain(TestCerts.Pem pem) {
    return pem.key();
  }
}
