package io.gatehouse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.policy.BasicAuth;
import io.gatehouse.model.policy.ConnectionLimit;
import io.gatehouse.model.policy.ForwardAuth;
import io.gatehouse.model.policy.IpAccess;
import io.gatehouse.model.policy.JwtAuth;
import io.gatehouse.model.policy.RateLimit;
import io.gatehouse.testing.TestAccess;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The access-control policies over REST (issue #15): each kind goes in with PUT and comes back with
 * GET without its secrets (password hashes, inline key material); the GET answer PUT again keeps
 * them and changes nothing; a bad policy is refused with problem+json at its pointer, naming no
 * secret, and nothing of its batch is written.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class AccessPoliciesIT {
  private static final String HOST = "www.acme.example";
  private static final String ROUTES = "/v1/tenants/acme/routes/";
  private static final String OCT_K = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA";

  AdminApiFixture f;
  String t;

  @BeforeAll
  void start() throws Exception {
    f = new AdminApiFixture();
    t = f.tenantWithToken("acme");
    assertThat(f.put("/v1/tenants/acme/host-claims/" + HOST, t, null).status()).isEqualTo(201);
  }

  @AfterAll
  void stop() throws Exception {
    f.close();
  }

  private static JsonObject route(JsonObject... policies) {
    JsonArray list = new JsonArray();
    for (JsonObject p : policies) {
      list.add(p);
    }
    return new JsonObject()
        .put("hosts", new JsonArray().add(HOST))
        .put("backend", new JsonObject().put("endpoints", new JsonArray().add("10.0.0.1:8080")))
        .put("policies", list);
  }

  private static JsonObject basic(String user, String hash) {
    return new JsonObject()
        .put("type", "BasicAuth")
        .put("realm", "Staff")
        .put(
            "users",
            new JsonArray()
                .add(new JsonObject().put("name", user).put("hash", hash))
                .add(new JsonObject().put("name", "bob").put("hash", TestAccess.ARGON2_HASH)));
  }

  private static JsonObject jwtInline() {
    return new JsonObject()
        .put("type", "JwtAuth")
        .put(
            "jwks",
            new JsonObject()
                .put(
                    "keys",
                    new JsonArray()
                        .add(
                            new JsonObject()
                                .put("kty", "oct")
                                .put("kid", "hmac-1")
                                .put("alg", "HS256")
                                .put("k", OCT_K))))
        .put("algorithms", new JsonArray().add("HS256"))
        .put("header", "x-token")
        .put(
            "claimHeaders",
            new JsonArray().add(new JsonObject().put("claim", "sub").put("header", "x-user")));
  }

  private RouteSpec stored(String name) {
    return f.table.view().routes().get(RouteKey.of("acme", "api", name));
  }

  /** PUT, GET, then the GET answer (without its revision) PUT again: nothing changes. */
  private JsonObject roundTrip(String name, JsonObject body) {
    AdminApiFixture.Resp put = f.put(ROUTES + name, t, body.encode());
    assertThat(put.status()).as(put.toString()).isEqualTo(201);
    AdminApiFixture.Resp got = f.get(ROUTES + name, t);
    assertThat(got.status()).isEqualTo(200);
    JsonObject answer = got.json();
    assertThat(answer).isEqualTo(put.json());
    JsonObject again = answer.copy();
    again.remove("revision");
    long generation = f.table.view().generation();
    AdminApiFixture.Resp put2 = f.put(ROUTES + name, t, again.encode());
    assertThat(put2.status()).as(put2.toString()).isEqualTo(200);
    assertThat(put2.json()).isEqualTo(answer);
    assertThat(put2.header("ETag")).isEqualTo(got.header("ETag"));
    assertThat(f.table.view().generation()).isEqualTo(generation);
    return answer;
  }

  @Test
  void every_access_kind_round_trips_and_its_secrets_never_come_back() {
    JsonObject body =
        route(
            new JsonObject()
                .put("type", "IpAccess")
                .put("allow", new JsonArray().add("10.0.0.0/8"))
                .put("deny", new JsonArray().add("10.9.9.9")),
            basic("alice", TestAccess.SECRET_HASH),
            jwtInline(),
            new JsonObject()
                .put("type", "ForwardAuth")
                .put("url", "http://auth.internal:9000/check")
                .put("responseHeaders", new JsonArray().add("x-groups"))
                .put("cacheKey", new JsonArray().add("authorization"))
                .put("cacheDuration", "30s"),
            new JsonObject()
                .put("type", "RateLimit")
                .put("name", "api")
                .put("key", new JsonObject().put("type", "Header").put("name", "x-api-key"))
                .put("requests", 600)
                .put("per", "Minute")
                .put("scope", "Global"),
            new JsonObject().put("type", "ConnectionLimit").put("max", 10));
    JsonObject answer = roundTrip("guarded", body);

    String text = answer.encode();
    assertThat(text)
        .doesNotContain(TestAccess.SECRET_HASH)
        .doesNotContain(TestAccess.ARGON2_HASH)
        .doesNotContain(OCT_K);
    JsonArray policies = answer.getJsonArray("policies");
    assertThat(policies.getJsonObject(1).getJsonArray("users"))
        .isEqualTo(
            new JsonArray()
                .add(new JsonObject().put("name", "alice"))
                .add(new JsonObject().put("name", "bob")));
    assertThat(policies.getJsonObject(2).getJsonArray("jwksKeys"))
        .isEqualTo(
            new JsonArray()
                .add(new JsonObject().put("kid", "hmac-1").put("kty", "oct").put("alg", "HS256")));

    RouteSpec spec = stored("guarded");
    assertThat(spec.policies())
        .hasExactlyElementsOfTypes(
            IpAccess.class,
            BasicAuth.class,
            JwtAuth.class,
            ForwardAuth.class,
            RateLimit.class,
            ConnectionLimit.class);
    assertThat(((BasicAuth) spec.policies().get(1)).users())
        .extracting(BasicAuth.User::hash)
        .containsExactly(TestAccess.SECRET_HASH, TestAccess.ARGON2_HASH);
    assertThat(((JwtAuth) spec.policies().get(2)).jwks()).contains(OCT_K);
  }

  @Test
  void a_password_changes_with_a_new_hash_and_a_new_user_without_one_is_refused() {
    roundTrip("pw", route(basic("alice", TestAccess.SECRET_HASH)));
    JsonObject changed = route(basic("alice", TestAccess.HUNTER2_HASH));
    changed
        .getJsonArray("policies")
        .getJsonObject(0)
        .getJsonArray("users")
        .getJsonObject(1)
        .remove("hash");
    AdminApiFixture.Resp ok = f.put(ROUTES + "pw", t, changed.encode());
    assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
    assertThat(((BasicAuth) stored("pw").policies().get(0)).users())
        .extracting(BasicAuth.User::hash)
        .as("alice's new hash, bob's kept")
        .containsExactly(TestAccess.HUNTER2_HASH, TestAccess.ARGON2_HASH);

    JsonObject carol = route(basic("alice", TestAccess.HUNTER2_HASH));
    carol
        .getJsonArray("policies")
        .getJsonObject(0)
        .getJsonArray("users")
        .add(new JsonObject().put("name", "carol"));
    AdminApiFixture.Resp refused = f.put(ROUTES + "pw", t, carol.encode());
    assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
    assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
    assertThat(refused.json().getJsonArray("errors").getJsonObject(0).getString("pointer"))
        .isEqualTo("/policies/0/users/2/hash");
    assertThat(refused.body()).contains("carol");
  }

  @Test
  void a_bad_policy_of_each_kind_is_refused_at_its_pointer_without_showing_a_secret() {
    List<JsonObject> bad =
        List.of(
            new JsonObject()
                .put("type", "IpAccess")
                .put("allow", new JsonArray().add("10.0.0.0/33")),
            basic("alice", "$apr1$verysecret$abcdefghijklmnop"),
            new JsonObject()
                .put("type", "JwtAuth")
                .put("jwksUri", "https://issuer.example/jwks")
                .put("algorithms", new JsonArray().add("HS256")),
            new JsonObject()
                .put("type", "ForwardAuth")
                .put("url", "http://auth.internal/")
                .put("timeout", "5m"),
            new JsonObject()
                .put("type", "RateLimit")
                .put("requests", 5)
                .put("key", new JsonObject().put("type", "Claim").put("name", "sub")),
            new JsonObject().put("type", "ConnectionLimit").put("max", 0));
    List<String> pointers =
        List.of(
            "/policies/0/allow/0",
            "/policies/0/users/0/hash",
            "/policies/0/algorithms/0",
            "/policies/0/timeout",
            "/policies/0/key/type",
            "/policies/0/max");
    for (int i = 0; i < bad.size(); i++) {
      AdminApiFixture.Resp r = f.put(ROUTES + "bad" + i, t, route(bad.get(i)).encode());
      assertThat(r.status()).as(r.toString()).isEqualTo(400);
      assertThat(r.header("Content-Type")).startsWith("application/problem+json");
      assertThat(r.body()).as(r.toString()).contains(pointers.get(i)).doesNotContain("verysecret");
      assertThat(stored("bad" + i)).isNull();
    }
  }

  @Test
  void a_batch_with_one_bad_access_policy_writes_nothing() {
    long before = f.table.view().generation();
    String body =
        new JsonObject()
            .put(
                "items",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("op", "put")
                            .put("kind", "route")
                            .put("name", "good")
                            .put("route", route(basic("alice", TestAccess.SECRET_HASH))))
                    .add(
                        new JsonObject()
                            .put("op", "put")
                            .put("kind", "route")
                            .put("name", "plain")
                            .put("route", route(basic("alice", "plaintext-verysecret")))))
            .encode();
    AdminApiFixture.Resp r = f.send("POST", "/v1/tenants/acme/batch", t, body);
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.body())
        .contains("/items/1/route/policies/0/users/0/hash")
        .doesNotContain("verysecret");
    assertThat(f.table.view().generation()).isEqualTo(before);
    assertThat(stored("good")).isNull();
  }

  @Test
  void hashes_and_inline_keys_appear_in_no_log_line() {
    CapturingAppender.LINES.clear();
    roundTrip("logged", route(basic("alice", TestAccess.SECRET_HASH), jwtInline()));
    f.put(
        ROUTES + "logged-bad",
        t,
        route(basic("alice", "$apr1$verysecret$abcdefghijklmnop")).encode());
    assertThat(CapturingAppender.LINES)
        .noneMatch(l -> l.contains(TestAccess.SECRET_HASH))
        .noneMatch(l -> l.contains(TestAccess.ARGON2_HASH))
        .noneMatch(l -> l.contains(OCT_K))
        .noneMatch(l -> l.contains("verysecret"));
  }

  @Test
  void rest_cannot_name_a_file_on_the_node() {
    JsonObject file = new JsonObject().put("type", "BasicAuth").put("htpasswdFile", "/etc/shadow");
    AdminApiFixture.Resp r = f.put(ROUTES + "file", t, route(file).encode());
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(stored("file")).isNull();
  }
}
