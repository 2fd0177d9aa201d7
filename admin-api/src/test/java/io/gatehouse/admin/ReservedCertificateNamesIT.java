package io.gatehouse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.admin.translate.CertificateJson;
import io.gatehouse.model.CertificateKey;
import io.gatehouse.table.Batch;
import io.gatehouse.table.Write;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Certificates named {@code k8s.*} belong to the Kubernetes source, which deletes every one that no
 * TLS Secret backs: the REST API may read them but never put or delete one, for any token.
 */
@Timeout(60)
class ReservedCertificateNamesIT {
  private static final String PATH = "/v1/tenants/acme/certificates/";

  AdminApiFixture f;
  String t;
  String pem;

  @BeforeEach
  void start() throws Exception {
    f = new AdminApiFixture();
    t = f.tenantWithToken("acme");
    pem = TestCerts.body(TestCerts.selfSigned("www.acme.example"));
  }

  @AfterEach
  void stop() throws Exception {
    f.close();
  }

  @Test
  void a_put_of_a_k8s_name_is_refused_naming_the_field_for_tenant_and_admin() {
    for (String token : List.of(t, AdminApiFixture.ADMIN)) {
      long before = f.table.view().generation();
      AdminApiFixture.Resp r = f.put(PATH + "k8s.www-tls", token, pem);

      assertRefused(r, "name", "k8s.www-tls");
      assertThat(f.table.view().generation()).isEqualTo(before);
      assertThat(f.table.view().certificates()).isEmpty();
    }
  }

  @Test
  void a_certificate_of_the_kubernetes_source_can_be_read_but_not_deleted() {
    CertificateKey key = CertificateKey.of("acme", "k8s.www-tls");
    f.table.apply(Batch.of(Write.put(CertificateJson.fromJson(key, new JsonObject(pem)))));
    long before = f.table.view().generation();

    assertThat(f.get(PATH + "k8s.www-tls", t).status()).isEqualTo(200);
    for (String token : List.of(t, AdminApiFixture.ADMIN)) {
      assertRefused(f.send("DELETE", PATH + "k8s.www-tls", token, null), "name", "k8s.www-tls");
      AdminApiFixture.Resp replaced = f.put(PATH + "k8s.www-tls", token, pem);
      assertRefused(replaced, "name", "k8s.www-tls");
    }
    assertThat(f.table.view().certificates()).containsKey(key);
    assertThat(f.table.view().generation()).isEqualTo(before);
  }

  @Test
  void a_batch_naming_a_k8s_certificate_is_refused_whole_naming_each_item() {
    CertificateKey key = CertificateKey.of("acme", "k8s.old-tls");
    f.table.apply(Batch.of(Write.put(CertificateJson.fromJson(key, new JsonObject(pem)))));
    long before = f.table.view().generation();
    JsonObject batch =
        new JsonObject()
            .put(
                "items",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("op", "put")
                            .put("kind", "certificate")
                            .put("name", "fine")
                            .put("certificate", new JsonObject(pem)))
                    .add(
                        new JsonObject()
                            .put("op", "put")
                            .put("kind", "certificate")
                            .put("name", "k8s.new-tls")
                            .put("certificate", new JsonObject(pem)))
                    .add(
                        new JsonObject()
                            .put("op", "delete")
                            .put("kind", "certificate")
                            .put("name", "k8s.old-tls")));

    AdminApiFixture.Resp r = f.send("POST", "/v1/tenants/acme/batch", t, batch.encode());

    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(pointers(r)).containsExactly("/items/1/name", "/items/2/name");
    assertThat(f.table.view().generation()).isEqualTo(before);
    assertThat(f.table.view().certificates().keySet()).containsExactly(key);
  }

  @Test
  void only_the_prefix_is_reserved() {
    for (String name : List.of("k8s", "k8s-www", "www.k8s.tls", "k8sx.www")) {
      AdminApiFixture.Resp r = f.put(PATH + name, t, pem);
      assertThat(r.status()).as(name + ": " + r).isEqualTo(201);
    }
  }

  private static void assertRefused(AdminApiFixture.Resp r, String pointer, String value) {
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.header("Content-Type")).isEqualTo("application/problem+json");
    JsonObject problem = r.json();
    assertThat(problem.getString("type")).isEqualTo(Problem.TYPE_BASE + "validation");
    JsonObject error = problem.getJsonArray("errors").getJsonObject(0);
    assertThat(error.getString("pointer")).isEqualTo(pointer);
    assertThat(error.getString("value")).isEqualTo(value);
    assertThat(error.getString("message")).contains("k8s.", "reserved", "Kubernetes");
  }

  private static List<String> pointers(AdminApiFixture.Resp r) {
    return r.json().getJsonArray("errors").stream()
        .map(e -> ((JsonObject) e).getString("pointer"))
        .toList();
  }
}
