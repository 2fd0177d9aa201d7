package io.gatehouse.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.policy.SessionPersistence;
import io.vertx.core.MultiMap;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The response stage of a sticky split: it hands out exactly the cookie the pick asked for, once,
 * beside the backend's own cookies, and nothing when the pick asked for none.
 */
class SessionPersistenceFilterTest {
  private static final String COOKIE = "gh=abc; Path=/; HttpOnly";

  private static PolicyChain chain() {
    RouteSpec spec =
        RouteSpec.simple(
                RouteKey.of("t", "api", "r"),
                List.of("a.example"),
                List.of(PathMatch.prefix("/")),
                BackendSpec.http1(List.of(new Endpoint("10.0.0.1", 80, 1))))
            .withPolicies(List.of(SessionPersistence.cookie("gh")));
    return PolicyCompiler.compile(spec, null);
  }

  @Test
  void the_cookie_the_pick_asked_for_is_added_beside_the_backends_own() {
    record Case(String name, String asked, List<String> expected) {}
    List<Case> cases =
        List.of(
            new Case("a weighted pick asks for a cookie", COOKIE, List.of("app=1", COOKIE)),
            new Case(
                "a request with a usable cookie, or placed by a canary rule, asks for none",
                null,
                List.of("app=1")));
    for (Case c : cases) {
      FakeRequest r = new FakeRequest();
      r.splitCookie = c.asked();
      MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("set-cookie", "app=1");
      chain().onResponse(r, 200, new MultiMapEdits(headers));
      assertThat(headers.getAll("set-cookie")).as(c.name()).isEqualTo(c.expected());
    }
  }

  @Test
  void the_filter_is_a_response_filter_only() {
    assertThat(chain().editsResponses()).isTrue();
    assertThat(chain().editsUpstreamRequests()).isFalse();
  }
}
