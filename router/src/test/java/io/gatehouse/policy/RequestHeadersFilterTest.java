package io.gatehouse.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.RouteKey;
import io.gatehouse.model.policy.RequestHeaders;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestHeadersFilterTest {
  private static final RouteKey ROUTE = RouteKey.of("acme", "api", "shop");

  private static MultiMap client() {
    return HttpHeaders.headers()
        .add("X-Env", "dev")
        .add("x-env", "test")
        .add("Cookie", "a=1")
        .add("cookie", "b=2")
        .add("X-Via", "client")
        .add("Accept", "*/*");
  }

  private static RequestHeadersFilter filter() {
    Map<String, String> set = new LinkedHashMap<>();
    set.put("X-Env", "prod");
    set.put("x-new", "  literal $$host $${x} ");
    return new RequestHeadersFilter(
        new RequestHeaders(set, Map.of("X-Via", "gatehouse"), List.of("COOKIE")), ROUTE);
  }

  @Test
  void set_replaces_every_value_add_appends_remove_deletes_whatever_the_case() {
    MultiMap h = client();
    filter().onUpstreamRequest(new FakeRequest(), new MultiMapEdits(h));
    assertThat(h.getAll("x-env")).containsExactly("prod");
    assertThat(h.getAll("X-Via")).containsExactly("client", "gatehouse");
    assertThat(h.contains("cookie")).isFalse();
    assertThat(h.get("accept")).isEqualTo("*/*");
    // Literal text but for $$: no trimming.
    assertThat(h.get("X-New")).isEqualTo("  literal $host ${x} ");
  }

  @Test
  void names_are_lower_cased_once_when_compiled() {
    FakeRequest r = new FakeRequest();
    filter().onUpstreamRequest(r, r);
    assertThat(r.edits).isEqualTo(4); // remove cookie, set x-env and x-new, add x-via
    assertThat(r.editName).isEqualTo("x-via");
    assertThat(filter().toString()).contains("remove=cookie", "set=x-env,x-new", "add=x-via");
  }

  @Test
  void each_attempt_starts_from_the_clients_headers_and_gets_the_same_edits() {
    RequestHeadersFilter f = filter();
    MultiMap first = client();
    MultiMap retry = client();
    f.onUpstreamRequest(new FakeRequest(), new MultiMapEdits(first));
    f.onUpstreamRequest(new FakeRequest(), new MultiMapEdits(retry));
    assertThat(retry.entries()).hasSameSizeAs(first.entries());
    assertThat(retry.getAll("x-via")).containsExactly("client", "gatehouse");
  }

  @Test
  void an_empty_policy_edits_nothing() {
    MultiMap h = client();
    new RequestHeadersFilter(new RequestHeaders(null, null, null), ROUTE)
        .onUpstreamRequest(new FakeRequest(), new MultiMapEdits(h));
    assertThat(h.size()).isEqualTo(client().size());
  }
}
