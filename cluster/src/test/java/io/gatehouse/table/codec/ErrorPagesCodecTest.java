package io.gatehouse.table.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.model.BackendRef;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.policy.ErrorPages;
import io.gatehouse.table.EntryKind;
import java.util.List;
import org.junit.jupiter.api.Test;

class ErrorPagesCodecTest {
  private final EntryCodec codec = new EntryCodec();

  @Test
  void error_pages_round_trip_tagged_with_every_form_of_backend() throws Exception {
    RouteSpec r =
        EntryCodecTest.oneStaticBackend()
            .withPolicies(
                List.of(
                    ErrorPages.page(List.of(404), "<h1>gone</h1>\n", "text/html; charset=utf-8"),
                    ErrorPages.backend(
                        List.of(500), BackendSpec.http1(List.of(Endpoint.of("10.0.0.9", 9000)))),
                    ErrorPages.backend(List.of(502), new BackendRef.Named("errors")),
                    ErrorPages.backend(
                        List.of(503),
                        new BackendRef.ServicePort(
                            "errors", 80, null, UpstreamProtocol.HTTP1, null))));
    assertThat(codec.formatOf(r)).as("policies are format 2").isEqualTo(2);
    JsonNode doc = new ObjectMapper().readTree(codec.encode(r));
    assertThat(doc.get("value").get("policies").get(0).get("type").asText())
        .isEqualTo("errorPages");
    assertThat(doc.get("value").get("policies").get(1).get("backend").get("kind").asText())
        .isEqualTo("static");
    RouteSpec decoded = (RouteSpec) codec.decode(EntryKind.ROUTE, codec.encode(r));
    assertThat(decoded).isEqualTo(r);
  }
}
