package io.gatehouse.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.strings;

import io.gatehouse.model.policy.BasicAuth;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Basic auth at admission: what it reads from the request, asks the checks and answers. */
@Timeout(10)
class BasicAuthFilterTest {
  /** {@code htpasswd -nbB -C 5 alice secret}. */
  static final String ALICE = "$2y$05$Z6aGjIPI5td2oYCzgClEoOE28L5EsL0FLj3zNCMavDuok7eUZwdu6";

  static final String BOB =
      "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$"
          + "7hAfyWA3F4iBZ2/JeRFx8i5RbzaYd0O7FiOXf3jRmkA";

  static final String CHALLENGE = "Basic realm=\"staff\", charset=\"UTF-8\"";

  private final FakeChecks checks = new FakeChecks();

  private BasicAuthFilter filter(boolean forward) {
    return new BasicAuthFilter(
        new BasicAuth(
            "staff",
            List.of(new BasicAuth.User("alice", ALICE), new BasicAuth.User("bob", BOB)),
            forward),
        checks);
  }

  static String basic(String userColonPassword) {
    return "Basic "
        + Base64.getEncoder().encodeToString(userColonPassword.getBytes(StandardCharsets.UTF_8));
  }

  static Stream<Arguments> malformed() {
    return Stream.of(
        Arguments.of("bearer-scheme", "Bearer abc.def.ghi"),
        Arguments.of("scheme-only", "Basic"),
        Arguments.of("no-space", "Basic" + basic("alice:secret").substring(6)),
        Arguments.of("not-base64", "Basic !!!!"),
        Arguments.of("space-inside-token", "Basic YWxp Y2U6c2VjcmV0"),
        Arguments.of("no-colon", basic("alicesecret")),
        Arguments.of(
            "user-not-utf8",
            "Basic " + Base64.getEncoder().encodeToString(new byte[] {(byte) 0xC3, ':', 'x'})));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void malformed_credentials_are_challenged_without_a_check(String name, String header) {
    AuthRequest r = new AuthRequest(header);
    assertThat(filter(false).admit(r)).isEqualTo(401);
    assertThat(r.answer).containsExactly("www-authenticate", CHALLENGE);
    assertThat(checks.calls).isEmpty();
    assertThat(r.upstream).isEmpty();
  }

  @Test
  void any_authorization_value_is_refused_or_checked_never_thrown_on() {
    qt().withExamples(3000)
        .forAll(strings().allPossible().ofLengthBetween(0, 60))
        .check(
            tail -> {
              for (String header : List.of(tail, "Basic " + tail, basic(tail))) {
                AuthRequest r = new AuthRequest(header);
                int v = filter(false).admit(r);
                boolean checked = !checks.calls.isEmpty();
                checks.calls.clear();
                if (!(v == 401 && !checked) && !(v == AdmissionFilter.SUSPEND && checked)) {
                  return false;
                }
              }
              return true;
            });
  }

  @Test
  void a_request_without_credentials_is_challenged() {
    AuthRequest r = new AuthRequest(null);
    assertThat(filter(false).admit(r)).isEqualTo(401);
    assertThat(r.answer).containsExactly("www-authenticate", CHALLENGE);
    assertThat(checks.calls).isEmpty();
  }

  @Test
  void a_remembered_success_proceeds_at_once_and_the_credential_stays_behind() {
    checks.now = PasswordChecks.Verdict.MATCH;
    AuthRequest r = new AuthRequest(basic("alice:secret"));
    assertThat(filter(false).admit(r)).isEqualTo(AdmissionFilter.PROCEED);
    assertThat(checks.calls).containsExactly("alice:secret:" + ALICE);
    assertThat(r.upstream).containsExactly("authorization", null);
    assertThat(r.answer).isEmpty();
    assertThat(r.endHooks).as("a cache hit registers nothing").isEmpty();
  }

  @Test
  void a_forwarded_credential_is_the_one_that_was_verified() {
    checks.now = PasswordChecks.Verdict.MATCH;
    String header = "bAsIc   " + basic("alice:secret").substring(6);
    AuthRequest r = new AuthRequest(header);
    assertThat(filter(true).admit(r)).isEqualTo(AdmissionFilter.PROCEED);
    assertThat(r.upstream).containsExactly("authorization", header);
  }

  @Test
  void a_queued_check_suspends_and_a_match_resumes_the_request() {
    AuthRequest r = new AuthRequest(basic("bob:pa:ss:wörd"));
    assertThat(filter(false).admit(r)).isEqualTo(AdmissionFilter.SUSPEND);
    assertThat(checks.calls).containsExactly("bob:pa:ss:wörd:" + BOB);
    assertThat(r.resumed).isEmpty();
    checks.waiter.done(PasswordChecks.Verdict.MATCH);
    assertThat(r.resumed).containsExactly(AdmissionFilter.PROCEED);
    assertThat(r.upstream).containsExactly("authorization", null);
  }

  @Test
  void a_wrong_password_resumes_with_401_and_the_challenge() {
    AuthRequest r = new AuthRequest(basic("alice:guess"));
    assertThat(filter(false).admit(r)).isEqualTo(AdmissionFilter.SUSPEND);
    checks.waiter.done(PasswordChecks.Verdict.MISMATCH);
    assertThat(r.resumed).containsExactly(401);
    assertThat(r.answer).containsExactly("www-authenticate", CHALLENGE);
    assertThat(r.upstream).isEmpty();
  }

  @Test
  void an_unknown_user_costs_a_check_and_is_refused_even_if_it_matches() {
    AuthRequest r = new AuthRequest(basic("mallory:secret"));
    assertThat(filter(false).admit(r)).isEqualTo(AdmissionFilter.SUSPEND);
    assertThat(checks.calls)
        .as("checked against a decoy")
        .containsExactly("mallory:secret:" + ALICE);
    checks.waiter.done(PasswordChecks.Verdict.MATCH);
    assertThat(r.resumed).containsExactly(401);
    assertThat(r.upstream).isEmpty();
  }

  @Test
  void a_full_check_queue_answers_503_never_through() {
    checks.now = PasswordChecks.Verdict.BUSY;
    AuthRequest r = new AuthRequest(basic("alice:secret"));
    assertThat(filter(false).admit(r)).isEqualTo(503);
    assertThat(r.answer).containsExactly("retry-after", "1");
    assertThat(r.upstream).isEmpty();
  }

  @Test
  void a_request_that_ended_while_its_check_was_queued_is_left_alone() {
    AuthRequest r = new AuthRequest(basic("alice:secret"));
    assertThat(filter(false).admit(r)).isEqualTo(AdmissionFilter.SUSPEND);
    assertThat(checks.waiter.abandoned()).isFalse();
    r.endHooks.forEach(Runnable::run);
    assertThat(checks.waiter.abandoned()).isTrue();
    checks.waiter.done(PasswordChecks.Verdict.MISMATCH);
    assertThat(r.resumed).isEmpty();
    assertThat(r.answer).isEmpty();
  }

  @Test
  void a_route_without_users_refuses_everyone() {
    BasicAuthFilter f = new BasicAuthFilter(new BasicAuth("x", List.of(), false), checks);
    assertThat(f.admit(new AuthRequest(basic("alice:secret")))).isEqualTo(401);
    assertThat(checks.calls).isEmpty();
  }

  @Test
  void the_realm_is_a_quoted_string_with_a_default() {
    assertThat(BasicAuthFilter.challenge("a \"b\" \\c"))
        .isEqualTo("Basic realm=\"a \\\"b\\\" \\\\c\", charset=\"UTF-8\"");
    assertThat(BasicAuthFilter.challenge(" "))
        .isEqualTo("Basic realm=\"" + BasicAuth.DEFAULT_REALM + "\", charset=\"UTF-8\"");
    assertThatThrownBy(() -> BasicAuthFilter.challenge("a\r\nSet-Cookie: x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("index 1");
  }

  static Stream<Arguments> refusedSpecs() {
    return Stream.of(
        Arguments.of(
            "plaintext-hash",
            new BasicAuth("r", List.of(new BasicAuth.User("alice", "secret")), false),
            "basic auth user \"alice\": the hash is not a recognised scheme"),
        Arguments.of(
            "md5-hash",
            new BasicAuth(
                "r",
                List.of(new BasicAuth.User("alice", "$apr1$mCPwnVuL$1WizvRbotXcazglDKcLkQ1")),
                false),
            "Apache MD5-crypt ($apr1$) is refused"),
        Arguments.of(
            "duplicate-user",
            new BasicAuth(
                "r",
                List.of(new BasicAuth.User("alice", ALICE), new BasicAuth.User("alice", BOB)),
                false),
            "basic auth user \"alice\" is listed twice"),
        Arguments.of(
            "colon-in-name",
            new BasicAuth("r", List.of(new BasicAuth.User("a:b", ALICE)), false),
            "holds ':'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedSpecs")
  void a_policy_with_a_bad_user_is_refused_at_compile(String name, BasicAuth spec, String why) {
    assertThatThrownBy(() -> new BasicAuthFilter(spec, checks))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(why)
        .message()
        .doesNotContain(ALICE);
  }

  @Test
  void a_compile_without_the_node_pool_is_refused_not_served_open() {
    assertThatThrownBy(() -> PolicyServices.NONE.passwordChecks())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("basic auth needs the node's password-check pool");
  }

  /** Records the checks asked for; answers {@link #now}, or keeps the waiter when it is null. */
  static final class FakeChecks implements PasswordChecks {
    final List<String> calls = new ArrayList<>();
    PasswordChecks.@Nullable Verdict now;
    Waiter waiter;

    @Override
    public @Nullable Verdict check(String user, byte[] password, String hash, Waiter w) {
      calls.add(user + ":" + new String(password, StandardCharsets.UTF_8) + ":" + hash);
      waiter = w;
      return now;
    }
  }

  /** A request with one Authorization header (or none) that records what a filter tells it. */
  static final class AuthRequest extends FakeRequest {
    final Map<String, String> headers = new HashMap<>();
    final List<String> answer = new ArrayList<>();
    final List<@Nullable String> upstream = new ArrayList<>();
    final List<Runnable> endHooks = new ArrayList<>();
    final List<Integer> resumed = new ArrayList<>();

    AuthRequest(@Nullable String authorization) {
      if (authorization != null) {
        headers.put("authorization", authorization);
      }
    }

    @Override
    public @Nullable String authority() {
      return "a.example";
    }

    @Override
    public @Nullable String header(String lowerCaseName) {
      return headers.get(lowerCaseName);
    }

    @Override
    public void answerHeader(String lowerCaseName, String value) {
      answer.add(lowerCaseName);
      answer.add(value);
    }

    @Override
    public void resume(int verdict) {
      resumed.add(verdict);
    }

    @Override
    public void upstreamHeader(String lowerCaseName, String value) {
      upstream.add(lowerCaseName);
      upstream.add(value);
    }

    @Override
    public void dropUpstreamHeader(String lowerCaseName) {
      upstream.add(lowerCaseName);
      upstream.add(null);
    }

    @Override
    public void onEnd(Runnable release) {
      endHooks.add(release);
    }

    @Override
    public String requestId() {
      return "req-1";
    }
  }
}
