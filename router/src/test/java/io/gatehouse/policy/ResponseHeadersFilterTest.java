package io.gatehouse.policy;

import static org.assertj.core.api.Assertions.assertThat;

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
                List.of("Server", "x-powered-by")));
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
}
