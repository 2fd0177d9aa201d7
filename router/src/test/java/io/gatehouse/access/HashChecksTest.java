package io.gatehouse.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.policy.PasswordChecks;
import io.gatehouse.policy.PasswordChecks.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Password hashes checked off the caller's thread, remembered on success, bounded in queue. */
@Timeout(60)
class HashChecksTest {
  /** {@code htpasswd -nbB -C 5 alice secret} (Apache 2.4). */
  static final String APACHE_BCRYPT =
      "$2y$05$Z6aGjIPI5td2oYCzgClEoOE28L5EsL0FLj3zNCMavDuok7eUZwdu6";

  /** The reference implementation's README example: password "password", salt "somesalt". */
  static final String REFERENCE_ARGON2I =
      "$argon2i$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG";

  private static final byte[] SALT = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private HashChecks checks;

  @AfterEach
  void close() {
    if (checks != null) {
      checks.close();
    }
  }

  static String argon2(int type, String variant, String password) {
    byte[] out = new byte[32];
    Argon2BytesGenerator g = new Argon2BytesGenerator();
    g.init(
        new Argon2Parameters.Builder(type)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withMemoryAsKB(256)
            .withIterations(2)
            .withParallelism(2)
            .withSalt(SALT)
            .build());
    g.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
    Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
    return "$"
        + variant
        + "$v=19$m=256,t=2,p=2$"
        + b64.encodeToString(SALT)
        + "$"
        + b64.encodeToString(out);
  }

  static Stream<Arguments> hashes() {
    String bcrypt2b = OpenBSDBCrypt.generate("2b", "pässword".toCharArray(), SALT, 4);
    return Stream.of(
        Arguments.of("apache-htpasswd-bcrypt", APACHE_BCRYPT, "secret"),
        Arguments.of("bcrypt-2b-utf8", bcrypt2b, "pässword"),
        Arguments.of("argon2-reference-readme", REFERENCE_ARGON2I, "password"),
        Arguments.of("argon2id", argon2(Argon2Parameters.ARGON2_id, "argon2id", "pw"), "pw"),
        Arguments.of("argon2i", argon2(Argon2Parameters.ARGON2_i, "argon2i", "pw"), "pw"),
        Arguments.of("argon2d", argon2(Argon2Parameters.ARGON2_d, "argon2d", "pw"), "pw"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hashes")
  void the_right_password_matches_and_a_wrong_one_does_not(
      String name, String hash, String password) {
    assertThat(HashVerifier.matches(hash, password.getBytes(StandardCharsets.UTF_8))).isTrue();
    assertThat(HashVerifier.matches(hash, (password + "x").getBytes(StandardCharsets.UTF_8)))
        .isFalse();
    assertThat(HashVerifier.matches(hash, new byte[0])).isFalse();
  }

  private static final class Waiting implements PasswordChecks.Waiter {
    final CompletableFuture<Verdict> verdict = new CompletableFuture<>();
    final CountDownLatch release;
    volatile boolean abandoned;
    final AtomicInteger asked = new AtomicInteger();

    Waiting(CountDownLatch release) {
      this.release = release;
    }

    Waiting() {
      this(new CountDownLatch(0));
    }

    @Override
    public boolean abandoned() {
      asked.incrementAndGet();
      try {
        release.await(30, TimeUnit.SECONDS); // holds the pool's thread while a test fills the queue
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return abandoned;
    }

    @Override
    public void done(Verdict v) {
      verdict.complete(v);
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void a_success_is_remembered_so_the_same_credentials_cost_no_hash() throws Exception {
    checks = new HashChecks(1, 4, new HashCheckCache(60_000_000_000L, 100, System::nanoTime));
    Waiting first = new Waiting();
    assertThat(checks.check("alice", bytes("secret"), APACHE_BCRYPT, first)).isNull();
    assertThat(first.verdict.get(30, TimeUnit.SECONDS)).isEqualTo(Verdict.MATCH);

    Waiting again = new Waiting();
    assertThat(checks.check("alice", bytes("secret"), APACHE_BCRYPT, again))
        .isEqualTo(Verdict.MATCH);
    assertThat(again.asked).as("never queued").hasValue(0);
  }

  @Test
  void a_failure_is_not_remembered() throws Exception {
    checks = new HashChecks(1, 4, new HashCheckCache(60_000_000_000L, 100, System::nanoTime));
    for (int i = 0; i < 2; i++) {
      Waiting w = new Waiting();
      assertThat(checks.check("alice", bytes("guess"), APACHE_BCRYPT, w)).isNull();
      assertThat(w.verdict.get(30, TimeUnit.SECONDS)).isEqualTo(Verdict.MISMATCH);
    }
  }

  @Test
  void a_full_queue_answers_busy_at_once() throws Exception {
    checks = new HashChecks(1, 1, new HashCheckCache(60_000_000_000L, 100, System::nanoTime));
    CountDownLatch release = new CountDownLatch(1);
    Waiting running = new Waiting(release);
    Waiting queued = new Waiting();
    assertThat(checks.check("alice", bytes("a"), APACHE_BCRYPT, running)).isNull();
    // The pool's one thread holds "running" once it asks whether the request is still wanted.
    while (running.asked.get() == 0) {
      Thread.onSpinWait();
    }
    assertThat(checks.check("alice", bytes("b"), APACHE_BCRYPT, queued)).isNull();
    assertThat(checks.check("alice", bytes("c"), APACHE_BCRYPT, new Waiting()))
        .isEqualTo(Verdict.BUSY);
    release.countDown();
    assertThat(running.verdict.get(30, TimeUnit.SECONDS)).isEqualTo(Verdict.MISMATCH);
    assertThat(queued.verdict.get(30, TimeUnit.SECONDS)).isEqualTo(Verdict.MISMATCH);
  }

  @Test
  void a_check_whose_request_ended_while_queued_is_skipped() throws Exception {
    checks = new HashChecks(1, 4, new HashCheckCache(60_000_000_000L, 100, System::nanoTime));
    Waiting gone = new Waiting();
    gone.abandoned = true;
    Waiting next = new Waiting();
    assertThat(checks.check("alice", bytes("secret"), APACHE_BCRYPT, gone)).isNull();
    assertThat(checks.check("alice", bytes("secret"), APACHE_BCRYPT, next)).isNull();
    // One thread, in order: once the next is told, the abandoned one was passed over.
    assertThat(next.verdict.get(30, TimeUnit.SECONDS)).isEqualTo(Verdict.MATCH);
    assertThat(gone.verdict).isNotDone();
  }
}
