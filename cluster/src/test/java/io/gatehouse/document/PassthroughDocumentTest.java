package io.gatehouse.document;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TlsSpec;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code tls: {passthrough: true}} in a route document, and what it refuses beside it. */
@Timeout(10)
class PassthroughDocumentTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Read<List<RouteSpec>> read(String tls) throws Exception {
    return DocumentReader.readDocument(
        JSON.readTree(
            "{\"routes\": [{\"name\": \"pt\", \"hosts\": [\"pt.example\"],"
                + " \"backend\": {\"endpoints\": [\"10.0.0.1:8443\"]}, \"tls\": "
                + tls
                + "}]}"),
        "doc");
  }

  @Test
  void passthrough_reads_without_a_certificate_and_writes_back_the_same() throws Exception {
    Read<List<RouteSpec>> read = read("{\"passthrough\": true}");
    assertThat(read.problems()).isEmpty();
    RouteSpec r = read.value().get(0);
    assertThat(r.tls()).isEqualTo(TlsSpec.passthrough(List.of("pt.example")));
    assertThat(DocumentWriter.route(r).get("tls").toString())
        .isEqualTo("{\"passthrough\":true,\"hosts\":[\"pt.example\"]}");
  }

  @Test
  void passthrough_false_still_needs_a_certificate() throws Exception {
    assertThat(read("{\"passthrough\": false}").problems())
        .extracting(DocProblem::message)
        .anyMatch(m -> m.contains("certificate"));
  }

  @Test
  void a_certificate_redirect_hsts_or_client_auth_beside_passthrough_is_a_problem()
      throws Exception {
    for (String extra :
        List.of(
            "\"certificate\": \"www\"",
            "\"redirect\": \"off\"",
            "\"hsts\": {\"maxAge\": \"365d\"}",
            "\"clientAuth\": {\"mode\": \"none\"}")) {
      Read<List<RouteSpec>> read = read("{\"passthrough\": true, " + extra + "}");
      assertThat(read.problems())
          .as(extra)
          .extracting(DocProblem::message)
          .anyMatch(
              m -> m.contains("no certificate, redirect, hsts or clientAuth with passthrough"));
    }
  }
}
