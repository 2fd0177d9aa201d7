package io.gatehouse.table.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import io.gatehouse.table.EntryKind;
import io.gatehouse.testing.TestPolicies;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Backend policies and Retry in the table's payloads (issue #14): format 2, round trip. */
class EntryCodecResilienceTest {
  private final EntryCodec codec = new EntryCodec();

  @Test
  void a_static_backend_with_a_policy_is_format_2_and_round_trips() throws Exception {
    for (BackendPolicy p : List.of(TestPolicies.everyField(), TestPolicies.leastRequestGrpc())) {
      RouteSpec r =
          EntryCodecTest.oneStaticBackend()
              .withBackends(
                  List.of(
                      RouteBackend.of(
                          BackendSpec.http1(List.of(Endpoint.of("10.0.0.1", 8080)))
                              .withPolicy(p))));
      assertThat(codec.formatOf(r)).isEqualTo(2);
      String json = codec.encode(r);
      assertThat(new ObjectMapper().readTree(json).get("v").asInt()).isEqualTo(2);
      assertThat(codec.decode(EntryKind.ROUTE, json)).isEqualTo(r);
      assertThatThrownBy(() -> new EntryCodec(1).decode(EntryKind.ROUTE, json))
          .hasMessageContaining("payload format 2");
    }
  }

  @Test
  void a_retry_route_is_format_2_tagged_retry_and_round_trips() throws Exception {
    RouteSpec r =
        EntryCodecTest.oneStaticBackend().withPolicies(List.of(TestPolicies.everyRetryField()));
    assertThat(codec.formatOf(r)).isEqualTo(2);
    JsonNode doc = new ObjectMapper().readTree(codec.encode(r));
    assertThat(doc.get("value").get("policies").get(0).get("type").asText()).isEqualTo("retry");
    assertThat(codec.decode(EntryKind.ROUTE, codec.encode(r))).isEqualTo(r);
  }

  @Test
  void a_service_reference_and_a_named_backend_keep_their_policy() {
    RouteSpec r =
        EntryCodecTest.oneStaticBackend()
            .withBackends(
                List.of(
                    new RouteBackend(
                        new BackendRef.ServicePort(
                            "web",
                            80,
                            "http",
                            UpstreamProtocol.HTTP1,
                            null,
                            TestPolicies.everyField()),
                        1)));
    assertThat(codec.decode(EntryKind.ROUTE, codec.encode(r))).isEqualTo(r);
    BackendObject b =
        new BackendObject(
            new BackendKey(TenantId.of("t"), "web"),
            "api",
            BackendSpec.http1(List.of(Endpoint.of("10.0.0.1", 80)))
                .withPolicy(TestPolicies.leastRequestGrpc()));
    assertThat(codec.decode(EntryKind.BACKEND, codec.encode(b))).isEqualTo(b);
  }

  @Test
  void a_backend_without_a_policy_keeps_the_bytes_of_format_1() {
    RouteSpec r = EntryCodecTest.oneStaticBackend();
    assertThat(codec.formatOf(r)).isEqualTo(1);
    assertThat(codec.encode(r)).doesNotContain("policy");
  }
}
