package io.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.AdminNode;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backend policies and the Retry policy over the admin API (issue #14): a named backend and a route
 * with them are accepted, served (wait=all) and read back as the same document; a bad value is a
 * problem+json 400 naming its JSON pointer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class BackendPolicyRestIT {
  AdminNode an;
  String acme;

  static final String POLICY =
      """
      "loadBalancing": {"algorithm": "RingHash", "hashOn": {"header": "X-User"},
        "affinity": {"cookie": {"name": "sticky", "maxAge": "1h", "sameSite": "Lax"}}},
      "healthCheck": {"http": {"path": "/healthz", "expectedStatuses": ["200-299", "418"]},
        "interval": "10s"},
      "outlierDetection": {"consecutive5xx": 3, "successRate": {"stdevFactor": 1.9}},
      "circuitBreaker": {"maxRequests": 200, "maxRetries": 5}""";

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    an = AdminNode.start(dir, c -> c);
    acme = an.token();
  }

  @AfterAll
  void stop() {
    an.close();
  }

  @Test
  void a_named_backend_with_a_policy_is_accepted_served_and_read_back_the_same() throws Exception {
    HttpResponse<String> put =
        an.admin(
            "PUT",
            "/v1/tenants/acme/backends/sticky-web?wait=all",
            acme,
            "{\"endpoints\": [\"10.0.0.1:8080\", \"10.0.0.2:8080\"], " + POLICY + "}");
    assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
    JsonObject got =
        new JsonObject(an.admin("GET", "/v1/tenants/acme/backends/sticky-web", acme, null).body());
    assertThat(got.getJsonObject("loadBalancing").getString("algorithm")).isEqualTo("RingHash");
    assertThat(got.getJsonObject("loadBalancing").getJsonObject("hashOn").getString("header"))
        .isEqualTo("x-user");
    assertThat(got.getJsonObject("healthCheck").getString("interval")).isEqualTo("10s");
    assertThat(got.getJsonObject("circuitBreaker").getInteger("maxConnections")).isEqualTo(1024);
    got.remove("revision");
    got.remove("source");
    HttpResponse<String> again =
        an.admin("PUT", "/v1/tenants/acme/backends/sticky-web?wait=all", acme, got.encode());
    assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
  }

  @Test
  void a_route_with_a_backend_policy_is_accepted_and_served() throws Exception {
    String host = "policy.route.example";
    assertThat(an.admin("PUT", "/v1/tenants/acme/host-claims/" + host, acme, null).statusCode())
        .isEqualTo(201);
    String body =
        """
        {"hosts": ["%s"], "backendRefs": [{"weight": 3, "endpoints": ["10.0.0.3:8080"], %s}]}"""
            .formatted(host, POLICY);
    HttpResponse<String> put =
        an.admin("PUT", "/v1/tenants/acme/routes/balanced?wait=all", acme, body);
    assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
    JsonObject got =
        new JsonObject(an.admin("GET", "/v1/tenants/acme/routes/balanced", acme, null).body());
    assertThat(
            got.getJsonArray("backendRefs")
                .getJsonObject(0)
                .getJsonObject("outlierDetection")
                .getInteger("consecutive5xx"))
        .isEqualTo(3);
    got.remove("revision");
    HttpResponse<String> again =
        an.admin("PUT", "/v1/tenants/acme/routes/balanced?wait=all", acme, got.encode());
    assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
  }

  /**
   * A Retry route is accepted and reads back as written. Not waited for: the data plane's Retry
   * (branch breaker) compiles it; until then this node could not serve it, so it has a node of its
   * own.
   */
  @Test
  void a_route_with_a_retry_is_accepted_and_read_back_the_same(@TempDir Path dir) throws Exception {
    try (AdminNode own = AdminNode.start(dir, c -> c)) {
      String token = own.token();
      String host = "retry.policy.example";
      assertThat(own.admin("PUT", "/v1/tenants/acme/host-claims/" + host, token, null).statusCode())
          .isEqualTo(201);
      String body =
          """
          {"hosts": ["%s"], "backend": {"endpoints": ["10.0.0.3:8080"]},
           "policies": [{"type": "Retry", "on": ["ConnectFailure", "GatewayError"],
             "statuses": [409], "attempts": 3, "perTryTimeout": "2s",
             "backoff": {"base": "10ms", "max": "100ms"}, "bufferBytes": "16Ki"}]}"""
              .formatted(host);
      HttpResponse<String> put = own.admin("PUT", "/v1/tenants/acme/routes/retrying", token, body);
      assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
      JsonObject got =
          new JsonObject(own.admin("GET", "/v1/tenants/acme/routes/retrying", token, null).body());
      JsonObject retry = got.getJsonArray("policies").getJsonObject(0);
      assertThat(retry.getJsonArray("on").getList())
          .containsExactly("ConnectFailure", "GatewayError", "Status");
      assertThat(retry.getLong("bufferBytes")).isEqualTo(16 * 1024);
      got.remove("revision");
      HttpResponse<String> again =
          own.admin("PUT", "/v1/tenants/acme/routes/retrying", token, got.encode());
      assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
    }
  }

  @Test
  void a_bad_policy_is_a_problem_naming_its_pointer() throws Exception {
    HttpResponse<String> backend =
        an.admin(
            "PUT",
            "/v1/tenants/acme/backends/bad",
            acme,
            "{\"endpoints\": [], \"loadBalancing\": {\"algorithm\": \"Maglev\"},"
                + " \"circuitBreaker\": {\"maxConnections\": 0}}");
    assertThat(backend.statusCode()).as(backend.body()).isEqualTo(400);
    assertThat(backend.headers().firstValue("content-type")).hasValue("application/problem+json");
    assertThat(backend.body())
        .contains("/loadBalancing/algorithm", "RingHash or Maglev with hashOn")
        .contains("/circuitBreaker/maxConnections");

    String host = "bad.policy.example";
    assertThat(an.admin("PUT", "/v1/tenants/acme/host-claims/" + host, acme, null).statusCode())
        .isEqualTo(201);
    HttpResponse<String> route =
        an.admin(
            "PUT",
            "/v1/tenants/acme/routes/bad",
            acme,
            ("{\"hosts\": [\"%s\"], \"backendRefs\": [{\"weight\": 1, \"endpoints\": [],"
                    + " \"healthCheck\": {\"http\": {\"path\": \"healthz\"}}}],"
                    + " \"policies\": [{\"type\": \"Retry\", \"on\": [\"Reset\"], \"attempts\": 11}]}")
                .formatted(host));
    assertThat(route.statusCode()).as(route.body()).isEqualTo(400);
    assertThat(route.headers().firstValue("content-type")).hasValue("application/problem+json");
    assertThat(route.body())
        .contains("/backendRefs/0/healthCheck/http/path")
        .contains("/policies/0/attempts", "more only multiplies an outage");
  }
}
