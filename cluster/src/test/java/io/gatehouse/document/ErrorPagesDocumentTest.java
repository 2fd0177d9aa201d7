package io.gatehouse.document;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.model.BackendRef;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.policy.ErrorPages;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code ErrorPages} policy in the route document: read, refused with places, written. */
class ErrorPagesDocumentTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final RouteKey KEY = RouteKey.of("acme", "api", "web");
  private static final String BACKEND = "\"backend\": {\"endpoints\": [\"10.0.0.1:8080\"]}";

  private static JsonNode tree(String json) {
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new AssertionError(e);
    }
  }

  private static Read<RouteSpec> read(String policies) {
    return DocumentReader.readRoute(
        tree("{\"hosts\": [\"a.example\"], " + BACKEND + ", \"policies\": " + policies + "}"),
        DocPath.ROOT,
        KEY);
  }

  private static RouteSpec accepted(String policies) {
    Read<RouteSpec> r = read(policies);
    assertThat(r.problems()).extracting(DocProblem::message).isEmpty();
    return r.value();
  }

  private static List<String> pointers(String policies) {
    return read(policies).problems().stream().map(p -> p.at().pointer()).toList();
  }

  @Test
  void a_page_and_each_form_of_backend_are_read() {
    RouteSpec spec =
        accepted(
            "[{\"type\": \"ErrorPages\", \"codes\": [503, 404], \"page\": \"<h1>Sorry</h1>\"},"
                + " {\"type\": \"errorpages\", \"codes\": [500], \"page\": \"{}\","
                + " \"contentType\": \"application/json\"},"
                + " {\"type\": \"ErrorPages\", \"codes\": [502],"
                + " \"backend\": {\"endpoints\": [\"10.0.0.9:9000\"]}},"
                + " {\"type\": \"ErrorPages\", \"codes\": [504], \"backend\": {\"backend\":"
                + " \"errors\"}},"
                + " {\"type\": \"ErrorPages\", \"codes\": [429], \"backend\": {\"service\":"
                + " {\"name\": \"errors\", \"port\": \"http\"}}}]");
    assertThat(spec.policies())
        .containsExactly(
            ErrorPages.page(List.of(404, 503), "<h1>Sorry</h1>", ErrorPages.DEFAULT_CONTENT_TYPE),
            ErrorPages.page(List.of(500), "{}", "application/json"),
            ErrorPages.backend(
                List.of(502), BackendSpec.http1(List.of(Endpoint.of("10.0.0.9", 9000)))),
            ErrorPages.backend(List.of(504), new BackendRef.Named("errors")),
            ErrorPages.backend(
                List.of(429),
                new BackendRef.ServicePort("errors", 0, "http", UpstreamProtocol.HTTP1, null)));
  }

  @Test
  void problems_name_their_place_in_the_document() {
    record Case(String name, String policies, List<String> at) {}
    List<Case> cases =
        List.of(
            new Case(
                "codes missing",
                "[{\"type\": \"ErrorPages\", \"page\": \"x\"}]",
                List.of("/policies/0/codes")),
            new Case(
                "a code that is text",
                "[{\"type\": \"ErrorPages\", \"codes\": [\"404\"], \"page\": \"x\"}]",
                List.of("/policies/0/codes/0")),
            new Case(
                "a code out of range",
                "[{\"type\": \"ErrorPages\", \"codes\": [404, 302], \"page\": \"x\"}]",
                List.of("/policies/0/codes/1")),
            new Case(
                "a page that is not text",
                "[{\"type\": \"ErrorPages\", \"codes\": [404], \"page\": {\"a\": 1}}]",
                List.of("/policies/0/page")),
            new Case(
                "an unknown key",
                "[{\"type\": \"ErrorPages\", \"codes\": [404], \"page\": \"x\", \"status\": 200}]",
                List.of("/policies/0/status")),
            new Case(
                "a weight on the backend",
                "[{\"type\": \"ErrorPages\", \"codes\": [404], \"backend\": {\"weight\": 2,"
                    + " \"endpoints\": [\"10.0.0.9:9000\"]}}]",
                List.of("/policies/0/backend/weight")),
            new Case(
                "a bad endpoint",
                "[{\"type\": \"ErrorPages\", \"codes\": [404], \"backend\": {\"endpoints\":"
                    + " [\"nohost\"]}}]",
                List.of("/policies/0/backend/endpoints/0")),
            new Case(
                "a content type with a backend",
                "[{\"type\": \"ErrorPages\", \"codes\": [404], \"contentType\": \"text/html\","
                    + " \"backend\": {\"endpoints\": [\"10.0.0.9:9000\"]}}]",
                List.of("/policies/0/contentType")),
            new Case(
                "neither page nor backend",
                "[{\"type\": \"ErrorPages\", \"codes\": [404]}]",
                List.of("/policies/0")),
            new Case(
                "a code listed twice over the route",
                "[{\"type\": \"ErrorPages\", \"codes\": [404], \"page\": \"x\"},"
                    + " {\"type\": \"ErrorPages\", \"codes\": [404], \"page\": \"y\"}]",
                List.of("/policies/1/codes")));
    for (Case c : cases) {
      assertThat(pointers(c.policies())).as(c.name()).isEqualTo(c.at());
    }
  }

  @Test
  void error_pages_are_written_in_full_and_read_back_equal() {
    RouteSpec spec =
        accepted(
            "[{\"type\": \"ErrorPages\", \"codes\": [404], \"page\": \"<p>x</p>\"},"
                + " {\"type\": \"ErrorPages\", \"codes\": [502, 503], \"backend\":"
                + " {\"protocol\": \"h2c\", \"endpoints\": [\"10.0.0.9:9000\"]}},"
                + " {\"type\": \"ErrorPages\", \"codes\": [504], \"backend\": {\"backend\":"
                + " \"errors\"}}]");
    ObjectNode written = DocumentWriter.route(spec);
    assertThat(written.get("policies").get(0).toString())
        .isEqualTo(
            "{\"type\":\"ErrorPages\",\"codes\":[404],\"page\":\"<p>x</p>\","
                + "\"contentType\":\"text/html; charset=utf-8\"}");
    assertThat(written.get("policies").get(2).toString())
        .isEqualTo(
            "{\"type\":\"ErrorPages\",\"codes\":[504],\"backend\":{\"backend\":\"errors\"}}");
    Read<RouteSpec> again = DocumentReader.readRoute(written, DocPath.ROOT, KEY);
    assertThat(again.problems()).isEmpty();
    assertThat(again.value()).isEqualTo(spec);
  }
}
