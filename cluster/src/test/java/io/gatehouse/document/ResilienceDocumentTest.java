package io.gatehouse.document;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.model.BackendKey;
import io.gatehouse.model.BackendObject;
import io.gatehouse.model.BackendRef;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TenantId;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.backend.BackendPolicy;
import io.gatehouse.model.backend.CircuitBreaker;
import io.gatehouse.model.backend.HashOn;
import io.gatehouse.model.backend.LoadBalancing;
import io.gatehouse.model.backend.OutlierDetection;
import io.gatehouse.model.policy.Retry;
import io.gatehouse.testing.TestPolicies;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Backend policies and the Retry policy in the route document (issue #14). */
class ResilienceDocumentTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Read<List<RouteSpec>> route(String fields) {
    try {
      return DocumentReader.readDocument(
          JSON.readTree("{\"routes\": [{\"name\": \"r\", " + fields + "}]}"), "doc");
    } catch (JsonProcessingException e) {
      throw new AssertionError(e);
    }
  }

  private static RouteSpec only(Read<List<RouteSpec>> read) {
    assertThat(read.problems()).extracting(DocProblem::message).isEmpty();
    return read.value().get(0);
  }

  private static List<String> messages(Read<?> read) {
    return read.problems().stream().map(DocProblem::message).toList();
  }

  private static BackendPolicy policyOf(RouteSpec r) {
    BackendRef ref = r.backends().get(0).ref();
    return ref instanceof BackendSpec s ? s.policy() : ((BackendRef.ServicePort) ref).policy();
  }

  private static RouteSpec readBack(RouteSpec r) {
    return only(
        DocumentReader.readDocument(
            JSON.createObjectNode()
                .set("routes", JSON.createArrayNode().add(DocumentWriter.route(r))),
            "doc"));
  }

  @Test
  void the_briefs_example_reads_with_every_part() {
    RouteSpec r =
        only(
            route(
                "\"backend\": {\"endpoints\": [\"10.0.0.1:8080\"],"
                    + " \"loadBalancing\": {\"algorithm\": \"RingHash\", \"hashOn\": {\"header\":"
                    + " \"X-User\"}, \"affinity\": {\"cookie\": {\"name\": \"INGRESSCOOKIE\","
                    + " \"maxAge\": \"1h\", \"path\": \"/\", \"secure\": true, \"sameSite\": \"Lax\","
                    + " \"httpOnly\": true, \"changeOnFailure\": false}}, \"panicThreshold\": 40},"
                    + " \"healthCheck\": {\"http\": {\"path\": \"/healthz\", \"host\": \"x\","
                    + " \"expectedStatuses\": [\"200-399\", \"418\"]}, \"interval\": \"5s\","
                    + " \"timeout\": \"1s\", \"jitter\": \"500ms\", \"unhealthyThreshold\": 3,"
                    + " \"healthyThreshold\": 2},"
                    + " \"outlierDetection\": {\"consecutive5xx\": 7, \"successRate\":"
                    + " {\"stdevFactor\": 1.9}, \"maxEjectionTime\": \"300s\"},"
                    + " \"circuitBreaker\": {\"maxConnections\": 100, \"maxRetries\": 5}},"
                    + " \"policies\": [{\"type\": \"Retry\", \"on\": [\"ConnectFailure\","
                    + " \"GatewayError\"], \"statuses\": [409], \"grpcStatuses\": [14],"
                    + " \"attempts\": 2, \"perTryTimeout\": \"2s\", \"timeout\": \"10s\","
                    + " \"backoff\": {\"base\": \"25ms\", \"max\": \"250ms\"}, \"budget\":"
                    + " {\"percent\": 20, \"minConcurrency\": 3}, \"nonIdempotent\": false,"
                    + " \"bufferBytes\": \"64Ki\"}]"));
    BackendPolicy p = policyOf(r);
    assertThat(p.loadBalancing().algorithm()).isEqualTo(LoadBalancing.Algorithm.RING_HASH);
    assertThat(p.loadBalancing().hashOn()).isEqualTo(HashOn.header("x-user"));
    assertThat(p.loadBalancing().affinity().maxAge()).isEqualTo(Duration.ofHours(1));
    assertThat(p.loadBalancing().panicThresholdPercent()).isEqualTo(40);
    assertThat(p.healthCheck().expectedStatuses()).hasSize(2);
    assertThat(p.outlierDetection().consecutive5xx()).isEqualTo(7);
    assertThat(p.outlierDetection().consecutiveGatewayErrors()).isEqualTo(5); // the default
    assertThat(p.outlierDetection().successRate())
        .isEqualTo(new OutlierDetection.SuccessRate(5, 100, 1900));
    assertThat(p.circuitBreaker()).isEqualTo(new CircuitBreaker(100, 1024, 1024, 5));
    Retry retry = (Retry) r.policies().get(0);
    assertThat(retry.on())
        .containsExactlyInAnyOrder(
            Retry.Condition.CONNECT_FAILURE,
            Retry.Condition.GATEWAY_ERROR,
            Retry.Condition.STATUS,
            Retry.Condition.GRPC_STATUS);
    assertThat(retry.bufferBytes()).isEqualTo(64 * 1024);
    assertThat(readBack(r)).isEqualTo(r);
  }

  @Test
  void omitted_parts_take_their_defaults_and_off_turns_outlier_detection_off() {
    BackendPolicy lb =
        policyOf(
            only(
                route(
                    "\"backend\": {\"endpoints\": [], \"loadBalancing\": {\"algorithm\":"
                        + " \"least-request\"}}")));
    assertThat(lb)
        .isEqualTo(
            BackendPolicy.DEFAULT.withLoadBalancing(
                LoadBalancing.of(LoadBalancing.Algorithm.LEAST_REQUEST)));
    BackendPolicy off =
        policyOf(only(route("\"backend\": {\"endpoints\": [], \"outlierDetection\": \"off\"}")));
    assertThat(off).isEqualTo(BackendPolicy.DEFAULT.withOutlierDetection(null));
    // YAML 1.1 reads an unquoted off as false.
    assertThat(
            policyOf(only(route("\"backend\": {\"endpoints\": [], \"outlierDetection\": false}"))))
        .isEqualTo(off);
    // The defaults spelled out are no policy at all: the route stays entry format 1.
    assertThat(
            policyOf(
                only(
                    route(
                        "\"backend\": {\"endpoints\": [], \"loadBalancing\": {},"
                            + " \"circuitBreaker\": {\"maxRetries\": 3}}"))))
        .isNull();
    Retry bare =
        (Retry)
            only(route(
                    "\"backend\": {\"endpoints\": []}, \"policies\": [{\"type\": \"Retry\","
                        + " \"on\": \"Reset\"}]"))
                .policies()
                .get(0);
    assertThat(bare).isEqualTo(Retry.on(Set.of(Retry.Condition.RESET)));
  }

  @Test
  void every_field_round_trips_through_the_writer_on_each_kind_of_backend() {
    for (BackendPolicy p : List.of(TestPolicies.everyField(), TestPolicies.leastRequestGrpc())) {
      RouteSpec one =
          only(route("\"backend\": {\"endpoints\": [\"10.0.0.1:8080\"]}"))
              .withBackends(
                  List.of(
                      RouteBackend.of(
                          BackendSpec.http1(List.of(Endpoint.of("10.0.0.1", 8080))).withPolicy(p))))
              .withPolicies(List.of(TestPolicies.everyRetryField()));
      assertThat(readBack(one)).isEqualTo(one);
      RouteSpec service =
          one.withBackends(
              List.of(
                  new RouteBackend(
                      new BackendRef.ServicePort("web", 80, null, UpstreamProtocol.HTTP1, null, p),
                      3)));
      assertThat(readBack(service)).isEqualTo(service);
      BackendObject named =
          new BackendObject(
              new BackendKey(TenantId.of("default"), "web"),
              "doc",
              BackendSpec.http1(List.of(Endpoint.of("10.0.0.1", 80))).withPolicy(p));
      JsonNode doc =
          JSON.createObjectNode()
              .set("backends", JSON.createArrayNode().add(DocumentWriter.backend(named)));
      assertThat(DocumentReader.readBackends(doc, "doc").value()).containsExactly(named);
    }
  }

  @Test
  void problems_name_the_document_path_and_the_rule() {
    assertThat(
            messages(
                route(
                    "\"backendRefs\": [{\"weight\": 1, \"endpoints\": [], \"loadBalancing\":"
                        + " {\"algorithm\": \"Maglev\"}}, {\"weight\": 1, \"endpoints\": [],"
                        + " \"healthCheck\": {\"http\": {\"path\": \"/h\", \"expectedStatuses\":"
                        + " [\"399-200\"]}, \"interval\": \"2h\"}}]")))
        .containsExactly(
            "routes[0].backendRefs[0].loadBalancing.algorithm: \"MAGLEV\" (expected: RingHash or"
                + " Maglev with hashOn; RoundRobin, LeastRequest, PowerOfTwoChoices or PeakEWMA"
                + " without it)",
            "routes[0].backendRefs[1].healthCheck.http.expectedStatuses[0]: \"399-200\""
                + " (expected: statuses 100-599 as N or FROM-TO with FROM <= TO, 1-16 of them)",
            "routes[0].backendRefs[1].healthCheck.interval: \"PT2H\" (expected: more than 0, up to"
                + " 1 hour)");
    assertThat(
            messages(
                route(
                    "\"backend\": {\"endpoints\": [], \"loadBalancing\": {\"algorithm\":"
                        + " \"Random\"}, \"healthCheck\": {\"http\": {\"path\": \"/\"}, \"tcp\":"
                        + " {}}, \"circuitBreaker\": {\"maxRequests\": \"many\"}}")))
        .containsExactly(
            "routes[0].backend.loadBalancing.algorithm: \"Random\" (expected: RoundRobin,"
                + " LeastRequest, PowerOfTwoChoices, PeakEWMA, RingHash or Maglev)",
            "routes[0].backend.healthCheck.tcp: \"{}\" (expected: one of http, grpc or tcp, not"
                + " [http, tcp])",
            "routes[0].backend.circuitBreaker.maxRequests: \"many\" (expected: 1-1000000)");
    assertThat(
            messages(
                route(
                    "\"backend\": {\"endpoints\": []}, \"policies\": [{\"type\": \"Retry\","
                        + " \"on\": [\"Status\"], \"attempts\": 11, \"bufferBytes\": \"1GiB\"}]")))
        .containsExactly(
            "routes[0].policies[0].statuses: \"0 given\" (expected: the statuses to retry with"
                + " Status in on, 1-32 of them)",
            "routes[0].policies[0].attempts: \"11\" (expected: 0-10 retries after the first try"
                + " (more only multiplies an outage))",
            "routes[0].policies[0].bufferBytes: \"1073741824\" (expected: a size from 0 to 10 MiB,"
                + " at most the route's maxRequestBodyBytes)");
  }

  @Test
  void a_mirror_and_an_error_pages_backend_take_no_policy() {
    assertThat(
            messages(
                route(
                    "\"backend\": {\"endpoints\": []}, \"policies\": [{\"type\":"
                        + " \"RequestMirror\", \"backendRef\": {\"endpoints\": [\"10.0.0.7:80\"],"
                        + " \"circuitBreaker\": {}}}]")))
        .containsExactly(
            "routes[0].policies[0].backendRef.circuitBreaker: \"{}\" (expected: no circuitBreaker"
                + " on a mirror's backendRef (copies are spread by round robin))");
  }

  @Test
  void a_named_reference_takes_no_policy_of_its_own() {
    assertThat(
            messages(
                route(
                    "\"backendRefs\": [{\"backend\": \"web\", \"loadBalancing\": {\"algorithm\":"
                        + " \"LeastRequest\"}}]")))
        .hasSize(1)
        .allMatch(m -> m.startsWith("unknown key \"routes[0].backendRefs[0].loadBalancing\""));
  }
}
