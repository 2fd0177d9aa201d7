package io.gatehouse.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.strings;

import io.gatehouse.model.policy.BasicAuth;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(60)
class HtpasswdTest {
  /** {@code htpasswd -nbB -C 5 alice secret} (Apache 2.4). */
  private static final String BCRYPT_Y =
      "$2y$05$Z6aGjIPI5td2oYCzgClEoOE28L5EsL0FLj3zNCMavDuok7eUZwdu6";

  /** The form argon2-cffi writes with its defaults: m=64 MiB, t=3, p=4, 16-byte salt. */
  private static final String ARGON2_ID =
      "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$"
          + "7hAfyWA3F4iBZ2/JeRFx8i5RbzaYd0O7FiOXf3jRmkA";

  private static final byte[] SALT = "somesaltsomesalt".getBytes(StandardCharsets.US_ASCII);

  private static String bcrypt(String version, int cost) {
    return OpenBSDBCrypt.generate(version, "secret".toCharArray(), SALT, cost);
  }

  static Stream<Arguments> accepted() {
    return Stream.of(
        Arguments.of("bcrypt-2y-from-htpasswd", BCRYPT_Y, Htpasswd.Scheme.BCRYPT),
        Arguments.of("bcrypt-2b", bcrypt("2b", 4), Htpasswd.Scheme.BCRYPT),
        Arguments.of("bcrypt-2a", bcrypt("2a", 4), Htpasswd.Scheme.BCRYPT),
        Arguments.of("bcrypt-cost-17", BCRYPT_Y.replace("$05$", "$17$"), Htpasswd.Scheme.BCRYPT),
        Arguments.of("argon2id-v19", ARGON2_ID, Htpasswd.Scheme.ARGON2),
        Arguments.of(
            "argon2i-v16-without-version",
            "$argon2i$m=4096,t=3,p=1$c29tZXNhbHRzb21lc2FsdA$" + "A".repeat(43),
            Htpasswd.Scheme.ARGON2),
        Arguments.of(
            "argon2d-at-the-limits",
            "$argon2d$v=19$m=262144,t=16,p=16$c29tZXNhbHQ$" + "A".repeat(22),
            Htpasswd.Scheme.ARGON2));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("accepted")
  void slow_salted_hashes_are_accepted(String name, String hash, Htpasswd.Scheme scheme) {
    assertThat(Htpasswd.problem(hash)).isNull();
    assertThat(Htpasswd.scheme(hash)).isEqualTo(scheme);
  }

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of("empty", "", "the hash is empty"),
        Arguments.of("plaintext", "correct horse", "may be a plaintext password"),
        Arguments.of(
            "sha1", "{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=", "unsalted SHA-1 ({SHA}) is refused"),
        Arguments.of("ssha", "{SSHA}abcdefghijklmnop", "salted SHA-1 ({SSHA}) is refused"),
        Arguments.of(
            "apr1",
            "$apr1$mCPwnVuL$1WizvRbotXcazglDKcLkQ1",
            "Apache MD5-crypt ($apr1$) is refused"),
        Arguments.of(
            "md5-crypt", "$1$saltsalt$2vnaRpHa6Jxjz5n83ok8Z0", "MD5-crypt ($1$) is refused"),
        Arguments.of(
            "sha256-crypt",
            "$5$tgPOAnLhZV5KorZ7$KSYSoqu.MKCekkUQxCEnuy3wnWLWv.5WnW.MCjLyQ9A",
            "SHA-256-crypt ($5$) is refused"),
        Arguments.of("sha512-crypt", "$6$salt$abc", "SHA-512-crypt ($6$) is refused"),
        Arguments.of("yescrypt", "$y$j9T$salt$hash", "yescrypt/scrypt"),
        Arguments.of("des-crypt", "aiV0aJdZoITcs", "DES crypt(3) is refused"),
        Arguments.of("bsdi-crypt", "_J9..rasmBYk8r9AiWNc", "BSDi extended DES crypt(3)"),
        Arguments.of("bcrypt-2x", BCRYPT_Y.replace("$2y$", "$2x$"), "variant is not $2a$"),
        Arguments.of("bcrypt-2", "$2$05$" + BCRYPT_Y.substring(7), "variant is not $2a$"),
        Arguments.of("bcrypt-short", BCRYPT_Y.substring(0, 59), "not 60 characters"),
        Arguments.of("bcrypt-long", BCRYPT_Y + "a", "not 60 characters"),
        Arguments.of(
            "bcrypt-cost-3", BCRYPT_Y.replace("$05$", "$03$"), "cost 3 is outside 4 to 17"),
        Arguments.of("bcrypt-cost-18", BCRYPT_Y.replace("$05$", "$18$"), "cost 18 is outside"),
        Arguments.of("bcrypt-cost-letters", BCRYPT_Y.replace("$05$", "$0x$"), "not two digits"),
        Arguments.of("bcrypt-bad-alphabet", BCRYPT_Y.substring(0, 59) + "+", "Base64 alphabet"),
        Arguments.of("argon2-unknown-variant", ARGON2_ID.replace("argon2id", "argon2x"), "variant"),
        Arguments.of("argon2-version-18", ARGON2_ID.replace("v=19", "v=18"), "version"),
        Arguments.of("argon2-too-few-parts", "$argon2id$v=19$m=65536,t=3,p=4", "PHC form"),
        Arguments.of(
            "argon2-params-out-of-order",
            ARGON2_ID.replace("m=65536,t=3,p=4", "t=3,m=65536,p=4"),
            "in that order"),
        Arguments.of("argon2-keyid", ARGON2_ID.replace("p=4", "p=4,keyid=abc"), "keyid and data"),
        Arguments.of(
            "argon2-memory-too-large",
            ARGON2_ID.replace("m=65536", "m=262145"),
            "memory m=262145 KiB is outside 32 (8 × p) to 262144"),
        Arguments.of(
            "argon2-memory-below-8p", ARGON2_ID.replace("m=65536", "m=31"), "memory m=31 KiB"),
        Arguments.of(
            "argon2-memory-overflow",
            ARGON2_ID.replace("m=65536", "m=99999999999"),
            "not a decimal number"),
        Arguments.of(
            "argon2-iterations-zero",
            ARGON2_ID.replace("t=3", "t=0"),
            "iterations t=0 are outside"),
        Arguments.of("argon2-iterations-17", ARGON2_ID.replace("t=3", "t=17"), "iterations t=17"),
        Arguments.of("argon2-parallelism-17", ARGON2_ID.replace("p=4", "p=17"), "parallelism p=17"),
        Arguments.of("argon2-leading-zero", ARGON2_ID.replace("t=3", "t=03"), "not a decimal"),
        Arguments.of(
            "argon2-padded-salt",
            ARGON2_ID.replace("c29tZXNhbHRzb21lc2FsdA", "c29tZXNhbHRzb21lc2FsdA=="),
            "salt is not unpadded Base64"),
        Arguments.of(
            "argon2-short-salt",
            ARGON2_ID.replace("c29tZXNhbHRzb21lc2FsdA", "c2FsdA"),
            "salt is 4 bytes"),
        Arguments.of(
            "argon2-short-output",
            "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$" + "A".repeat(20),
            "output is 15 bytes"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void weak_or_malformed_hashes_are_refused_without_repeating_them(
      String name, String hash, String expected) {
    String problem = Htpasswd.problem(hash);
    assertThat(problem).contains(expected);
    if (hash.length() > 3) {
      assertThat(problem).doesNotContain(hash);
    }
    assertThatThrownBy(() -> Htpasswd.scheme(hash)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void a_file_is_read_with_comments_blank_lines_crlf_and_nginx_comments() {
    String text =
        "# team A\r\n"
            + "alice:"
            + BCRYPT_Y
            + "\r\n"
            + "\n"
            + "bob:"
            + ARGON2_ID
            + ":the on-call account\n"
            + "carol@example.com:"
            + BCRYPT_Y
            + "   \n";
    assertThat(Htpasswd.parse(text))
        .containsExactly(
            new BasicAuth.User("alice", BCRYPT_Y),
            new BasicAuth.User("bob", ARGON2_ID),
            new BasicAuth.User("carol@example.com", BCRYPT_Y));
  }

  @Test
  void an_empty_file_has_no_users() {
    assertThat(Htpasswd.parse("")).isEmpty();
    assertThat(Htpasswd.parse("# nobody\n\n")).isEmpty();
  }

  static Stream<Arguments> badFiles() {
    return Stream.of(
        Arguments.of(
            "plaintext-names-line-and-user",
            "alice:" + BCRYPT_Y + "\nbob:hunter2\n",
            "line 2, user \"bob\": the hash is not a recognised scheme",
            "hunter2"),
        Arguments.of(
            "md5-names-line-and-user",
            "\n\nmallory:$apr1$mCPwnVuL$1WizvRbotXcazglDKcLkQ1",
            "line 3, user \"mallory\": Apache MD5-crypt ($apr1$) is refused",
            "1WizvRbotXcazglDKcLkQ1"),
        Arguments.of("no-colon", "alice" + BCRYPT_Y, "line 1: no ':'", BCRYPT_Y),
        Arguments.of("empty-user", ":" + BCRYPT_Y, "line 1: the user name is empty", BCRYPT_Y),
        Arguments.of(
            "control-character-in-user",
            "al\u0001ice:" + BCRYPT_Y,
            "line 1: user name holds a control character at index 2",
            BCRYPT_Y),
        Arguments.of(
            "white-space-around-user",
            " alice:" + BCRYPT_Y,
            "line 1: user name \" alice\" starts or ends with white space",
            BCRYPT_Y),
        Arguments.of(
            "empty-hash", "alice:\n", "line 1, user \"alice\": the hash is empty", "\u0000"),
        Arguments.of(
            "duplicate-user",
            "alice:" + BCRYPT_Y + "\nbob:" + BCRYPT_Y + "\nalice:" + ARGON2_ID,
            "line 3: user \"alice\" is already on line 1",
            "c29tZXNhbHRzb21lc2FsdA"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFiles")
  void a_bad_line_is_refused_naming_the_line_and_user_never_the_hash(
      String name, String text, String expected, String secret) {
    assertThatThrownBy(() -> Htpasswd.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(expected)
        .message()
        .doesNotContain(secret);
  }

  @Test
  void user_names_follow_rfc_7617() {
    assertThat(Htpasswd.nameProblem("alice")).isNull();
    assertThat(Htpasswd.nameProblem("Zoë")).isNull();
    assertThat(Htpasswd.nameProblem("a:b")).contains("holds ':'");
    assertThat(Htpasswd.nameProblem("")).contains("empty");
    assertThat(Htpasswd.nameProblem("a\u007fb")).contains("control character");
  }

  @Test
  void argon2_is_decoded_to_what_the_hash_was_computed_with() {
    byte[] salt = SALT;
    byte[] out = new byte[32];
    Argon2BytesGenerator g = new Argon2BytesGenerator();
    g.init(
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withMemoryAsKB(1024)
            .withIterations(2)
            .withParallelism(2)
            .withSalt(salt)
            .build());
    g.generateBytes("secret".getBytes(StandardCharsets.UTF_8), out);
    Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
    String phc =
        "$argon2id$v=19$m=1024,t=2,p=2$" + b64.encodeToString(salt) + "$" + b64.encodeToString(out);

    Htpasswd.Argon2 a = Htpasswd.argon2(phc);

    assertThat(a.variant()).isEqualTo("argon2id");
    assertThat(a.version()).isEqualTo(0x13);
    assertThat(List.of(a.memoryKib(), a.iterations(), a.parallelism())).containsExactly(1024, 2, 2);
    assertThat(a.salt()).isEqualTo(salt);
    assertThat(a.hash()).isEqualTo(out);
    assertThat(a.toString()).doesNotContain(b64.encodeToString(out)).contains("m=1024");
  }

  @Test
  void the_user_record_never_prints_its_hash() {
    assertThat(Htpasswd.parse("alice:" + BCRYPT_Y).toString()).doesNotContain(BCRYPT_Y);
  }

  @Test
  void any_text_is_read_or_refused_with_an_illegal_argument_and_never_echoed() {
    qt().withExamples(3000)
        .forAll(strings().allPossible().ofLengthBetween(0, 80))
        .check(
            text -> {
              try {
                Htpasswd.parse("u:" + text);
                return true;
              } catch (IllegalArgumentException e) {
                // A second line would name its user, which is not a secret.
                if (text.length() < 8 || text.indexOf('\n') >= 0) {
                  return true;
                }
                return !e.getMessage().contains(text.substring(0, 8));
              }
            });
  }
}
