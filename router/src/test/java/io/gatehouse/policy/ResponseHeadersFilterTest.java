package io.gatehouse.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.RouteKey;
import io.gatehouse.model.policy.ResponseHeaders;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResponseHeadersFilterTest {
  @Test
  void edits_the_response_whatever_its_status() {
    ResponseHeadersFilter f =
        new ResponseHeadersFilter(
            new ResponseHeaders(
                Map.of("Cache-Control", "no-store"),
                Map.of("Set-Cookie", "gh=1"),
                List.of("Server", "x-powered-by")),
            RouteKey.of("acme", "api", "r"));
    for (int status : new int[] {200, 304, 404, 503}) {
      MultiMap h =
          HttpHeaders.headers()
              .add("cache-control", "max-age=60")
              .add("Set-Cookie", "a=1")
              .add("server", "upstream/1.0")
              .add("X-Powered-By", "php");
      f.onResponse(new FakeRequest(), status, new MultiMapEdits(h));
      assertThat(h.getAll("cache-control")).as("%s", status).containsExactly("no-store");
      assertThat(h.getAll("set-cookie")).containsExactly("a=1", "gh=1");
      assertThat(h.contains("server")).isFalse();
      assertThat(h.contains("x-powered-by")).isFalse();
    }
  }

  @Test
  void a_response_header_may_carry_the_request_id_and_the_route() {
    ResponseHeadersFilter f =
        new ResponseHeadersFilter(
            new ResponseHeaders(
                Map.of("X-Trace", "${request.id}", "X-Route", "${route.tenant}/${route.name}"),
                Map.of(),
                List.of()),
            RouteKey.of("acme", "api", "shop"));
    FakeRequest r = new FakeRequest();
    r.requestId = "4bf92f3577b34da6";
    MultiMap h = HttpHeaders.headers().add("x-trace", "upstream's");
    f.onResponse(r, 503, new MultiMapEdits(h));
    assertThat(h.getAll("x-trace")).containsExactly("4bf92f3577b34da6");
    assertThat(h.getAll("x-route")).containsExactly("acme/shop");
  }
}
