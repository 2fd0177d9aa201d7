package io.gatehouse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every operation × {admin, owning tenant, other tenant, revoked token, no token}. The rule: admin
 * operations answer 403 to tenant tokens; another tenant's objects answer 404 (as a missing tenant
 * does); a missing, unknown or revoked token answers 401; explain answers any valid token.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class AuthorizationMatrixIT {
  enum Who {
    ADMIN,
    OWNER,
    OTHER,
    REVOKED,
    NONE
  }

  static final String ROUTE =
      "{\"hosts\":[\"www.acme.example\"],\"backend\":{\"endpoints\":[{\"address\":\"10.0.0.1:80\"}]}}";
  static final String BACKEND = "{\"endpoints\":[\"10.0.0.1:80\"]}";
  static final String TMP_ROUTE =
      "{\"hosts\":[\"tmp.acme.example\"],\"backend\":{\"endpoints\":[{\"address\":\"10.0.0.1:80\"}]}}";

  AdminApiFixture f;
  String owner;
  String other;
  String revoked;
  String ownerTokenId;
  String cert;

  /** An operation, its request and its expected status for ADMIN, OWNER, OTHER. */
  record Row(
      String op,
      String method,
      String path,
      String body,
      Runnable setup,
      int admin,
      int owner,
      int other) {
    int expected(Who who) {
      return switch (who) {
        case ADMIN -> admin;
        case OWNER -> owner;
        case OTHER -> other;
        case REVOKED, NONE -> 401;
      };
    }

    @Override
    public String toString() {
      return op;
    }
  }

  @BeforeAll
  void start() throws Exception {
    f = new AdminApiFixture();
    owner = f.tenantWithToken("acme");
    other = f.tenantWithToken("beta");
    ownerTokenId = owner.substring(0, owner.indexOf('.'));
    revoked =
        f.send("POST", "/v1/tokens", AdminApiFixture.ADMIN, "{\"tenant\":\"acme\"}")
            .json()
            .getString("token");
    assertThat(
            f.send(
                    "DELETE",
                    "/v1/tokens/" + revoked.substring(0, revoked.indexOf('.')),
                    AdminApiFixture.ADMIN,
                    null)
                .status())
        .isEqualTo(204);
    assertThat(f.put("/v1/tenants/acme/host-claims/www.acme.example", owner, null).status())
        .isEqualTo(201);
    assertThat(f.put("/v1/tenants/acme/host-claims/tmp.acme.example", owner, null).status())
        .isEqualTo(201);
    assertThat(f.put("/v1/tenants/acme/routes/web", owner, ROUTE).status()).isEqualTo(201);
    assertThat(f.put("/v1/tenants/acme/backends/pool", owner, BACKEND).status()).isEqualTo(201);
    cert = TestCerts.body(TestCerts.selfSigned("www.acme.example"));
    assertThat(f.put("/v1/tenants/acme/certificates/www", owner, cert).status()).isEqualTo(201);
  }

  @AfterAll
  void stop() throws Exception {
    f.close();
  }

  List<Row> rows() {
    String a = AdminApiFixture.ADMIN;
    Runnable none = () -> {};
    return List.of(
        new Row("listTenants", "GET", "/v1/tenants", null, none, 200, 403, 403),
        new Row("getTenant", "GET", "/v1/tenants/acme", null, none, 200, 200, 404),
        new Row(
            "putTenant",
            "PUT",
            "/v1/tenants/acme",
            "{\"displayName\":\"acme\"}",
            none,
            200,
            403,
            403),
        new Row(
            "deleteTenant",
            "DELETE",
            "/v1/tenants/gone",
            null,
            () -> f.put("/v1/tenants/gone", a, "{}"),
            204,
            403,
            403),
        new Row("listHostClaims", "GET", "/v1/tenants/acme/host-claims", null, none, 200, 200, 404),
        new Row(
            "getHostClaim",
            "GET",
            "/v1/tenants/acme/host-claims/www.acme.example",
            null,
            none,
            200,
            200,
            404),
        new Row(
            "claimHost",
            "PUT",
            "/v1/tenants/acme/host-claims/www.acme.example",
            null,
            none,
            200,
            200,
            404),
        new Row(
            "releaseHost",
            "DELETE",
            "/v1/tenants/acme/host-claims/free.acme.example",
            null,
            () -> f.put("/v1/tenants/acme/host-claims/free.acme.example", a, null),
            204,
            204,
            404),
        new Row("listRoutes", "GET", "/v1/tenants/acme/routes", null, none, 200, 200, 404),
        new Row("getRoute", "GET", "/v1/tenants/acme/routes/web", null, none, 200, 200, 404),
        new Row("putRoute", "PUT", "/v1/tenants/acme/routes/web", ROUTE, none, 200, 200, 404),
        new Row(
            "deleteRoute",
            "DELETE",
            "/v1/tenants/acme/routes/tmp",
            null,
            () -> f.put("/v1/tenants/acme/routes/tmp", a, TMP_ROUTE),
            204,
            204,
            404),
        new Row("listBackends", "GET", "/v1/tenants/acme/backends", null, none, 200, 200, 404),
        new Row("getBackend", "GET", "/v1/tenants/acme/backends/pool", null, none, 200, 200, 404),
        new Row(
            "putBackend", "PUT", "/v1/tenants/acme/backends/pool", BACKEND, none, 200, 200, 404),
        new Row(
            "deleteBackend",
            "DELETE",
            "/v1/tenants/acme/backends/tmp",
            null,
            () -> f.put("/v1/tenants/acme/backends/tmp", a, BACKEND),
            204,
            204,
            404),
        new Row(
            "listCertificates", "GET", "/v1/tenants/acme/certificates", null, none, 200, 200, 404),
        new Row(
            "getCertificate",
            "GET",
            "/v1/tenants/acme/certificates/www",
            null,
            none,
            200,
            200,
            404),
        new Row(
            "putCertificate",
            "PUT",
            "/v1/tenants/acme/certificates/www",
            cert,
            none,
            200,
            200,
            404),
        new Row(
            "deleteCertificate",
            "DELETE",
            "/v1/tenants/acme/certificates/tmp",
            null,
            () -> f.put("/v1/tenants/acme/certificates/tmp", a, cert),
            204,
            204,
            404),
        new Row(
            "applyBatch",
            "POST",
            "/v1/tenants/acme/batch",
            "{\"items\":[{\"op\":\"put\",\"kind\":\"hostClaim\",\"name\":\"www.acme.example\"}]}",
            none,
            200,
            200,
            404),
        new Row("listTokens", "GET", "/v1/tokens", null, none, 200, 403, 403),
        new Row("createToken", "POST", "/v1/tokens", "{\"tenant\":\"acme\"}", none, 201, 403, 403),
        new Row("getToken", "GET", "/v1/tokens/" + ownerTokenId, null, none, 200, 403, 403),
        new Row(
            "rotateToken",
            "POST",
            "/v1/tokens/rot/rotate",
            null,
            () ->
                f.table.apply(
                    io.gatehouse.table.Batch.of(
                        io.gatehouse.table.Write.put(
                            io.gatehouse.admin.auth.Tokens.issue(
                                    "rot", io.gatehouse.model.TenantId.of("acme"), "", 0)
                                .spec()))),
            200,
            403,
            403),
        new Row(
            "revokeToken",
            "DELETE",
            "/v1/tokens/gone",
            null,
            () ->
                f.table.apply(
                    io.gatehouse.table.Batch.of(
                        io.gatehouse.table.Write.put(
                            io.gatehouse.admin.auth.Tokens.issue(
                                    "gone", io.gatehouse.model.TenantId.of("acme"), "", 0)
                                .spec()))),
            204,
            403,
            403),
        new Row("getCluster", "GET", "/v1/cluster", null, none, 200, 403, 403),
        // Any token may explain; the answer, not the status, is scoped to its tenant.
        new Row(
            "explainRequest",
            "POST",
            "/v1/explain",
            "{\"method\":\"GET\",\"url\":\"http://www.acme.example/\"}",
            none,
            200,
            200,
            200));
  }

  Stream<Arguments> cells() {
    return rows().stream().flatMap(r -> Stream.of(Who.values()).map(w -> Arguments.of(r, w)));
  }

  @ParameterizedTest(name = "{0} as {1}")
  @MethodSource("cells")
  void each_operation_answers_each_caller_with_the_expected_status(Row row, Who who) {
    row.setup().run();
    String token =
        switch (who) {
          case ADMIN -> AdminApiFixture.ADMIN;
          case OWNER -> owner;
          case OTHER -> other;
          case REVOKED -> revoked;
          case NONE -> null;
        };
    AdminApiFixture.Resp r = f.send(row.method(), row.path(), token, row.body());
    assertThat(r.status()).as(r.toString()).isEqualTo(row.expected(who));
    if (r.status() >= 400) {
      assertThat(r.header("Content-Type")).isEqualTo("application/problem+json");
    }
  }

  @org.junit.jupiter.api.Test
  void every_operation_of_the_contract_is_in_the_matrix() {
    assertThat(rows().stream().map(Row::op).toList())
        .containsExactlyInAnyOrderElementsOf(Access.BY_OPERATION.keySet());
  }
}
