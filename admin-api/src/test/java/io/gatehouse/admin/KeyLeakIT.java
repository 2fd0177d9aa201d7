package io.gatehouse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A private key never leaves the API: not in any answer, not in any log line. */
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
                  new io.vertx.core.json.JsonObject()
                      .put("certificateChainPem", pem.key())
                      .put("privateKeyPem", pem.key())
                      .encode())
              .body());
      bodies.add(
          f.put(
                  "/v1/tenants/acme/certificates/bad",
                  t,
                  new io.vertx.core.json.JsonObject()
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
      for (String token : List.of(t, a)) {
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
}
