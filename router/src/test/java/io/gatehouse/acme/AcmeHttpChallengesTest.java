package io.gatehouse.acme;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which paths the plain listener answers from the challenge store, before route matching. */
class AcmeHttpChallengesTest {
  private static final String TOKEN = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA";

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("known-token-is-answered", "/.well-known/acme-challenge/" + TOKEN, "ka"),
        Arguments.of("unknown-token-goes-on-to-routing", "/.well-known/acme-challenge/xyz", null),
        Arguments.of("prefix-alone-is-not-a-token", "/.well-known/acme-challenge/", null),
        Arguments.of(
            "a-deeper-path-is-not-a-token", "/.well-known/acme-challenge/" + TOKEN + "/x", null),
        Arguments.of(
            "a-dot-is-not-base64url", "/.well-known/acme-challenge/" + TOKEN + ".json", null),
        Arguments.of(
            "an-encoded-character-is-not-base64url",
            "/.well-known/acme-challenge/%2e%2e" + TOKEN,
            null),
        Arguments.of("other-well-known-paths-are-routed", "/.well-known/security.txt", null),
        Arguments.of("ordinary-paths-are-routed", "/" + TOKEN, null),
        Arguments.of(
            "an-overlong-token-is-refused",
            "/.well-known/acme-challenge/" + "A".repeat(HttpChallenges.MAX_TOKEN_LENGTH + 1),
            null),
        Arguments.of("no-path-is-routed", null, null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void a_path_gets_the_key_authorization_only_for_a_published_token(
      String name, String path, String expected) {
    InMemoryChallengeStore store = new InMemoryChallengeStore();
    store.publish(TOKEN, "ka");
    store.publish("A".repeat(HttpChallenges.MAX_TOKEN_LENGTH + 1), "too long");

    assertThat(HttpChallenges.answer(store, path)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void a_withdrawn_token_is_no_longer_answered(String name, String path, String expected) {
    InMemoryChallengeStore store = new InMemoryChallengeStore();
    store.publish(TOKEN, "ka");
    store.withdraw(TOKEN);

    assertThat(HttpChallenges.answer(store, path)).isNull();
    assertThat(store.size()).isZero();
  }
}
