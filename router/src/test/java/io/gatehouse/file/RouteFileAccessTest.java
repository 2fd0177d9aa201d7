package io.gatehouse.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.document.SecretFiles;
import io.gatehouse.model.policy.BasicAuth;
import io.gatehouse.model.policy.IpAccess;
import io.gatehouse.model.policy.LimitKey;
import io.gatehouse.model.policy.RateLimit;
import io.gatehouse.testing.TestAccess;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Access policies in the routes file (issue #15): the YAML forms, htpasswdFile, lines. */
class RouteFileAccessTest {
  private static final SecretFiles FILES =
      name -> {
        String text =
            Map.of(
                    "staff.htpasswd",
                    "alice:" + TestAccess.SECRET_HASH + "\nbob:" + TestAccess.ARGON2_HASH + "\n",
                    "old.htpasswd",
                    "alice:" + TestAccess.SECRET_HASH + "\ncarol:$apr1$salt$md5hashvalue\n")
                .get(name);
        if (text == null) {
          throw new IOException(name + " not found");
        }
        return text;
      };

  private static String file(String policies) {
    return """
        routes:
          - name: a
            hosts: [a.example]
            backend: {endpoints: ["127.0.0.1:8080"]}
            policies:
        """
        + policies;
  }

  @Test
  void access_policies_are_read_in_their_yaml_forms_and_htpasswd_file_beside_the_routes_file() {
    RouteFileTranslator.Result r =
        RouteFileTranslator.translate(
            file(
                """
                      - {type: IpAccess, allow: [10.0.0.0/8], deny: 10.1.0.0/16}
                      - type: BasicAuth
                        realm: Staff
                        htpasswdFile: staff.htpasswd
                      - {type: RateLimit, name: api, requests: 600, per: minute, burst: 50, scope: global}
                """),
            true,
            FILES);
    assertThat(r.problems()).isEmpty();
    assertThat(r.routes().get(0).policies())
        .containsExactly(
            new IpAccess(List.of("10.0.0.0/8"), List.of("10.1.0.0/16")),
            new BasicAuth(
                "Staff",
                List.of(
                    new BasicAuth.User("alice", TestAccess.SECRET_HASH),
                    new BasicAuth.User("bob", TestAccess.ARGON2_HASH)),
                false),
            new RateLimit(
                "api",
                LimitKey.CLIENT_ADDRESS,
                600,
                RateLimit.MINUTE,
                50,
                RateLimit.Scope.GLOBAL,
                List.of()));
  }

  @Test
  void an_htpasswd_file_with_a_refused_hash_or_none_at_all_is_refused_at_its_line() {
    RouteFileTranslator.Result md5 =
        RouteFileTranslator.translate(
            file(
                """
                      - type: BasicAuth
                        htpasswdFile: old.htpasswd
                """),
            true,
            FILES);
    assertThat(md5.routes()).isEmpty();
    assertThat(md5.problems()).hasSize(1);
    assertThat(md5.problems().get(0).line()).isEqualTo(7);
    assertThat(md5.problems().get(0).message())
        .contains("line 2", "carol", "MD5")
        .doesNotContain("md5hashvalue");

    RouteFileTranslator.Result missing =
        RouteFileTranslator.translate(
            file(
                """
                      - type: BasicAuth
                        htpasswdFile: gone.htpasswd
                """),
            true,
            FILES);
    assertThat(missing.problems())
        .extracting(RouteFileTranslator.Problem::message)
        .singleElement()
        .asString()
        .contains("gone.htpasswd not found");
  }
}
