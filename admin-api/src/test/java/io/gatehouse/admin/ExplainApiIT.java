package io.gatehouse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.TenantId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The explain operation's edge: validation, the viewer handed to the node, JSON shape, 503. */
@Timeout(60)
class ExplainApiIT {
  AdminApiFixture f;

  @AfterEach
  void stop() throws Exception {
    if (f != null) {
      f.close();
    }
  }

  @Test
  void the_question_reaches_the_explainer_with_the_callers_tenant_and_the_answer_is_json()
      throws Exception {
    AtomicReference<Explainer.Question> asked = new AtomicReference<>();
    AtomicReference<TenantId> viewer = new AtomicReference<>();
    f =
        new AdminApiFixture(
            AdminApiOptions.DEFAULTS.withListener("127.0.0.1", 0).withRate(10_000, 10_000),
            (q, v) -> {
              asked.set(q);
              viewer.set(v);
              return new Explainer.Explanation(
                  3,
                  "proxy",
                  new Explainer.RouteRef("acme", "api", "web", 2),
                  new Explainer.Reason(
                      "exact", "www.acme.example", "Prefix", "/", List.of(), List.of(), null),
                  new Explainer.Backend("http1", List.of(new Explainer.Endpoint("10.0.0.1:80", 1))),
                  null,
                  new Explainer.Redirect(false, 0, null, null),
                  null);
            });
    String acme = f.tenantWithToken("acme");
    AdminApiFixture.Resp r =
        f.send(
            "POST",
            "/v1/explain",
            acme,
            "{\"method\":\"post\",\"url\":\"http://www.acme.example/x\",\"headers\":{\"X-Env\":\"prod\"}}");
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(asked.get())
        .isEqualTo(
            new Explainer.Question(
                "POST", "http://www.acme.example/x", Map.of("x-env", "prod"), null));
    assertThat(viewer.get()).isEqualTo(TenantId.of("acme"));
    assertThat(r.json().getBoolean("matched")).isTrue();
    assertThat(r.json().getJsonObject("route").getString("name")).isEqualTo("web");
    assertThat(r.json().getJsonObject("reason").getString("hostLevel")).isEqualTo("exact");

    f.send("POST", "/v1/explain", AdminApiFixture.ADMIN, "{\"url\":\"http://a.example/\"}");
    assertThat(viewer.get()).isNull();
    assertThat(asked.get().method()).isEqualTo("GET");
  }

  @Test
  void a_url_that_is_not_http_or_has_unknown_fields_is_refused_by_the_contract() throws Exception {
    f = new AdminApiFixture();
    assertThat(
            f.send("POST", "/v1/explain", AdminApiFixture.ADMIN, "{\"url\":\"ftp://a.example/\"}")
                .status())
        .isEqualTo(400);
    assertThat(
            f.send(
                    "POST",
                    "/v1/explain",
                    AdminApiFixture.ADMIN,
                    "{\"url\":\"http://a.example/\",\"extra\":1}")
                .status())
        .isEqualTo(400);
  }

  @Test
  void a_node_without_routing_state_answers_503_and_an_invalid_answer_is_a_400() throws Exception {
    f =
        new AdminApiFixture(
            AdminApiOptions.DEFAULTS.withListener("127.0.0.1", 0),
            (q, v) ->
                q.url().contains("bad")
                    ? new Explainer.Invalid("/url", q.url(), "a valid host")
                    : null);
    AdminApiFixture.Resp bad =
        f.send("POST", "/v1/explain", AdminApiFixture.ADMIN, "{\"url\":\"http://bad/\"}");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().getJsonArray("errors").getJsonObject(0).getString("pointer"))
        .isEqualTo("/url");
    AdminApiFixture.Resp none =
        f.send("POST", "/v1/explain", AdminApiFixture.ADMIN, "{\"url\":\"http://a.example/\"}");
    assertThat(none.status()).isEqualTo(503);
    assertThat(none.header("Content-Type")).isEqualTo("application/problem+json");
  }
}
