package io.gatehouse.document;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.policy.BasicAuth;
import io.gatehouse.model.policy.ConnectionLimit;
import io.gatehouse.model.policy.ForwardAuth;
import io.gatehouse.model.policy.JwtAuth;
import io.gatehouse.model.policy.LimitKey;
import io.gatehouse.model.policy.PolicySpec;
import io.gatehouse.model.policy.RateLimit;
import io.gatehouse.testing.TestAccess;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The access-control policies (issue #15) in the route document: read with defaults, refused at
 * their places, written without secrets, and read back over the stored route as the same route.
 */
class AccessDocumentTest {
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

  private static JsonNode route(String policies) {
    return tree("{\"hosts\": [\"a.example\"], " + BACKEND + ", \"policies\": " + policies + "}");
  }

  private static Read<RouteSpec> read(String policies) {
    return DocumentReader.readRoute(route(policies), DocPath.ROOT, KEY);
  }

  private static RouteSpec accepted(String policies) {
    Read<RouteSpec> r = read(policies);
    assertThat(r.problems()).extracting(DocProblem::message).isEmpty();
    return r.value();
  }

  private static List<String> pointers(String policies) {
    return read(policies).problems().stream().map(p -> p.at().pointer()).toList();
  }

  private static RouteSpec stored(List<PolicySpec> policies) {
    return RouteSpec.simple(
            KEY,
            List.of("a.example"),
            List.of(PathMatch.prefix("/")),
            BackendSpec.http1(List.of(Endpoint.of("10.0.0.1", 8080))))
        .withPolicies(policies);
  }

  @Test
  void each_kind_is_read_with_its_defaults() {
    RouteSpec spec =
        accepted(
            "[{\"type\": \"IpAccess\", \"allow\": \"10.0.0.0/8\"},"
                + " {\"type\": \"basic-auth\", \"users\": [{\"name\": \"alice\", \"hash\": \""
                + TestAccess.SECRET_HASH.replace("$", "$")
                + "\"}]},"
                + " {\"type\": \"ForwardAuth\", \"url\": \"http://auth.internal/check\"},"
                + " {\"type\": \"RateLimit\", \"requests\": 10},"
                + " {\"type\": \"ConnectionLimit\", \"key\": \"Route\", \"max\": 5}]");
    assertThat(spec.policies()).hasSize(5);
    BasicAuth basic = (BasicAuth) spec.policies().get(1);
    assertThat(basic.realm()).isEqualTo(BasicAuth.DEFAULT_REALM);
    assertThat(basic.forwardAuthorization()).isFalse();
    RateLimit limit = (RateLimit) spec.policies().get(3);
    assertThat(limit.key()).isEqualTo(LimitKey.CLIENT_ADDRESS);
    assertThat(limit.per()).isEqualTo(RateLimit.SECOND);
    assertThat(limit.burst()).as("burst defaults to the rate").isEqualTo(10);
    assertThat(limit.scope()).isEqualTo(RateLimit.Scope.LOCAL);
    assertThat(((ConnectionLimit) spec.policies().get(4)).key().kind())
        .isEqualTo(LimitKey.Kind.ROUTE);

    JwtAuth jwt =
        (JwtAuth)
            accepted(
                    "[{\"type\": \"JwtAuth\", \"jwks\": {\"keys\": [{\"kty\": \"oct\", \"kid\":"
                        + " \"h\", \"k\": \"c2VjcmV0\"}]}, \"algorithms\": [\"HS256\"],"
                        + " \"clockSkew\": \"5s\"}]")
                .policies()
                .get(0);
    assertThat(jwt.jwks())
        .isEqualTo("{\"keys\":[{\"kty\":\"oct\",\"kid\":\"h\",\"k\":\"c2VjcmV0\"}]}");
    assertThat(jwt.header()).isEqualTo(JwtAuth.DEFAULT_HEADER);
    assertThat(jwt.jwksCacheDuration()).isEqualTo(JwtAuth.DEFAULT_JWKS_CACHE);
  }

  @Test
  void every_sample_writes_without_secrets_and_reads_back_over_the_stored_route_unchanged() {
    List<PolicySpec> all = TestAccess.all();
    RouteSpec before = stored(all);
    ObjectNode written = DocumentWriter.route(before);
    String text = written.toString();
    assertThat(text)
        .doesNotContain(TestAccess.SECRET_HASH)
        .doesNotContain(TestAccess.ARGON2_HASH)
        .doesNotContain("c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA")
        .contains("\"alice\"", "\"hmac-1\"");

    Read<RouteSpec> without = DocumentReader.readRoute(written, DocPath.ROOT, KEY);
    assertThat(without.problems())
        .extracting(p -> p.at().pointer())
        .as("without a stored route the secrets are missing")
        .contains("/policies/1/users/0/hash", "/policies/2/jwksUri");

    Read<RouteSpec> back = DocumentReader.readRoute(written, DocPath.ROOT, KEY, before);
    assertThat(back.problems()).extracting(DocProblem::message).isEmpty();
    assertThat(back.value()).isEqualTo(before);
  }

  @Test
  void a_new_user_needs_a_hash_and_a_given_hash_replaces_the_stored_one() {
    RouteSpec before = stored(List.of(TestAccess.basicAuth()));
    String body =
        "[{\"type\": \"BasicAuth\", \"users\": [{\"name\": \"alice\", \"hash\": \""
            + TestAccess.HUNTER2_HASH
            + "\"}, {\"name\": \"bob\"}, {\"name\": \"carol\"}]}]";
    Read<RouteSpec> r = DocumentReader.readRoute(route(body), DocPath.ROOT, KEY, before);
    assertThat(r.problems())
        .extracting(p -> p.at().pointer())
        .containsExactly("/policies/0/users/2/hash");
    assertThat(r.problems().get(0).message()).contains("carol");

    String two =
        "[{\"type\": \"BasicAuth\", \"users\": [{\"name\": \"alice\", \"hash\": \""
            + TestAccess.HUNTER2_HASH
            + "\"}, {\"name\": \"bob\"}]}]";
    BasicAuth b =
        (BasicAuth)
            DocumentReader.readRoute(route(two), DocPath.ROOT, KEY, before)
                .value()
                .policies()
                .get(0);
    assertThat(b.users())
        .extracting(BasicAuth.User::hash)
        .containsExactly(TestAccess.HUNTER2_HASH, TestAccess.ARGON2_HASH);
  }

  @Test
  void htpasswd_text_is_read_and_a_refused_hash_names_line_and_user_never_the_hash() {
    String text =
        "# staff\\nalice:" + TestAccess.SECRET_HASH + "\\n\\nbob:" + TestAccess.ARGON2_HASH;
    BasicAuth b =
        (BasicAuth)
            accepted("[{\"type\": \"BasicAuth\", \"htpasswd\": \"" + text + "\"}]")
                .policies()
                .get(0);
    assertThat(b.users()).extracting(BasicAuth.User::name).containsExactly("alice", "bob");

    Read<RouteSpec> md5 =
        read("[{\"type\": \"BasicAuth\", \"htpasswd\": \"alice:$apr1$xyz$abcdefg\"}]");
    assertThat(md5.problems()).hasSize(1);
    assertThat(md5.problems().get(0).message())
        .contains("policies[0].htpasswd", "line 1", "alice", "MD5")
        .doesNotContain("abcdefg");
  }

  @Test
  void htpasswd_file_is_read_by_the_routes_file_only_and_a_missing_file_is_a_problem() {
    JsonNode doc =
        tree(
            "{\"routes\": [{\"name\": \"r\", \"hosts\": [\"a.example\"], "
                + BACKEND
                + ", \"policies\": [{\"type\": \"BasicAuth\", \"htpasswdFile\": \"users.htpasswd\"}]}]}");
    Map<String, String> files = Map.of("users.htpasswd", "alice:" + TestAccess.SECRET_HASH + "\n");
    SecretFiles disk =
        path -> {
          String t = files.get(path);
          if (t == null) {
            throw new NoSuchFileException(path);
          }
          return t;
        };
    Read<List<RouteSpec>> read = DocumentReader.readDocument(doc, "file", disk);
    assertThat(read.problems()).isEmpty();
    assertThat(((BasicAuth) read.value().get(0).policies().get(0)).users())
        .containsExactly(new BasicAuth.User("alice", TestAccess.SECRET_HASH));

    SecretFiles none =
        path -> {
          throw new IOException("no such file");
        };
    assertThat(DocumentReader.readDocument(doc, "file", none).problems())
        .extracting(DocProblem::message)
        .singleElement()
        .asString()
        .contains("routes[0].policies[0].htpasswdFile", "no such file");
    assertThat(DocumentReader.readDocument(doc, "file").problems())
        .extracting(DocProblem::message)
        .singleElement()
        .asString()
        .contains("routes file only");
  }

  @Test
  void the_signin_redirect_is_read_written_only_when_set_and_read_back() {
    RouteSpec spec =
        accepted(
            "[{\"type\": \"ForwardAuth\", \"url\": \"http://auth.internal/check\","
                + " \"signin\": \"https://a.example/oauth2/start?rd=\","
                + " \"signinRedirect\": \"EscapedUri\", \"signinRedirectParam\": \"next\"}]");
    ForwardAuth f = (ForwardAuth) spec.policies().get(0);
    assertThat(f.signinRedirect()).isEqualTo(ForwardAuth.SigninRedirect.ESCAPED_URI);
    assertThat(f.signinRedirectParam()).isEqualTo("next");
    ObjectNode written = DocumentWriter.route(spec);
    assertThat(written.get("policies").get(0).get("signinRedirect").asText())
        .isEqualTo("EscapedUri");
    assertThat(DocumentReader.readRoute(written, DocPath.ROOT, KEY).value()).isEqualTo(spec);
    ForwardAuth plain =
        (ForwardAuth)
            accepted("[{\"type\": \"ForwardAuth\", \"url\": \"http://auth.internal/check\"}]")
                .policies()
                .get(0);
    assertThat(plain.signinRedirect()).isEqualTo(ForwardAuth.SigninRedirect.URL);
    assertThat(plain.signinRedirectParam()).isEqualTo("rd");
    assertThat(
            DocumentWriter.route(stored(List.of(plain)))
                .get("policies")
                .get(0)
                .has("signinRedirect"))
        .as("the default is not written")
        .isFalse();
    assertThat(
            pointers(
                "[{\"type\": \"ForwardAuth\", \"url\": \"http://a.example/\", \"signinRedirect\": \"Fragment\"}]"))
        .containsExactly("/policies/0/signinRedirect");
  }

  @Test
  void bad_settings_are_reported_at_their_places() {
    assertThat(pointers("[{\"type\": \"IpAccess\", \"allow\": [\"10.0.0.0/40\"]}]"))
        .containsExactly("/policies/0/allow/0");
    assertThat(pointers("[{\"type\": \"BasicAuth\"}]")).containsExactly("/policies/0/users");
    assertThat(
            pointers(
                "[{\"type\": \"BasicAuth\", \"users\": [{\"name\": \"a\", \"hash\": \"pw\"}]}]"))
        .containsExactly("/policies/0/users/0/hash");
    assertThat(
            pointers(
                "[{\"type\": \"JwtAuth\", \"jwks\": {\"keys\": [{\"kty\": \"RSA\", \"n\": \"x\", \"e\": \"AQAB\", \"d\": \"secret\"}]}}]"))
        .containsExactly("/policies/0/jwks/keys/0/d");
    assertThat(
            pointers(
                "[{\"type\": \"JwtAuth\", \"jwksUri\": \"https://i.example/k\", \"algorithms\": [\"none\"]}]"))
        .containsExactly("/policies/0/algorithms/0");
    assertThat(pointers("[{\"type\": \"ForwardAuth\"}]")).containsExactly("/policies/0/url");
    assertThat(pointers("[{\"type\": \"RateLimit\", \"requests\": 5, \"per\": \"hour\"}]"))
        .containsExactly("/policies/0/per");
    assertThat(
            pointers(
                "[{\"type\": \"RateLimit\", \"requests\": 5, \"key\": {\"type\": \"Header\"}}]"))
        .containsExactly("/policies/0/key/name");
    assertThat(pointers("[{\"type\": \"ConnectionLimit\", \"max\": 0, \"bogus\": 1}]"))
        .containsExactly("/policies/0/bogus", "/policies/0/max");
  }

  @Test
  void no_problem_shows_a_hash_or_key_material() {
    String secret = "$apr1$verysecretsalt$verysecrethash";
    for (String policies :
        List.of(
            "[{\"type\": \"BasicAuth\", \"users\": [{\"name\": \"a\", \"hash\": \""
                + secret
                + "\"}]}]",
            "[{\"type\": \"BasicAuth\", \"users\": {\"a\": \"" + secret + "\"}}]",
            "[{\"type\": \"BasicAuth\", \"users\": [{\"name\": \"a\", \"hash\": [\""
                + secret
                + "\"]}]}]",
            "[{\"type\": \"BasicAuth\", \"htpasswd\": [\"a:" + secret + "\"]}]",
            "[{\"type\": \"JwtAuth\", \"jwks\": \"{\\\"keys\\\": [{\\\"kty\\\": \\\"oct\\\", \\\"k\\\": \\\"verysecret\\\", \\\"d\\\": \\\"x\\\"}]}\"}]",
            "[{\"type\": \"JwtAuth\", \"jwks\": \"not json verysecret\"}]")) {
      List<DocProblem> problems = read(policies).problems();
      assertThat(problems).as(policies).isNotEmpty();
      assertThat(problems).extracting(DocProblem::message).noneMatch(m -> m.contains("verysecret"));
    }
  }
}
