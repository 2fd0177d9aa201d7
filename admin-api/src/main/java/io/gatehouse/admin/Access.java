package io.gatehouse.admin;

import java.util.Map;
import java.util.Set;

/**
 * The authorization rule of every operation. {@code ADMIN}: a tenant token gets 403. {@code
 * TENANT}: the path names a tenant; a tenant token for another tenant gets 404, exactly what a
 * missing tenant gets, so existence never leaks. {@code ANY}: every valid token; the handler scopes
 * the answer to the caller's tenant.
 */
public enum Access {
  ADMIN,
  TENANT,
  ANY;

  private static final Set<String> ANY_OPS = Set.of("explainRequest");

  private static final Set<String> ADMIN_OPS =
      Set.of(
          "listTenants",
          "putTenant",
          "deleteTenant",
          "listTokens",
          "createToken",
          "getToken",
          "revokeToken",
          "rotateToken",
          "getCluster");

  private static final Set<String> TENANT_OPS =
      Set.of(
          "getTenant",
          "listHostClaims",
          "getHostClaim",
          "claimHost",
          "releaseHost",
          "listRoutes",
          "getRoute",
          "putRoute",
          "deleteRoute",
          "listBackends",
          "getBackend",
          "putBackend",
          "deleteBackend",
          "listCertificates",
          "getCertificate",
          "putCertificate",
          "deleteCertificate",
          "applyBatch");

  /** Every operation of the contract with its rule; the contract test checks they agree. */
  public static final Map<String, Access> BY_OPERATION = byOperation();

  private static Map<String, Access> byOperation() {
    Map<String, Access> m = new java.util.HashMap<>();
    ADMIN_OPS.forEach(op -> m.put(op, ADMIN));
    TENANT_OPS.forEach(op -> m.put(op, TENANT));
    ANY_OPS.forEach(op -> m.put(op, ANY));
    return Map.copyOf(m);
  }
}
